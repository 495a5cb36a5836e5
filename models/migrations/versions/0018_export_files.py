"""export of everything as a job: the file kept for a short time for the admin who asked

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 06:15:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exportfile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('fmt', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('downloads', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_exportfile_organisation_id'), 'exportfile', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_exportfile_requested_by_id'), 'exportfile', ['requested_by_id'], unique=False)
    op.create_index(op.f('ix_exportfile_status'), 'exportfile', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_exportfile_status'), table_name='exportfile')
    op.drop_index(op.f('ix_exportfile_requested_by_id'), table_name='exportfile')
    op.drop_index(op.f('ix_exportfile_organisation_id'), table_name='exportfile')
    op.drop_table('exportfile')
