"""safeguarding papers: signed texts per organisation, børneattest renewal, concerns about a child

Existing organisations get no stored text: until an admin writes one, volunteers sign the default
(stored as version 1 on the first signature). Existing programs renew the børneattest every 24
months. Volunteers approved before this migration keep their approval; they are asked to sign
on their home page.

Revision ID: 0015
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def _indexes(table: str, columns: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_renewal_months', sa.Integer(), nullable=False,
                                      server_default='24'))
    op.create_table(
        'safeguard_text',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', _TEXT(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', _TEXT(length=200), nullable=False),
        sa.Column('body', _TEXT(length=20000), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'kind', 'version'),
    )
    _indexes('safeguard_text', ('organisation_id',))
    op.create_table(
        'signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('text_id', sa.Integer(), nullable=False),
        sa.Column('kind', _TEXT(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('signed_name', _TEXT(length=200), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('signed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.ForeignKeyConstraint(['text_id'], ['safeguard_text.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('volunteer_id', 'text_id'),
    )
    _indexes('signature', ('organisation_id', 'volunteer_id', 'text_id'))
    op.create_table(
        'certificate_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('renew_by', sa.Date(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('volunteer_id', 'renew_by'),
    )
    _indexes('certificate_reminder', ('organisation_id', 'volunteer_id'))
    op.create_table(
        'concern',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('message', _TEXT(length=2000), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('handled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id']),
        sa.ForeignKeyConstraint(['match_id'], ['match.id']),
        sa.ForeignKeyConstraint(['handled_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    _indexes('concern', ('organisation_id', 'volunteer_id', 'match_id'))


def downgrade() -> None:
    for table, columns in (('concern', ('organisation_id', 'volunteer_id', 'match_id')),
                           ('certificate_reminder', ('organisation_id', 'volunteer_id')),
                           ('signature', ('organisation_id', 'volunteer_id', 'text_id')),
                           ('safeguard_text', ('organisation_id',))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
    # Dropped in place (as 0009 does): copying the referenced program table would trip its foreign keys.
    op.drop_column('program', 'certificate_renewal_months')
