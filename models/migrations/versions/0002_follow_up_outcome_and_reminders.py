"""follow-up: outcome and reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:03:22.327102
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Server defaults so that existing rows get a value; the models set them for new rows.
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_required', sa.Boolean(), nullable=False, server_default=sa.true()))



def downgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('outcome_required')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('outcome')

