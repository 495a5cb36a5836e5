"""Small builders for a world of records: used by the demo and by the tests' fixtures.

Each takes a session and the fields that matter for the case at hand; everything else gets a
plain, valid default. They add and flush, and leave committing to the caller.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlmodel import Session

from matching.profiles import ALL_SLOTS
from models.clock import today as danish_today
from models.clock import utcnow
from models.consent import ConsentRecord
from models.matches import Match, MatchEvent
from models.members.tables import Membership
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import SCREENING_STEPS, Organisation, Program
from models.risk_state import refresh_match_risk
from models.users import User, hash_password
from models.volunteers import ScreeningStep, Volunteer

_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _n() -> int:
    return next(_counter)


def _hashed(password: str) -> str:
    # Argon2 is slow on purpose; worlds with many users reuse one hash per password.
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def _save(session: Session, record):  # noqa: ANN001, ANN202
    session.add(record)
    session.flush()
    return record


def make_organisation(session: Session, name: str | None = None, slug: str | None = None) -> Organisation:
    n = _n()
    return _save(session, Organisation(name=name or f"Forening {n}", slug=slug or f"forening-{n}"))


def make_program(session: Session, organisation: Organisation, **fields: object) -> Program:
    n = _n()
    values: dict[str, object] = {
        "name": f"Mentorprogram {n}",
        "slug": f"program-{n}",
        "serves": "youth",
        "min_age": 13,
        "max_age": 18,
        "max_distance_km": 30.0,
    }
    values.update(fields)
    return _save(session, Program(organisation_id=organisation.id, **values))


def make_user(
    session: Session,
    organisation: Organisation,
    role: str,
    email: str | None = None,
    password: str = "correct horse battery",
    name: str | None = None,
    **fields: object,
) -> User:
    n = _n()
    user = User(
        organisation_id=organisation.id,
        email=(email or f"{role}{n}@example.org").lower(),
        name=name or f"{role.title()} {n}",
        role=role,
        password_hash=_hashed(password),
        email_confirmed_at=utcnow(),
        **fields,
    )
    return _save(session, user)


def make_volunteer(
    session: Session,
    program: Program,
    user: User | None = None,
    status: str = "approved",
    today: date | None = None,
    **fields: object,
) -> Volunteer:
    today = today or danish_today()
    n = _n()
    values: dict[str, object] = {
        "first_name": f"Frivillig{n}",
        "last_name": "Jensen",
        "email": user.email if user else f"frivillig{n}@example.org",
        "birth_year": today.year - 35,
        "gender": "female",
        "postcode": "4000",
        "languages": {"da": 3},
        "interests": ["fodbold"],
        "availability": ALL_SLOTS,
        "supports": "either",
        "age_min": 13,
        "age_max": 18,
        "capacity": 1,
        "experience": 1,
    }
    values.update(fields)
    volunteer = Volunteer(
        organisation_id=program.organisation_id,
        program_id=program.id,
        user_id=user.id if user else None,
        status=status,
        **values,
    )
    if status == "approved":
        volunteer.approved_at = volunteer.approved_at or utcnow()
        volunteer.pool_since = volunteer.pool_since or today - timedelta(days=30)
    _save(session, volunteer)
    if status == "approved":
        for step in program.required_steps:
            _save(session, ScreeningStep(volunteer_id=volunteer.id, step=step, status="approved", step_date=today))
    elif status == "screening":
        for i, step in enumerate(program.required_steps or SCREENING_STEPS):
            _save(session, ScreeningStep(volunteer_id=volunteer.id, step=step, status="approved" if i == 0 else "pending"))
    return volunteer


def join_programme(session: Session, volunteer: Volunteer, program: Program, status: str = "active",
                   capacity: int = 1, own_steps: dict[str, str] | None = None) -> Membership:
    """The volunteer's place in a further programme of their organisation (issue 15)."""
    return _save(session, Membership(organisation_id=volunteer.organisation_id, volunteer_id=volunteer.id,
                                     program_id=program.id, status=status, capacity=capacity,
                                     own_steps=own_steps or {}))


