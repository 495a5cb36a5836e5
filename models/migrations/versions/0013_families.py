"""families: the family's plan, goals, agreements, meetings, team, competences and progress (issue 14)

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-02 02:37:36.751852
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('life_area', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'name')
    )
    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competence_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('applies_to', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'name')
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('professional',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('competence_ids', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professional_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('familyplan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('dreams', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('dreams_shared', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('household_id')
    )
    with op.batch_alter_table('familyplan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familyplan_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('familyteam',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=False),
    sa.Column('approved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('household_id')
    )
    with op.batch_alter_table('familyteam', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familyteam_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('programmeasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program_id', 'measure_id')
    )
    with op.batch_alter_table('programmeasure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmeasure_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmeasure_program_id'), ['program_id'], unique=False)

    op.create_table('familygoal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('life_area', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('worries', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('works', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('next_steps', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('shared_with_team', sa.Boolean(), nullable=False),
    sa.Column('family_may_read', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competence_id'], ['competence.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['householdmember.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['familyplan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('familygoal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familygoal_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familygoal_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familygoal_plan_id'), ['plan_id'], unique=False)

    op.create_table('planmeeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('participants', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('agreed', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['familyplan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('planmeeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planmeeting_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planmeeting_plan_id'), ['plan_id'], unique=False)

    op.create_table('teammember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['familyteam.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'professional_id'),
    sa.UniqueConstraint('team_id', 'volunteer_id')
    )
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teammember_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teammember_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teammember_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teammember_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('volunteercompetence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('competence_ids', sa.JSON(), nullable=False),
    sa.Column('family_capacity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('volunteer_id')
    )
    op.create_table('familyagreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('owner_kind', sqlmodel.sql.sqltypes.AutoString(length=15), nullable=False),
    sa.Column('owner_member_id', sa.Integer(), nullable=True),
    sa.Column('owner_volunteer_id', sa.Integer(), nullable=True),
    sa.Column('owner_professional_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('shared_with_team', sa.Boolean(), nullable=False),
    sa.Column('family_may_read', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['goal_id'], ['familygoal.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['planmeeting.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['owner_member_id'], ['householdmember.id'], ),
    sa.ForeignKeyConstraint(['owner_professional_id'], ['professional.id'], ),
    sa.ForeignKeyConstraint(['owner_volunteer_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['familyplan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('familyagreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familyagreement_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyagreement_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyagreement_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyagreement_owner_professional_id'), ['owner_professional_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyagreement_owner_volunteer_id'), ['owner_volunteer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyagreement_plan_id'), ['plan_id'], unique=False)

    op.create_table('planchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['planmeeting.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['familyplan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('planchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planchange_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_planchange_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planchange_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planchange_plan_id'), ['plan_id'], unique=False)

    op.create_table('progressrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('moment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['planmeeting.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['householdmember.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'measure_id', 'moment', 'recorded_on')
    )
    with op.batch_alter_table('progressrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progressrecord_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progressrecord_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progressrecord_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progressrecord_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('progressrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progressrecord_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_progressrecord_member_id'))
        batch_op.drop_index(batch_op.f('ix_progressrecord_measure_id'))
        batch_op.drop_index(batch_op.f('ix_progressrecord_household_id'))

    op.drop_table('progressrecord')
    with op.batch_alter_table('planchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planchange_plan_id'))
        batch_op.drop_index(batch_op.f('ix_planchange_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_planchange_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_planchange_at'))

    op.drop_table('planchange')
    with op.batch_alter_table('familyagreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_familyagreement_plan_id'))
        batch_op.drop_index(batch_op.f('ix_familyagreement_owner_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_familyagreement_owner_professional_id'))
        batch_op.drop_index(batch_op.f('ix_familyagreement_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_familyagreement_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_familyagreement_goal_id'))

    op.drop_table('familyagreement')
    op.drop_table('volunteercompetence')
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teammember_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_teammember_team_id'))
        batch_op.drop_index(batch_op.f('ix_teammember_professional_id'))
        batch_op.drop_index(batch_op.f('ix_teammember_organisation_id'))

    op.drop_table('teammember')
    with op.batch_alter_table('planmeeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planmeeting_plan_id'))
        batch_op.drop_index(batch_op.f('ix_planmeeting_organisation_id'))

    op.drop_table('planmeeting')
    with op.batch_alter_table('familygoal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_familygoal_plan_id'))
        batch_op.drop_index(batch_op.f('ix_familygoal_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_familygoal_member_id'))

    op.drop_table('familygoal')
    with op.batch_alter_table('programmeasure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmeasure_program_id'))
        batch_op.drop_index(batch_op.f('ix_programmeasure_measure_id'))

    op.drop_table('programmeasure')
    with op.batch_alter_table('familyteam', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_familyteam_organisation_id'))

    op.drop_table('familyteam')
    with op.batch_alter_table('familyplan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_familyplan_organisation_id'))

    op.drop_table('familyplan')
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_professional_organisation_id'))

    op.drop_table('professional')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_organisation_id'))

    op.drop_table('measure')
    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competence_organisation_id'))

    op.drop_table('competence')
