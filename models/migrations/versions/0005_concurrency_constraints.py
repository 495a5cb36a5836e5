"""concurrency: form tokens and the constraints behind the locks (docs/decisions/0008)

The new unique indexes refuse what a lost race could leave behind. Rows that races already left
in a database are repaired first, keeping the earliest of each: a second 12-month follow-up,
one-year measure or planned check-in on the same day becomes an extra check-in (nothing is lost), a second
closure event of one match is deleted (the match was closed once; the audit trail keeps who
tried), and a second match of one proposal keeps its history but no longer points at it.

Revision ID: 0005
Revises: 0008
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0008'
branch_labels = None
depends_on = None

REPAIRS = (
    "UPDATE checkin SET kind = 'extra' WHERE kind = 'followup' AND id NOT IN "
    "(SELECT MIN(id) FROM checkin WHERE kind = 'followup' GROUP BY match_id)",
    "UPDATE checkin SET kind = 'extra' WHERE kind = 'one_year' AND id NOT IN "
    "(SELECT MIN(id) FROM checkin WHERE kind = 'one_year' GROUP BY match_id)",
    "UPDATE checkin SET kind = 'extra' WHERE kind = 'scheduled' AND id NOT IN "
    "(SELECT MIN(id) FROM checkin WHERE kind = 'scheduled' GROUP BY match_id, due_on)",
    "DELETE FROM matchevent WHERE to_status = 'closed' AND id NOT IN "
    "(SELECT MIN(id) FROM matchevent WHERE to_status = 'closed' GROUP BY match_id)",
    'UPDATE "match" SET proposal_id = NULL WHERE proposal_id IS NOT NULL AND id NOT IN '
    '(SELECT MIN(id) FROM "match" WHERE proposal_id IS NOT NULL GROUP BY proposal_id)',
)


def upgrade() -> None:
    op.create_table('formsubmission',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('formsubmission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_formsubmission_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_formsubmission_user_id'), ['user_id'], unique=False)

    for statement in REPAIRS:
        op.execute(statement)

    with op.batch_alter_table('matchevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_version', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_matchevent_from_version', ['match_id', 'from_version'])
        batch_op.create_index('uq_matchevent_closed', ['match_id'], unique=True,
                              sqlite_where=sa.text("to_status = 'closed'"),
                              postgresql_where=sa.text("to_status = 'closed'"))
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.create_index('uq_match_proposal', ['proposal_id'], unique=True,
                              sqlite_where=sa.text('proposal_id IS NOT NULL'),
                              postgresql_where=sa.text('proposal_id IS NOT NULL'))
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('uq_checkin_followup', ['match_id'], unique=True,
                              sqlite_where=sa.text("kind = 'followup'"),
                              postgresql_where=sa.text("kind = 'followup'"))
        batch_op.create_index('uq_checkin_one_year', ['match_id'], unique=True,
                              sqlite_where=sa.text("kind = 'one_year'"),
                              postgresql_where=sa.text("kind = 'one_year'"))
        batch_op.create_index('uq_checkin_scheduled_day', ['match_id', 'due_on'], unique=True,
                              sqlite_where=sa.text("kind = 'scheduled'"),
                              postgresql_where=sa.text("kind = 'scheduled'"))


def downgrade() -> None:
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('uq_checkin_scheduled_day', sqlite_where=sa.text("kind = 'scheduled'"),
                            postgresql_where=sa.text("kind = 'scheduled'"))
        batch_op.drop_index('uq_checkin_one_year', sqlite_where=sa.text("kind = 'one_year'"),
                            postgresql_where=sa.text("kind = 'one_year'"))
        batch_op.drop_index('uq_checkin_followup', sqlite_where=sa.text("kind = 'followup'"),
                            postgresql_where=sa.text("kind = 'followup'"))
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index('uq_match_proposal', sqlite_where=sa.text('proposal_id IS NOT NULL'),
                            postgresql_where=sa.text('proposal_id IS NOT NULL'))
    with op.batch_alter_table('matchevent', schema=None) as batch_op:
        batch_op.drop_index('uq_matchevent_closed', sqlite_where=sa.text("to_status = 'closed'"),
                            postgresql_where=sa.text("to_status = 'closed'"))
        batch_op.drop_constraint('uq_matchevent_from_version', type_='unique')
        batch_op.drop_column('from_version')
    with op.batch_alter_table('formsubmission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_formsubmission_user_id'))
        batch_op.drop_index(batch_op.f('ix_formsubmission_created_at'))
    op.drop_table('formsubmission')
