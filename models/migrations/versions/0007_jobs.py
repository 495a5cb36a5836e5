"""background jobs: run leases and one active run per program, outbox back-off, periodic slots

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade() -> None:
    # Runs left "running" by the old in-process threads died with them: say so, so that the new
    # one-active-run-per-program index can be built and the pages offer "try again".
    op.execute("UPDATE matchrun SET status = 'failed', progress = 'failed', "
               "error = 'The run stopped when Makker was upgraded.' WHERE status = 'running'")
    with op.batch_alter_table('matchrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('enqueued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index('uq_matchrun_active_program', ['program_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outboxmessage_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('periodicslot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'slot', name='uq_periodicslot_job_slot')
    )
    with op.batch_alter_table('periodicslot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periodicslot_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('periodicslot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periodicslot_started_at'))
    op.drop_table('periodicslot')
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxmessage_next_attempt_at'))
        batch_op.drop_column('lease_until')
        batch_op.drop_column('next_attempt_at')
    # Queued runs have no worker without the queue: they become failed ("try again").
    op.execute("UPDATE matchrun SET status = 'failed', progress = 'failed' WHERE status = 'queued'")
    with op.batch_alter_table('matchrun', schema=None) as batch_op:
        batch_op.drop_index('uq_matchrun_active_program')
        batch_op.drop_column('enqueued_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('attempts')