def make_youth(session: Session, organisation: Organisation, today: date | None = None, **fields: object) -> Youth:
    today = today or danish_today()
    n = _n()
    values: dict[str, object] = {
        "first_name": f"Ung{n}",
        "last_name": "Hansen",
        "birth_year": today.year - 15,
        "gender": "male",
        "postcode": "4000",
        "languages": {"da": 3},
        "interests": ["fodbold"],
        "availability": ALL_SLOTS,
        "guardian_name": "Forælder Hansen",
    }
    values.update(fields)
    youth = _save(session, Youth(organisation_id=organisation.id, **values))
    _save(
        session,
        ConsentRecord(
            organisation_id=organisation.id,
            subject_type="youth",
            subject_id=youth.id,
            given_by=str(values["guardian_name"]),
            relation="guardian",
            purpose="mentoring",
            text_version="2026-1",
            text="Samtykke til behandling af oplysninger i mentorordningen.",
            given_on=today - timedelta(days=30),
        ),
    )
    return youth


def make_household(
    session: Session,
    organisation: Organisation,
    members: list[tuple[str, str, int]] | None = None,
    **fields: object,
) -> Household:
    values: dict[str, object] = {
        "family_name": f"Familien {_n()}",
        "postcode": "4000",
        "languages": {"ar": 3, "da": 1},
        "interests": ["lektiehjaelp"],
        "availability": ALL_SLOTS,
    }
    values.update(fields)
    household = _save(session, Household(organisation_id=organisation.id, **values))
    for first_name, role, birth_year in members or [("Forælder", "parent", 1985), ("Barn", "child", 2015)]:
        _save(session, HouseholdMember(household_id=household.id, first_name=first_name, role=role, birth_year=birth_year))
    return household


def make_request(
    session: Session,
    program: Program,
    youth: Youth | None = None,
    household: Household | None = None,
    today: date | None = None,
    **fields: object,
) -> Request:
    today = today or danish_today()
    if youth is None and household is None:
        raise ValueError("a request is for a youth or a household")
    values: dict[str, object] = {"need": "En voksenven", "referred_on": today - timedelta(days=20)}
    values.update(fields)
    request = Request(
        organisation_id=program.organisation_id,
        program_id=program.id,
        youth_id=youth.id if youth else None,
        household_id=household.id if household else None,
        **values,
    )
    request.pool_since = request.pool_since or request.referred_on
    return _save(session, request)


def make_match(
    session: Session,
    request: Request,
    volunteer: Volunteer,
    status: str = "active",
    started_on: date | None = None,
    **fields: object,
) -> Match:
    started_on = started_on or danish_today() - timedelta(days=60)
    match = _save(
        session,
        Match(
            organisation_id=request.organisation_id,
            program_id=request.program_id,
            request_id=request.id,
            volunteer_id=volunteer.id,
            status=status,
            started_on=started_on if status != "introduced" else None,
            **fields,
        ),
    )
    _save(session, MatchEvent(match_id=match.id, to_status=status, on=started_on))
    if status != "closed":
        request.status = "matched"
        request.pool_since = None
        session.add(request)
    # Tests that add meetings or check-ins by hand afterwards call refresh_match_risk themselves.
    refresh_match_risk(session, danish_today(), [match.id])
    return match


# --- safeguard (issue 15) ---
def sign_papers(session: Session, volunteer: Volunteer, today: date | None = None) -> None:
    """The volunteer has signed the current tavshedserklæring and frivilligaftale (as in the portal)."""
    from models.safeguard.queries import current_text
    from models.safeguard.tables import TEXT_KINDS, Signature

    today = today or danish_today()
    for kind in TEXT_KINDS:
        text = current_text(session, volunteer.organisation_id, kind)
        if text.id is None:
            text = _save(session, text)
        _save(session, Signature(organisation_id=volunteer.organisation_id, volunteer_id=volunteer.id,
                                 text_id=text.id, kind=kind, version=text.version, signed_name=volunteer.name,
                                 signed_on=today))


# --- events (issue 15) ---

def make_event(session: Session, programs: list[Program], kind: str = "network_meeting", days_ahead: int = 7,
               hour: int = 18, hours: int = 2, capacity: int | None = None, audience: str = "waiting",
               **fields: object):  # noqa: ANN201 - models.events.tables.Event
    """An event ``days_ahead`` days from today (negative: in the past) at ``hour`` Danish time."""
    from datetime import datetime

    from models.events.calendar import danish_time
    from models.events.tables import Event, EventProgram

    day = danish_today() + timedelta(days=days_ahead)
    starts = danish_time(datetime(day.year, day.month, day.day, hour))
    n = _n()
    values: dict[str, object] = {"title": f"Netværksmøde {n}", "place": "Frivilligcentret, Roskilde"}
    values.update(fields)
    event = _save(session, Event(organisation_id=programs[0].organisation_id, kind=kind, starts_at=starts,
                                 ends_at=starts + timedelta(hours=hours), capacity=capacity, audience=audience,
                                 **values))
    for program in programs:
        _save(session, EventProgram(event_id=event.id, program_id=program.id))
    return event


