"""derived state for pages: the stored at-risk assessment and the chart cache

Revision ID: 0008
Revises: 0004

The match_risk rows of existing matches are filled by ``makker db upgrade`` right after this
migration (models.risk_state.fill_missing_risk), and every day by the periodic refresh.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'match_risk',
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('urgency', sa.Integer(), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('last_meeting', sa.Date(), nullable=True),
        sa.Column('last_checkin', sa.Date(), nullable=True),
        sa.Column('overdue_checkins', sa.Integer(), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['match_id'], ['match.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['program_id'], ['program.id']),
        sa.PrimaryKeyConstraint('match_id'),
    )
    with op.batch_alter_table('match_risk', schema=None) as batch_op:
        batch_op.create_index('ix_match_risk_organisation_urgency', ['organisation_id', 'urgency'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_risk_program_id'), ['program_id'], unique=False)

    op.create_table(
        'chart_image',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('fmt', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column('spec', sa.JSON(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('used_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('chart_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_image_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chart_image_used_on'), ['used_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chart_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_image_used_on'))
        batch_op.drop_index(batch_op.f('ix_chart_image_organisation_id'))
    op.drop_table('chart_image')
    with op.batch_alter_table('match_risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_risk_program_id'))
        batch_op.drop_index('ix_match_risk_organisation_urgency')
    op.drop_table('match_risk')
