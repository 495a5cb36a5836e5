"""The matching pool of one program, read from the tables as plain profiles.

This is the adapter between the database and the pure matching core: `matching.run` scores
what it returns, and approvals and manual matches check one pair with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from matching.geo import lookup_postcode
from matching.profiles import (
    CHILD_CERTIFICATE_BELOW_AGE,
    HEAVY_COMPLEXITY,
    ProgramRules,
    RequestProfile,
    VolunteerProfile,
)
from models.child_protection import certificate_holders, households_with_young_children
from models.imports.queries import unconfirmed_imported_volunteers
from models.lifecycle import open_match_count
from models.matches import OPEN_MATCH_STATUSES, Exclusion, Match
from models.members.queries import active_in, capacities, in_program
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Program
from models.safeguard.queries import expired_certificates
from models.volunteers import Volunteer

# A place we cannot locate is treated as very far away, so the distance rule removes it
# instead of matching it by accident.
NOWHERE = (0.0, 0.0)


def _coordinates(postcode: str) -> tuple[float, float]:
    place = lookup_postcode(postcode)
    return (place.lat, place.lon) if place else NOWHERE


def program_rules(program: Program) -> ProgramRules:
    """The program's settings as the matching core reads them."""
    return program.rules()


def heavy_case_count(session: Session, volunteer_id: int) -> int:
    """Open matches of the volunteer with a heavy case (they count against the program's cap)."""
    return int(session.exec(select(func.count()).select_from(Match).join(Request, Request.id == Match.request_id)
                            .where(Match.volunteer_id == volunteer_id, Match.status.in_(OPEN_MATCH_STATUSES),
                                   Request.complexity >= HEAVY_COMPLEXITY)).one())


def volunteer_profile(session: Session, volunteer: Volunteer, today: date, capacity: int | None = None,
                      heavy_cases: int | None = None, child_certificate: bool | None = None,
                      mentees: int | None = None, certificate_valid: bool | None = None,
                      program: Program | None = None) -> VolunteerProfile:
    """The volunteer as the matcher sees them in ``program`` (default: their first programme);
    the capacity is that programme's membership capacity minus open matches there."""
    from models.members.queries import capacity_in
    lat, lon = _coordinates(volunteer.postcode)
    if mentees is None:
        mentees = open_match_count(session, volunteer.id)
    if capacity is None:
        capacity = capacity_in(session, volunteer.id, program.id if program else volunteer.program_id)
    if heavy_cases is None:
        heavy_cases = heavy_case_count(session, volunteer.id)
    if child_certificate is None:
        child_certificate = volunteer.id in certificate_holders(session, [volunteer.id])
    if certificate_valid is None:
        program = program or session.get(Program, volunteer.program_id)
        certificate_valid = volunteer.id not in expired_certificates(session, program, [volunteer.id], today)
    paused = volunteer.paused_until is not None and volunteer.paused_until >= today
    return VolunteerProfile(
        id=volunteer.id,
        birth_year=volunteer.birth_year,
        gender=volunteer.gender,
        lat=lat,
        lon=lon,
        waiting_since=volunteer.pool_since or today,
        languages=dict(volunteer.languages or {}),
        interests=tuple(volunteer.interests or ()),
        interests_text=volunteer.interests_text or "",
        availability=volunteer.availability,
        capacity=0 if paused else capacity,
        experience=volunteer.experience,
        supports=volunteer.supports,
        age_min=volunteer.age_min,
        age_max=volunteer.age_max,
        mentee_gender_wish=volunteer.mentee_gender_wish,
        approved=volunteer.status == "approved" and volunteer.anonymised_at is None,
        postcode=volunteer.postcode,
        heavy_cases=heavy_cases,
        child_certificate=child_certificate,
        certificate_valid=certificate_valid,
        mentees=mentees,
    )


def request_profile(
    request: Request,
    today: date,
    youth: Youth | None = None,
    household: Household | None = None,
    members: list[HouseholdMember] | None = None,
    young_children: bool | None = None,
) -> RequestProfile:
    """``young_children``: the household has a member under 15 (else read from ``members``)."""
    mentee = youth if youth is not None else household
    if mentee is None:
        raise ValueError(f"request {request.id} has no youth or household loaded")
    lat, lon = _coordinates(mentee.postcode)
    age = today.year - youth.birth_year if youth is not None else None
    if young_children is None:
        young_children = any(today.year - m.birth_year < CHILD_CERTIFICATE_BELOW_AGE for m in members or [])
    return RequestProfile(
        id=request.id,
        kind=request.kind,
        lat=lat,
        lon=lon,
        waiting_since=request.pool_since or request.referred_on,
        age=age,
        gender=youth.gender if youth is not None else None,
        languages=dict(mentee.languages or {}),
        interests=tuple(mentee.interests or ()),
        interests_text=mentee.interests_text or "",
        availability=mentee.availability,
        complexity=request.complexity,
        mentor_gender_required=request.mentor_gender_required,
        mentor_gender_preferred=request.mentor_gender_preferred,
        no_trusted_adult=bool(getattr(youth, "no_trusted_adult", False)),
        sibling_group=request.sibling_group,
        postcode=mentee.postcode,
        children_under_15=household is not None and young_children,
    )


