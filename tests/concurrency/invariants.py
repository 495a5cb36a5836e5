"""What must hold in the database after any mix of concurrent operations.

``broken_states`` reads the whole database and returns one line per broken rule; an empty list
is a consistent house. The rules are the ones docs/decisions/0008-concurrency.md promises.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func
from sqlmodel import Session, select

from models.matches import OPEN_MATCH_STATUSES, CheckIn, Exclusion, Match, MatchEvent
from models.matchruns import Proposal
from models.members.tables import Membership
from models.mentees import Request
from models.organisations import Organisation
from models.outbox import OutboxMessage
from models.users import User
from models.volunteers import ScreeningStep, Volunteer


def broken_states(session: Session) -> list[str]:
    session.rollback()  # read what is committed now, nothing cached
    session.expire_all()
    problems: list[str] = []
    matches = list(session.exec(select(Match)))
    open_matches = [m for m in matches if m.status in OPEN_MATCH_STATUSES]
    requests = {r.id: r for r in session.exec(select(Request))}
    volunteers = {v.id: v for v in session.exec(select(Volunteer))}
    proposals = {p.id: p for p in session.exec(select(Proposal))}
    excluded = {(e.request_id, e.volunteer_id) for e in session.exec(select(Exclusion))}

    per_request = Counter(m.request_id for m in open_matches)
    problems += [f"request {r} has {n} open matches" for r, n in per_request.items() if n > 1]
    per_volunteer = Counter(m.volunteer_id for m in open_matches)
    # Capacity is per programme (issue 15): open matches of a volunteer in P within their place in P.
    members = {(m.volunteer_id, m.program_id): m for m in session.exec(select(Membership))}
    per_place = Counter((m.volunteer_id, m.program_id) for m in open_matches)
    for (vid, pid), n in per_place.items():
        place = members.get((vid, pid))
        if place is None or place.status == "left":
            problems.append(f"volunteer {vid} has {n} open matches in programme {pid} they are not in")
        elif n > place.capacity:
            problems.append(f"volunteer {vid} has {n} open matches in programme {pid} for a capacity of {place.capacity}")
    free = Counter()
    for (vid, pid), place in members.items():
        if place.status == "active":
            free[vid] += max(0, place.capacity - per_place.get((vid, pid), 0))
    for volunteer in volunteers.values():
        full = free.get(volunteer.id, 0) == 0
        if volunteer.status == "approved" and full and volunteer.pool_since is not None:
            problems.append(f"volunteer {volunteer.id} is full but waits in the pool")
        if volunteer.anonymised_at is not None and per_volunteer.get(volunteer.id):
            problems.append(f"erased volunteer {volunteer.id} still has an open match")

    for match in open_matches:
        if (match.request_id, match.volunteer_id) in excluded:
            problems.append(f"open match {match.id} on an excluded pair")
        if requests[match.request_id].status != "matched":
            problems.append(f"open match {match.id} but its request is {requests[match.request_id].status}")
        if match.closed_on is not None or match.closure_reason is not None:
            problems.append(f"open match {match.id} carries closure fields")
        if match.proposal_id and proposals[match.proposal_id].status != "approved":
            problems.append(f"match {match.id} of proposal {match.proposal_id} that is {proposals[match.proposal_id].status}")
    for request in requests.values():
        if request.status == "matched" and not per_request.get(request.id):
            problems.append(f"request {request.id} is matched without an open match")
    for match in matches:
        if match.status == "closed" and match.closed_on is None:
            problems.append(f"closed match {match.id} has no closing date")

    approved_with_match = Counter(m.proposal_id for m in matches if m.proposal_id)
    for proposal in proposals.values():
        if proposal.status == "approved" and approved_with_match.get(proposal.id, 0) != 1:
            problems.append(f"approved proposal {proposal.id} has {approved_with_match.get(proposal.id, 0)} matches")

    events: dict[int, list[MatchEvent]] = defaultdict(list)
    for event in session.exec(select(MatchEvent).order_by(MatchEvent.id)):
        events[event.match_id].append(event)
    for match in matches:
        chain = events.get(match.id, [])
        if not chain or chain[0].from_status is not None:
            problems.append(f"match {match.id}: history does not begin at the start")
            continue
        for before, after in zip(chain, chain[1:], strict=False):
            if after.from_status != before.to_status:
                problems.append(f"match {match.id}: history broken ({before.to_status} then {after.from_status}"
                                f" -> {after.to_status})")
        if chain[-1].to_status != match.status:
            problems.append(f"match {match.id} is {match.status} but its history ends {chain[-1].to_status}")
        closures = sum(1 for e in chain if e.to_status == "closed")
        if closures > 1:
            problems.append(f"match {match.id} closed {closures} times")

    for match_id, kind, count in session.exec(
            select(CheckIn.match_id, CheckIn.kind, func.count()).where(CheckIn.done_on.is_(None))
            .group_by(CheckIn.match_id, CheckIn.kind)):
        match = next(m for m in matches if m.id == match_id)
        if match.status == "closed" and kind not in ("followup", "one_year"):
            problems.append(f"closed match {match_id} has {count} planned check-ins")
        if match.status == "closed" and kind == "one_year" and match.started_on is None:
            problems.append(f"closed match {match_id} that never started keeps its one-year measure")
        if kind in ("followup", "one_year") and count > 1:
            problems.append(f"match {match_id} has {count} open {kind} measures")

    for organisation in session.exec(select(Organisation)):
        staff = session.exec(select(func.count()).select_from(User).where(
            User.organisation_id == organisation.id, User.role.in_(("admin", "coordinator")))).one()
        admins = session.exec(select(func.count()).select_from(User).where(
            User.organisation_id == organisation.id, User.role == "admin", User.active)).one()
        if staff and not admins:
            problems.append(f"organisation {organisation.id} has no active administrator")

    steps = Counter((s.volunteer_id, s.step) for s in session.exec(select(ScreeningStep)))
    problems += [f"screening step {k} recorded {n} times" for k, n in steps.items() if n > 1]
    emails = Counter(u.email for u in session.exec(select(User)))
    problems += [f"{n} accounts for {e}" for e, n in emails.items() if n > 1]
    decisions = Counter((m.kind, m.to_email) for m in session.exec(select(OutboxMessage)) if m.kind in (
        "volunteer_approved", "volunteer_declined", "invite"))
    problems += [f"{n} '{k}' e-mails to {to}" for (k, to), n in decisions.items() if n > 1]
    for volunteer in volunteers.values():
        if volunteer.status == "approved" and volunteer.deletion_due_at is not None:
            problems.append(f"approved volunteer {volunteer.id} is due for deletion")
    problems += event_places_broken(session)
    session.rollback()
    return problems


def event_places_broken(session: Session) -> list[str]:
    """Events (issue 15): never more places taken than there are; nobody waits while a place is
    free; a volunteer appears once per event."""
    from models.events.tables import Event, EventSignup

    problems = []
    signups = list(session.exec(select(EventSignup)))
    per_event: dict[int, Counter] = defaultdict(Counter)
    for signup in signups:
        per_event[signup.event_id][signup.status] += 1
    for event in session.exec(select(Event)):
        taken, waiting = per_event[event.id]["signed_up"], per_event[event.id]["waiting"]
        if event.capacity is not None and taken > event.capacity:
            problems.append(f"event {event.id} has {taken} places taken of {event.capacity}")
        if waiting and event.cancelled_at is None and (event.capacity is None or taken < event.capacity):
            problems.append(f"event {event.id}: {waiting} wait while {taken} of {event.capacity} places are taken")
    twice = Counter((s.event_id, s.volunteer_id) for s in signups)
    problems += [f"volunteer {v} signed up {n} times for event {e}" for (e, v), n in twice.items() if n > 1]
    return problems
