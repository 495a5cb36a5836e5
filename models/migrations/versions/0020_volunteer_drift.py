"""the stored "waiting with no event" day of each waiting volunteer and programme (issue 15)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 15:00:00

The rows of existing volunteers are filled by ``makker db upgrade`` right after this migration
(models.events.drift.refresh_drift), and every night by the periodic refresh.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('volunteer_drift',
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('pool_since', sa.Date(), nullable=False),
    sa.Column('target_days', sa.Integer(), nullable=False),
    sa.Column('drifts_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'program_id')
    )
    op.create_index('ix_volunteer_drift_organisation_day', 'volunteer_drift', ['organisation_id', 'drifts_on'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_volunteer_drift_organisation_day', table_name='volunteer_drift')
    op.drop_table('volunteer_drift')