def make_signup(session: Session, event, volunteer: Volunteer, status: str = "signed_up",  # noqa: ANN001
                attended: bool = False, minutes: int = 0):  # noqa: ANN201 - models.events.tables.EventSignup
    from models.events.tables import EventSignup

    return _save(session, EventSignup(event_id=event.id, volunteer_id=volunteer.id, status=status,
                                      attended=attended, minutes=minutes))


def make_calendar_feed(session: Session, volunteer: Volunteer) -> str:
    """A calendar address for the volunteer (the previous one stops); returns its secret token."""
    import secrets

    from sqlmodel import select

    from models.events.operations import feed_hash
    from models.events.tables import CalendarFeed

    for old in session.exec(select(CalendarFeed).where(CalendarFeed.volunteer_id == volunteer.id,
                                                       CalendarFeed.revoked_at.is_(None))):
        old.revoked_at = utcnow()
        session.add(old)
    session.flush()
    token = secrets.token_urlsafe(32)
    _save(session, CalendarFeed(volunteer_id=volunteer.id, token_hash=feed_hash(token)))
    return token
# --- referrals (issue 13) ---------------------------------------------------------------------

def make_unit(session: Session, organisation: Organisation, programs: list[Program] | None = None,
              **fields: object):  # noqa: ANN201
    """A referring unit that may refer to ``programs``."""
    from models.referrals.tables import ReferralChannel, ReferringUnit

    values: dict[str, object] = {"name": f"Kommune {_n()}, Børn og Unge", "kind": "children_families"}
    values.update(fields)
    unit = _save(session, ReferringUnit(organisation_id=organisation.id, **values))
    for program in programs or []:
        _save(session, ReferralChannel(unit_id=unit.id, program_id=program.id))
    return unit


def make_referrer(session: Session, unit, email: str | None = None, password: str = "correct horse battery",  # noqa: ANN001
                  **fields: object) -> User:
    """A caseworker of ``unit`` (role referrer) who can sign in."""
    organisation = session.get(Organisation, unit.organisation_id)
    return make_user(session, organisation, "referrer", email=email, password=password, referring_unit_id=unit.id,
                     **fields)


def make_referral(session: Session, referrer: User, program: Program, kind: str = "youth",
                  today: date | None = None, **fields: object):  # noqa: ANN201
    """A referral as sent (status "received" unless told), with a custody holder's consent."""
    from models.referrals.tables import Referral

    today = today or danish_today()
    values: dict[str, object] = {"postcode": "4000", "reason": "Har brug for en voksen at tale med.",
                                 "submitted_on": today - timedelta(days=3), "status_consent": True,
                                 "custody": "sole"}
    if kind == "youth":
        values.update(first_name=f"Henvist{_n()}", last_name="Larsen", birth_year=today.year - 14, gender="male",
                      guardian_name="Forælder Larsen")
    else:
        values.update(family_name=f"Familien {_n()}", contact_name="Forælder",
                      members=[{"first_name": "Forælder", "role": "parent", "birth_year": today.year - 40,
                                "gender": ""},
                               {"first_name": "Barn", "role": "child", "birth_year": today.year - 9, "gender": ""}])
    values.update(fields)
    referral = _save(session, Referral(organisation_id=referrer.organisation_id, program_id=program.id,
                                       unit_id=referrer.referring_unit_id, referrer_id=referrer.id, kind=kind,
                                       **values))
    if referral.youth_id is None and referral.household_id is None:
        _save(session, ConsentRecord(organisation_id=referral.organisation_id, subject_type="referral",
                                     subject_id=referral.id, given_by=str(values.get("guardian_name") or "Forælder"),
                                     relation="guardian", purpose="referral+status", text_version="2026-henv-1",
                                     text="Samtykke til henvisningen.", given_on=today - timedelta(days=5)))
    return referral