@dataclass
class Pool:
    """Everything one match run needs, as plain data."""

    program_id: int
    rules: ProgramRules
    requests: list[RequestProfile]
    volunteers: list[VolunteerProfile]
    exclusions: frozenset[tuple[int, int]]  # (request id, volunteer id) never to propose
    already_matched: frozenset[tuple[int, int]]  # pairs with a match, open or closed
    locked: list[tuple[int, int]] = field(default_factory=list)  # open matches kept fixed
    # volunteer id -> the day their børneattest ran out: in the pool, but no pair holds (the run says why)
    certificate_expired: dict[int, date] = field(default_factory=dict)


def load_pool(session: Session, program: Program, today: date) -> Pool:
    """The waiting requests and the available approved volunteers of one program."""
    requests = list(
        session.exec(
            select(Request).where(Request.program_id == program.id, Request.status == "waiting").order_by(Request.id)
        )
    )
    youth_ids = [r.youth_id for r in requests if r.youth_id is not None]
    household_ids = [r.household_id for r in requests if r.household_id is not None]
    youths = {y.id: y for y in session.exec(select(Youth).where(Youth.id.in_(youth_ids)))} if youth_ids else {}
    households = (
        {h.id: h for h in session.exec(select(Household).where(Household.id.in_(household_ids)))} if household_ids else {}
    )
    # Subqueries rather than id lists: a large pool would pass SQLite's limit of bound parameters.
    young_families = households_with_young_children(session, select(Request.household_id).where(
        Request.program_id == program.id, Request.status == "waiting", Request.household_id.is_not(None)), today) \
        if households else set()
    request_profiles = [
        request_profile(r, today, youth=youths.get(r.youth_id), household=households.get(r.household_id),
                        young_children=r.household_id in young_families)
        for r in requests
        if (r.youth_id in youths and youths[r.youth_id].anonymised_at is None)
        or (r.household_id in households and households[r.household_id].anonymised_at is None)
    ]

    volunteers = list(
        session.exec(
            select(Volunteer)
            .where(active_in(program.id), Volunteer.anonymised_at.is_(None))
            # Imported and not yet confirmed by themselves: never proposed (issue 17).
            .where(Volunteer.id.not_in(unconfirmed_imported_volunteers()))
            .order_by(Volunteer.id)
        )
    )
    # Open matches per volunteer in one query, not one per volunteer.
    open_rows = session.exec(
        select(Match.volunteer_id, Match.request_id, Request.complexity)
        .join(Request, Request.id == Match.request_id)
        .where(Match.program_id == program.id, Match.status.in_(OPEN_MATCH_STATUSES))
    ).all()
    open_count: dict[int, int] = {}
    heavy_count: dict[int, int] = {}
    for volunteer_id, _request_id, complexity in open_rows:
        open_count[volunteer_id] = open_count.get(volunteer_id, 0) + 1
        if complexity >= HEAVY_COMPLEXITY:
            heavy_count[volunteer_id] = heavy_count.get(volunteer_id, 0) + 1
    certified = certificate_holders(session, select(Volunteer.id).where(in_program(program.id)))
    expired = expired_certificates(session, program, select(Volunteer.id).where(active_in(program.id)), today)
    member_capacity = capacities(session, program.id)
    volunteer_profiles = []
    for v in volunteers:
        # Capacity per programme (issue 15): this programme's membership, this programme's matches.
        capacity = max(0, member_capacity.get(v.id, 0) - open_count.get(v.id, 0))
        profile = volunteer_profile(session, v, today, capacity=capacity, heavy_cases=heavy_count.get(v.id, 0),
                                    child_certificate=v.id in certified, mentees=open_count.get(v.id, 0),
                                    certificate_valid=v.id not in expired)
        if profile.capacity > 0:
            volunteer_profiles.append(profile)

    exclusions = frozenset(
        (e.request_id, e.volunteer_id)
        for e in session.exec(select(Exclusion).where(Exclusion.organisation_id == program.organisation_id))
    )
    matched = frozenset(
        (request_id, volunteer_id)
        for request_id, volunteer_id in session.exec(
            select(Match.request_id, Match.volunteer_id).where(Match.program_id == program.id)
        ).all()
    )
    return Pool(
        program_id=program.id,
        rules=program_rules(program),
        requests=request_profiles,
        volunteers=volunteer_profiles,
        exclusions=exclusions,
        already_matched=matched,
        locked=[(r, v) for v, r, _complexity in open_rows],
        certificate_expired={p.id: expired[p.id] for p in volunteer_profiles if p.id in expired},
    )


def pair_profiles(
    session: Session, request: Request, volunteer: Volunteer, today: date
) -> tuple[RequestProfile, VolunteerProfile]:
    """The two profiles of one pair, for checking a manual match or an approval."""
    youth = session.get(Youth, request.youth_id) if request.youth_id else None
    household = session.get(Household, request.household_id) if request.household_id else None
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id))) \
        if household is not None else []
    return (request_profile(request, today, youth=youth, household=household, members=members),
            volunteer_profile(session, volunteer, today, program=session.get(Program, request.program_id)))
