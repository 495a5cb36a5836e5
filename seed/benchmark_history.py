"""Years of relationships for a benchmark organisation: matches, meetings, check-ins, in bulk."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, update
from sqlmodel import Session, select

from models.clock import utcnow
from models.matches import CLOSURE_REASONS, CheckIn, Match, MeetingLog
from models.mentees import Request
from models.organisations import Organisation, Program
from models.users import User, hash_password
from models.volunteers import Volunteer


def add_match_history(session: Session, slug: str, n_matches: int, today: date, seed: int = 7,
                      password: str = "makker-bench") -> dict[str, int]:
    """Pair the first ``n_matches`` requests and volunteers of the organisation over three years."""
    rng = random.Random(seed)
    org = session.exec(select(Organisation).where(Organisation.slug == slug)).one()
    program = session.exec(select(Program).where(Program.organisation_id == org.id)).first()
    program.goal_matches, program.goal_period_months = 3000, 24
    session.add(program)
    session.add(User(organisation_id=org.id, email=f"admin@{slug}.example.org", name="Benchmark Admin", role="admin",
                     password_hash=hash_password(password), email_confirmed_at=utcnow()))
    request_ids = list(session.exec(select(Request.id).where(Request.organisation_id == org.id)
                                    .order_by(Request.id).limit(n_matches)))
    volunteer_ids = list(session.exec(select(Volunteer.id).where(Volunteer.organisation_id == org.id)
                                      .order_by(Volunteer.id).limit(n_matches)))
    reasons = [r for r in CLOSURE_REASONS if r != "intro_declined"]
    rows = []
    for request_id, volunteer_id in zip(request_ids, volunteer_ids, strict=False):
        start = today - timedelta(days=rng.randint(5, 3 * 365))
        closed = rng.random() < 0.45 and (today - start).days > 30
        closed_on = start + timedelta(days=rng.randint(20, (today - start).days)) if closed else None
        rows.append(dict(
            organisation_id=org.id, program_id=program.id, request_id=request_id, volunteer_id=volunteer_id,
            status="closed" if closed else rng.choice(("active", "active", "active", "paused")),
            created_at=datetime.combine(start - timedelta(days=7), time(10), tzinfo=UTC), intro_note="",
            intro_on=start, started_on=start, closed_on=closed_on,
            closure_reason=rng.choice(reasons) if closed else None, closure_note="", exit_conversation="",
            next_step="", outcome={"education_or_work": rng.choice(("yes", "no", "unknown"))} if closed else {},
            version=1,
        ))
    for i in range(0, len(rows), 2000):
        session.execute(insert(Match), rows[i:i + 2000])
    session.execute(update(Request).where(Request.id.in_(request_ids)).values(status="matched", pool_since=None))
    matches = list(session.exec(select(Match.id, Match.volunteer_id, Match.started_on, Match.closed_on)
                                .where(Match.organisation_id == org.id)))
    logs, checkins = [], []
    for match_id, volunteer_id, started, closed_on in matches:
        end = closed_on or today
        for _ in range(3):
            met = started + timedelta(days=rng.randint(0, max(0, (end - started).days)))
            logs.append(dict(match_id=match_id, volunteer_id=volunteer_id, met_on=met, minutes=90, activities=["talk"],
                             note="", rating=rng.randint(2, 5), needs_contact=rng.random() < 0.02,
                             created_at=utcnow()))
        for days in (14, 30, 60, 90):
            due = started + timedelta(days=days)
            done = due + timedelta(days=rng.randint(0, 20)) if due < end and rng.random() < 0.85 else None
            checkins.append(dict(match_id=match_id, kind="scheduled", due_on=due, done_on=done, contacted=[],
                                 concerns="", agreements="", next_step="", outcome={}))
    for i in range(0, len(logs), 5000):
        session.execute(insert(MeetingLog), logs[i:i + 5000])
    for i in range(0, len(checkins), 5000):
        session.execute(insert(CheckIn), checkins[i:i + 5000])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # Autovacuum would do this within a minute in production; a benchmark should not time bad plans.
        with session.get_bind().connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return {"matches": len(rows), "meeting_logs": len(logs), "checkins": len(checkins)}
