"""family figures stored, graded measures, team runs on the queue (issue 14, decision 0021)

The built-in child-protection measure becomes graded (five levels). Its existing yes/no answers
are kept as they are (level NULL): "has a child-protection measure" is true at level 4 or 5 and
false at 1, 2 or 3, so no single level is an honest translation of either answer.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 14:42:37.270688
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('familyfiguresstate',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('stale_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('organisation_id')
    )
    op.create_table('familyfigure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('comparison', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('at_entry', sa.Integer(), nullable=True),
    sa.Column('later', sa.Integer(), nullable=True),
    sa.Column('graded_persons', sa.Integer(), nullable=False),
    sa.Column('entry_levels', sa.JSON(), nullable=False),
    sa.Column('later_levels', sa.JSON(), nullable=False),
    sa.Column('computed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('familyfigure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familyfigure_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index('ix_familyfigure_org_program', ['organisation_id', 'program_id'], unique=False)

    op.create_table('familyteamrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('scope_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('families_total', sa.Integer(), nullable=False),
    sa.Column('families_done', sa.Integer(), nullable=False),
    sa.Column('proposed', sa.Integer(), nullable=False),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('optimal', sa.Boolean(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('running_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('familyteamrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_familyteamrun_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_familyteamrun_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_familyteamrun_active', ['organisation_id', 'scope_key'], unique=True, sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))

    # Plain ADD COLUMN, not a batch (table copy): on SQLite with foreign keys on, dropping the old
    # ``measure`` table fails as soon as answers refer to it.
    op.add_column('measure', sa.Column('scale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                       server_default='yes_no'))
    op.add_column('measure', sa.Column('levels', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('measure', sa.Column('yes_from', sa.Integer(), nullable=True))
    op.add_column('progressrecord', sa.Column('level', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite cannot drop a default without a table copy
        op.alter_column('measure', 'scale', server_default=None)
        op.alter_column('measure', 'levels', server_default=None)
    # Data: the built-in measure is graded from now on; its answers so far stay yes/no.
    measure = sa.table('measure', sa.column('code', sa.String), sa.column('scale', sa.String),
                       sa.column('levels', sa.JSON), sa.column('yes_from', sa.Integer))
    op.execute(measure.update().where(measure.c.code == 'child_protection').values(
        scale='graded', levels=["no_concern", "concern", "investigation", "measure_at_home", "placed_out_of_home"],
        yes_from=4))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a table copy: see upgrade(). The graded
    # levels go; each answer's yes/no reading stays.
    for table, column in (('progressrecord', 'level'), ('measure', 'yes_from'), ('measure', 'levels'),
                          ('measure', 'scale')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)

    with op.batch_alter_table('familyteamrun', schema=None) as batch_op:
        batch_op.drop_index('uq_familyteamrun_active', sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))
        batch_op.drop_index(batch_op.f('ix_familyteamrun_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_familyteamrun_household_id'))

    op.drop_table('familyteamrun')
    with op.batch_alter_table('familyfigure', schema=None) as batch_op:
        batch_op.drop_index('ix_familyfigure_org_program')
        batch_op.drop_index(batch_op.f('ix_familyfigure_measure_id'))

    op.drop_table('familyfigure')
    op.drop_table('familyfiguresstate')
