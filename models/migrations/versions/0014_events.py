"""events: courses, network meetings, supervision and social gatherings; sign-ups with a waiting
list, attendance and hours; personal calendar feeds; one attachment on an outbox message

Revision ID: 0014
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', S(length=20), nullable=False),
        sa.Column('title', S(length=200), nullable=False),
        sa.Column('description', S(length=4000), nullable=False),
        sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('place', S(length=300), nullable=False),
        sa.Column('online_url', S(length=500), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('audience', S(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('invitations_queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('attendance_recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_starts_at'), ['starts_at'], unique=False)

    op.create_table(
        'event_program',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['program_id'], ['program.id']),
        sa.PrimaryKeyConstraint('event_id', 'program_id'),
    )
    with op.batch_alter_table('event_program', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_program_program_id'), ['program_id'], unique=False)

    op.create_table(
        'event_signup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('status', S(length=10), nullable=False),
        sa.Column('queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'volunteer_id', name='uq_event_signup_volunteer'),
    )
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_signup_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_signup_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table(
        'calendar_feed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', S(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index('uq_calendar_feed_active', ['volunteer_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table(
        'volunteer_leaving',
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('left_on', sa.Date(), nullable=False),
        sa.Column('reason', S(length=30), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.PrimaryKeyConstraint('volunteer_id'),
    )
    with op.batch_alter_table('volunteer_leaving', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_leaving_left_on'), ['left_on'], unique=False)
    # Volunteers erased before this migration left on the day they were anonymised.
    day = "date(anonymised_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(anonymised_at AS DATE)"
    op.execute(f"INSERT INTO volunteer_leaving (volunteer_id, left_on, reason, recorded_at) "
               f"SELECT id, {day}, 'account_deleted', anonymised_at FROM volunteer "
               "WHERE anonymised_at IS NOT NULL AND status = 'withdrawn'")

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', S(length=200), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', S(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('attachment')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')
    with op.batch_alter_table('volunteer_leaving', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_leaving_left_on'))
    op.drop_table('volunteer_leaving')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index('uq_calendar_feed_active')
        batch_op.drop_index(batch_op.f('ix_calendar_feed_volunteer_id'))
    op.drop_table('calendar_feed')
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_signup_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_event_signup_event_id'))
    op.drop_table('event_signup')
    with op.batch_alter_table('event_program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_program_program_id'))
    op.drop_table('event_program')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_starts_at'))
        batch_op.drop_index(batch_op.f('ix_event_organisation_id'))
    op.drop_table('event')
