"""programme rules: experience vs heaviness, børneattest, consent dates and withdrawal, one-year
measure, meeting rhythm

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 21:00:00

Existing programmes are moved onto the corrected rules:
* the least experience per complexity becomes at least the new default (Høj: experienced,
  Meget høj: professional background); a programme that already asked for more keeps that;
* a programme that serves children under 15 (by its ages, or by the open requests of youths under
  15 and of families with a child under 15) gets the børneattest among its screening steps;
* each consent's given_on is the day it was recorded (the only date known before), its withdrawal
  day likewise; the old role "parent" becomes "guardian" (a custody holder);
* matches that have started get their one-year measure where it is still to come or at most 90
  days overdue (an undone check-in planned for that day becomes the measure), so that old
  matches do not flood the overdue list.
"""
from datetime import date, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

NEW_MINIMUMS = (0, 0, 2, 3)
CERTIFICATE = "boerneattest"
ONE_YEAR_DAYS = 365
OVERDUE_AT_MOST_DAYS = 90

program_t = sa.table('program', sa.column('id', sa.Integer), sa.column('serves', sa.String),
                     sa.column('min_age', sa.Integer), sa.column('required_steps', sa.JSON),
                     sa.column('min_experience_by_complexity', sa.JSON))
checkin_t = sa.table('checkin', sa.column('id', sa.Integer), sa.column('match_id', sa.Integer),
                     sa.column('kind', sa.String), sa.column('due_on', sa.Date), sa.column('done_on', sa.Date),
                     sa.column('contacted', sa.JSON), sa.column('outcome', sa.JSON),
                     sa.column('concerns', sa.String), sa.column('agreements', sa.String),
                     sa.column('next_step', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        # A constant default: SQLite then adds the column in place instead of copying a referenced table.
        batch_op.add_column(sa.Column('measures_one_year', sa.Boolean(), nullable=False, server_default='1'))

    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_rhythm', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))

    with op.batch_alter_table('consentrecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('withdrawal_note', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawal_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_consentrecord_withdrawal_recorded_by_id_user', 'user',
                                    ['withdrawal_recorded_by_id'], ['id'])

    conn = op.get_bind()
    today = date.today()
    _consent_dates(conn)
    with op.batch_alter_table('consentrecord', schema=None) as batch_op:
        batch_op.alter_column('given_on', existing_type=sa.Date(), nullable=False)
    _experience_minimums(conn)
    _child_certificate(conn, today)
    _one_year_measures(conn, today)


def _consent_dates(conn) -> None:  # noqa: ANN001
    rows = conn.execute(sa.text("SELECT id, given_at, withdrawn_at, relation FROM consentrecord")).all()
    for consent_id, given_at, withdrawn_at, relation in rows:
        conn.execute(sa.text("UPDATE consentrecord SET given_on = :g, withdrawn_on = :w, relation = :r WHERE id = :i"),
                     {"g": _day(given_at) or date.today(), "w": _day(withdrawn_at),
                      "r": "guardian" if relation == "parent" else relation, "i": consent_id})


def _day(value):  # noqa: ANN001, ANN202
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value


def _experience_minimums(conn) -> None:  # noqa: ANN001
    for program_id, minimums in conn.execute(sa.select(program_t.c.id, program_t.c.min_experience_by_complexity)):
        old = list(minimums or []) + [0] * (len(NEW_MINIMUMS) - len(minimums or []))
        new = [max(int(a), b) for a, b in zip(old, NEW_MINIMUMS, strict=False)]
        if new != list(minimums or []):
            conn.execute(program_t.update().where(program_t.c.id == program_id)
                         .values(min_experience_by_complexity=new))


def _child_certificate(conn, today: date) -> None:  # noqa: ANN001
    born_after = today.year - 15  # born after this year: under 15, as Makker reckons ages
    young = {row[0] for row in conn.execute(sa.text(
        "SELECT DISTINCT r.program_id FROM request r JOIN youth y ON y.id = r.youth_id "
        "WHERE r.status IN ('waiting', 'matched') AND y.birth_year > :y"), {"y": born_after})}
    young |= {row[0] for row in conn.execute(sa.text(
        "SELECT DISTINCT r.program_id FROM request r JOIN householdmember m ON m.household_id = r.household_id "
        "WHERE r.status IN ('waiting', 'matched') AND m.birth_year > :y"), {"y": born_after})}
    for program_id, serves, min_age, steps in conn.execute(
            sa.select(program_t.c.id, program_t.c.serves, program_t.c.min_age, program_t.c.required_steps)):
        steps = list(steps or [])
        serves_young = (serves in ("youth", "both") and min_age < 15) or program_id in young
        if serves_young and CERTIFICATE not in steps:
            conn.execute(program_t.update().where(program_t.c.id == program_id)
                         .values(required_steps=[*steps, CERTIFICATE]))


def _one_year_measures(conn, today: date) -> None:  # noqa: ANN001
    earliest = today - timedelta(days=OVERDUE_AT_MOST_DAYS)
    matches = conn.execute(sa.text("SELECT id, started_on FROM match WHERE started_on IS NOT NULL")).all()
    for match_id, started_on in matches:
        started_on = _day(started_on)
        due = started_on + timedelta(days=ONE_YEAR_DAYS)
        if due < earliest:
            continue
        planned = conn.execute(sa.select(checkin_t.c.id, checkin_t.c.kind, checkin_t.c.due_on, checkin_t.c.done_on)
                               .where(checkin_t.c.match_id == match_id)).all()
        if any(kind == "one_year" for _i, kind, _d, _done in planned):
            continue
        same_day = [i for i, kind, d, done in planned if kind == "scheduled" and _day(d) == due and done is None]
        if same_day:
            conn.execute(checkin_t.update().where(checkin_t.c.id == same_day[0]).values(kind="one_year"))
        else:
            conn.execute(checkin_t.insert().values(match_id=match_id, kind="one_year", due_on=due, contacted=[],
                                                   outcome={}, concerns="", agreements="", next_step=""))


def downgrade() -> None:
    conn = op.get_bind()
    # The one-year measures stay as ordinary check-ins (the old code knows no such kind).
    conn.execute(checkin_t.update().where(checkin_t.c.kind == "one_year").values(kind="scheduled"))
    conn.execute(sa.text("UPDATE request SET status = 'withdrawn' WHERE status = 'consent_withdrawn'"))
    with op.batch_alter_table('consentrecord', schema=None) as batch_op:
        batch_op.drop_constraint('fk_consentrecord_withdrawal_recorded_by_id_user', type_='foreignkey')
        batch_op.drop_column('withdrawal_recorded_by_id')
        batch_op.drop_column('withdrawal_note')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('given_on')

    # Dropped in place (SQLite 3.35+ can): copying these referenced tables would trip the foreign keys.
    op.drop_column('match', 'meeting_rhythm')
    op.drop_column('program', 'measures_one_year')
