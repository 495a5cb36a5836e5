"""The organisation a load test runs against: years of history and logins for every role.

The size follows the outside load test in issue #16: 13,000 volunteers, 13,000 requests, 10,000
matches with 30,000 meetings and 40,000 check-ins, in one organisation. Bulk inserts bypass the
domain operations, so the derived at-risk state is built afterwards, as the periodic job would.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.clock import utcnow
from models.matches import OPEN_MATCH_STATUSES, Match
from models.organisations import Organisation
from models.users import User, hash_password
from models.volunteers import Volunteer
from seed.benchmark_history import add_match_history
from seed.demo import build_demo

PASSWORD = "makker-bench"
MARKER = "Load test"  # the organisation's name starts with this: found again on the next run


@dataclass
class LoadPlan:
    """What the simulated users need: whom to sign in as, and which match pages to open."""

    organisation_id: int
    slug: str
    password: str
    admins: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    volunteers: list[dict] = field(default_factory=list)  # {"email": ..., "match_id": ...}
    match_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def find_load_plan(engine: Engine, matches: int, volunteers: int, requests: int) -> LoadPlan | None:
    """The plan of an organisation built before with these sizes, if the database has one."""
    name = f"{MARKER} {matches} / {volunteers} x {requests}"
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == name)).first()
        return _plan(session, org) if org is not None else None


def build_load_data(engine: Engine, today: date, *, matches: int = 10000, volunteers: int = 13000,
                    requests: int = 13000, logins: int = 40, seed: int = 16) -> LoadPlan:
    """Build the organisation (a few minutes for the full size) and return its plan."""
    summary = build_demo(engine, seed=seed, volunteers=volunteers, requests=requests, password=PASSWORD)
    slug = summary.organisation.split("organisation slug ", 1)[1].split(",", 1)[0]
    with Session(engine) as session:
        counts = add_match_history(session, slug, matches, today, password=PASSWORD)
        org = session.exec(select(Organisation).where(Organisation.slug == slug)).one()
        org.name = f"{MARKER} {matches} / {volunteers} x {requests}"
        session.add(org)
        password_hash = hash_password(PASSWORD)  # one hash: the same password for every login
        staff = [dict(organisation_id=org.id, email=f"{role}{i}@{slug}.example.org", name=f"{title} {i}", role=role,
                      password_hash=password_hash, email_confirmed_at=utcnow())
                 for role, title in (("admin", "Administrator"), ("coordinator", "Koordinator"))
                 for i in range(1, logins + 1)]
        session.execute(insert(User), staff)
        # Volunteers with an ongoing match get an account to log meetings with.
        with_match = list(session.exec(
            select(Match.volunteer_id).where(Match.organisation_id == org.id, Match.status.in_(("active", "paused")))
            .group_by(Match.volunteer_id).order_by(Match.volunteer_id).limit(logins)))
        for volunteer in session.exec(select(Volunteer).where(Volunteer.id.in_(with_match))):
            user = User(organisation_id=org.id, email=volunteer.email, name=volunteer.name, role="volunteer",
                        password_hash=password_hash, email_confirmed_at=utcnow())
            session.add(user)
            session.flush()
            session.execute(update(Volunteer).where(Volunteer.id == volunteer.id).values(user_id=user.id))
        session.commit()
        _refresh_derived_state(session, today, org.id)
        plan = _plan(session, org)
    plan.counts = {**summary.counts, **counts}
    return plan


def _refresh_derived_state(session: Session, today: date, organisation_id: int) -> None:
    """What the periodic job does after an import; absent on code that keeps no derived state."""
    try:
        from models.risk_state import refresh_risk
    except ImportError:  # pragma: no cover - only when run against older code
        return
    refresh_risk(session, today, organisation_id)
    session.commit()


def _plan(session: Session, org: Organisation) -> LoadPlan:
    def emails(role: str) -> list[str]:
        return list(session.exec(select(User.email).where(User.organisation_id == org.id, User.role == role)
                                 .order_by(User.id)))

    volunteers = [{"email": email, "match_id": match_id} for email, match_id in session.exec(
        select(User.email, Match.id).join(Volunteer, Volunteer.user_id == User.id)
        .join(Match, Match.volunteer_id == Volunteer.id)
        .where(User.organisation_id == org.id, Match.status.in_(("active", "paused"))).order_by(User.id))]
    match_ids = list(session.exec(select(Match.id).where(Match.organisation_id == org.id,
                                                         Match.status.in_(OPEN_MATCH_STATUSES))
                                  .order_by(Match.id).limit(2000)))
    counts = {"matches": int(session.exec(select(func.count()).select_from(Match)
                                          .where(Match.organisation_id == org.id)).one())}
    return LoadPlan(organisation_id=org.id, slug=org.slug, password=PASSWORD, admins=emails("admin"),
                    coordinators=emails("coordinator"), volunteers=volunteers, match_ids=match_ids, counts=counts)
