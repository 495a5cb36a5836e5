"""waiting priority per program, and why someone past the target got no proposal

Revision ID: 0009
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_priority', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='strict'))
    op.create_table(
        'waitingreason',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('volunteer_id', sa.Integer(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('days_past_target', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['program_id'], ['program.id']),
        sa.ForeignKeyConstraint(['run_id'], ['matchrun.id']),
        sa.ForeignKeyConstraint(['request_id'], ['request.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('waitingreason', schema=None) as batch_op:
        for column in ('organisation_id', 'program_id', 'run_id', 'request_id', 'volunteer_id'):
            batch_op.create_index(batch_op.f(f'ix_waitingreason_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waitingreason', schema=None) as batch_op:
        for column in ('organisation_id', 'program_id', 'run_id', 'request_id', 'volunteer_id'):
            batch_op.drop_index(batch_op.f(f'ix_waitingreason_{column}'))
    op.drop_table('waitingreason')
    # Dropped in place (SQLite 3.35+ can): copying the referenced program table would trip the
    # foreign keys of its rows.
    op.drop_column('program', 'waiting_priority')
