"""one person, several programmes: the membership table (issue 15)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 06:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('leave_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('own_steps', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('volunteer_id', 'program_id')
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_volunteer_id'), ['volunteer_id'], unique=False)
    # One membership per existing volunteer, in the programme they were in, carrying its
    # capacity; declined or withdrawn people have left it.
    day = "date({})" if op.get_bind().dialect.name == "sqlite" else "CAST({} AS DATE)"
    op.execute(f"""
        INSERT INTO membership (organisation_id, volunteer_id, program_id, status, capacity, joined_on,
                                approved_on, left_on, leave_reason, own_steps, created_at)
        SELECT organisation_id, id, program_id,
               CASE WHEN status IN ('declined', 'withdrawn') THEN 'left' ELSE 'active' END,
               capacity, {day.format('created_at')}, {day.format('approved_at')},
               CASE WHEN status IN ('declined', 'withdrawn') THEN {day.format('COALESCE(anonymised_at, created_at)')} END,
               CASE WHEN status IN ('declined', 'withdrawn') THEN status ELSE '' END,
               '{{}}', created_at
        FROM volunteer ORDER BY id
    """)


def downgrade() -> None:
    # program_id back from the earliest membership (the first programme joined), capacity too.
    op.execute("""
        UPDATE volunteer SET
            program_id = (SELECT m.program_id FROM membership m WHERE m.volunteer_id = volunteer.id
                          ORDER BY m.id LIMIT 1),
            capacity = (SELECT m.capacity FROM membership m WHERE m.volunteer_id = volunteer.id
                        ORDER BY m.id LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM membership m WHERE m.volunteer_id = volunteer.id)
    """)
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_membership_status'))
        batch_op.drop_index(batch_op.f('ix_membership_program_id'))
        batch_op.drop_index(batch_op.f('ix_membership_organisation_id'))
    op.drop_table('membership')
