"""referrals: referring units, their programmes, referrers (user.referring_unit_id), referrals,
status reports to the referrer, the message thread, and each programme's referral settings

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-01 23:01:43.136954
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referringunit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'name')
    )
    with op.batch_alter_table('referringunit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referringunit_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('referralchannel',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['referringunit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'program_id')
    )
    with op.batch_alter_table('referralchannel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referralchannel_program_id'), ['program_id'], unique=False)

    op.create_table('referralsettings',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_info', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('first_status_months', sa.Integer(), nullable=False),
    sa.Column('status_every_months', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.PrimaryKeyConstraint('program_id')
    )
    with op.batch_alter_table('referralsettings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referralsettings_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('guardian_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('guardian_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('guardian_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('school', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('no_trusted_adult', sa.Boolean(), nullable=False),
    sa.Column('family_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('interests_text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('availability', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('wishes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('volunteer_wishes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('mentor_gender_preferred', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('mentor_gender_required', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('complexity', sa.Integer(), nullable=False),
    sa.Column('complexity_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('custody', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status_consent', sa.Boolean(), nullable=False),
    sa.Column('status_sharing_stopped_on', sa.Date(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('decline_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('withdrawn_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('status_reminded_for', sa.Date(), nullable=True),
    sa.Column('anonymised_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['referrer_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['referringunit.id'], ),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_youth_id'), ['youth_id'], unique=False)

    op.create_table('referralmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_referrer', sa.Boolean(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['match_id'], ['match.id'], ),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referralmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referralmessage_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referralmessage_referral_id'), ['referral_id'], unique=False)

    op.create_table('referralstatus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('how_it_goes', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('agreements', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('concerns', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('written_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['match_id'], ['match.id'], ),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], ),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['written_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referralstatus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referralstatus_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referralstatus_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referring_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_referring_unit_id'), ['referring_unit_id'], unique=False)
        batch_op.create_foreign_key('user_referring_unit_id_fkey', 'referringunit', ['referring_unit_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('user_referring_unit_id_fkey', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_referring_unit_id'))
        batch_op.drop_column('referring_unit_id')

    with op.batch_alter_table('referralstatus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referralstatus_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referralstatus_match_id'))

    op.drop_table('referralstatus')
    with op.batch_alter_table('referralmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referralmessage_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referralmessage_created_at'))

    op.drop_table('referralmessage')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_youth_id'))
        batch_op.drop_index(batch_op.f('ix_referral_unit_id'))
        batch_op.drop_index(batch_op.f('ix_referral_status'))
        batch_op.drop_index(batch_op.f('ix_referral_request_id'))
        batch_op.drop_index(batch_op.f('ix_referral_referrer_id'))
        batch_op.drop_index(batch_op.f('ix_referral_program_id'))
        batch_op.drop_index(batch_op.f('ix_referral_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_referral_household_id'))

    op.drop_table('referral')
    with op.batch_alter_table('referralsettings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referralsettings_organisation_id'))

    op.drop_table('referralsettings')
    with op.batch_alter_table('referralchannel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referralchannel_program_id'))

    op.drop_table('referralchannel')
    with op.batch_alter_table('referringunit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referringunit_organisation_id'))

    op.drop_table('referringunit')
