"""Existing pairs from a sheet: volunteer + youth or family + start date -> a running match.

The volunteer is found by e-mail (or name + birth year), the youth or family member by name +
birth year + postcode (or the request id of a Makker export), among everyone already in Makker
(an earlier import of the same file set included). Each pair keeps every hard rule a manual
match keeps (``proposals.check_pair``: screening, programme membership, capacity, required
gender, exclusions, distance, heaviness against experience); a pair that breaks one is an error
row that names the rule. The job re-checks every pair on locked rows right before it writes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, or_
from sqlmodel import Session, select

from models.errors import N_, DomainError
from models.imports.values import fold, parse_int
from models.lifecycle import (
    capacity_left,
    schedule_checkins,
    take_request_from_pool,
    update_volunteer_pool_state,
)
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Match, MatchEvent, MeetingLog
from models.members.tables import Membership
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Program
from models.proposals import check_pair
from models.risk_state import MatchRiskState, refresh_match_risk
from models.users import normalise_email
from models.volunteers import Volunteer
from models.writes import lock_all

# Rules an ended pair does not need: it takes no place and no heavy case any more.
_ENDED_IGNORES = ("capacity", "heavy_cases", "already_matched")
BREAKS = N_("The pair breaks a rule: %(rule)s.")


def _volunteers(session: Session, org: int, rows: list) -> tuple[dict, dict]:
    emails = sorted({r["email"] for r in rows if r["email"]})
    years = sorted({r["volunteer_year"] for r in rows if r["volunteer_year"]})
    by_email: dict[str, Volunteer] = {}
    by_name: dict[tuple, list[Volunteer]] = {}
    if emails:
        for v in session.exec(select(Volunteer).where(Volunteer.organisation_id == org, Volunteer.email.in_(emails),
                                                      Volunteer.anonymised_at.is_(None))):
            by_email[v.email] = v
    if years:
        for v in session.exec(select(Volunteer).where(Volunteer.organisation_id == org,
                                                      Volunteer.birth_year.in_(years),
                                                      Volunteer.anonymised_at.is_(None))):
            by_name.setdefault((fold(f"{v.first_name} {v.last_name}"), v.birth_year), []).append(v)
    return by_email, by_name


def _mentees(session: Session, org: int, program_id: int, rows: list) -> tuple[dict, dict, dict]:
    """People by (name, birth year, postcode) -> [(kind, id)], requests of this programme per
    mentee, and requests by id."""
    postcodes = sorted({r["postcode"] for r in rows if r["postcode"]})
    people: dict[tuple, list[tuple[str, int]]] = {}
    if postcodes:
        for y in session.exec(select(Youth).where(Youth.organisation_id == org, Youth.postcode.in_(postcodes),
                                                  Youth.anonymised_at.is_(None))):
            people.setdefault((fold(y.name), y.birth_year, y.postcode), []).append(("youth", y.id))
        for m, h in session.exec(select(HouseholdMember, Household).join(
                Household, Household.id == HouseholdMember.household_id).where(
                Household.organisation_id == org, Household.postcode.in_(postcodes),
                Household.anonymised_at.is_(None))):
            for name in {fold(m.first_name), fold(f"{m.first_name} {h.family_name}")}:
                if ("household", h.id) not in people.get((name, m.birth_year, h.postcode), []):
                    people.setdefault((name, m.birth_year, h.postcode), []).append(("household", h.id))
    ids = sorted({r["request_id"] for r in rows if r["request_id"]})
    by_id = {r.id: r for r in session.exec(select(Request).where(Request.organisation_id == org,
                                                                 Request.id.in_(ids)))} if ids else {}
    youth_ids = sorted({i for found in people.values() for k, i in found if k == "youth"})
    household_ids = sorted({i for found in people.values() for k, i in found if k == "household"})
    requests: dict[tuple[str, int], list[Request]] = {}
    if youth_ids or household_ids:
        for r in session.exec(select(Request).where(Request.program_id == program_id, or_(
                Request.youth_id.in_(youth_ids), Request.household_id.in_(household_ids))).order_by(Request.id)):
            requests.setdefault(("youth", r.youth_id) if r.youth_id else ("household", r.household_id), []).append(r)
    return people, requests, by_id


def _parsed(row: object, today: date) -> dict:
    email = row.text("volunteer_email", 254)
    if email:
        try:
            email = normalise_email(validate_email(email, check_deliverability=False).normalized)
        except EmailNotValidError:
            row.error("volunteer_email", N_("Write a valid e-mail address, e.g. navn@example.dk."))
            email = ""
    years = {}
    for key in ("volunteer_birth_year", "mentee_birth_year"):
        text = row.cells.get(key, "").strip()
        years[key] = parse_int(text) if text else None
        if text and (years[key] is None or not 1900 <= years[key] <= 2100):
            row.error(key, N_("Write the year as four digits, e.g. 1985."))
            years[key] = None
    request_id = None
    if row.cells.get("request_id", "").strip():
        request_id = parse_int(row.cells["request_id"])
        if request_id is None:
            row.error("request_id", N_("Write the id as a number, as in the export."))
    started = row.date("started_on")
    if started is None and not row.cells.get("started_on", "").strip():
        row.error("started_on", N_("This field is required."))
    elif started is not None and started > today:
        row.error("started_on", N_("The start date cannot be in the future."))
    ended = row.date("ended_on")
    status = row.code("status") if row.cells.get("status", "").strip() else None
    if ended is not None:
        if ended > today:
            row.error("ended_on", N_("The end date cannot be in the future."))
        elif started is not None and ended < started:
            row.error("ended_on", N_("The end date is before the start date."))
        status = "closed"
    elif status == "closed":
        row.error("ended_on", N_("An ended pair needs its end date."))
    return {"email": email, "volunteer_name": row.text("volunteer_name", 200),
            "volunteer_year": years["volunteer_birth_year"], "mentee_name": row.text("mentee_name", 200),
            "mentee_year": years["mentee_birth_year"], "postcode": row.text("mentee_postcode", 4),
            "request_id": request_id, "started_on": started.isoformat() if started else None,
            "ended_on": ended.isoformat() if ended else None, "status": status or "active",
            "meeting_rhythm": row.code("meeting_rhythm") if row.cells.get("meeting_rhythm", "").strip() else None}


def check_rows(session: Session, batch: object, program: Program, today: date) -> list:
    """Every pair found and checked against the hard rules, as a manual match checks them."""
    from models.imports.operations import RowCheck, _Row

    rows = [_Row(batch, raw) for raw in batch.rows]
    parsed = [_parsed(row, today) for row in rows]
    by_email, by_name = _volunteers(session, batch.organisation_id, parsed)
    people, requests, by_id = _mentees(session, batch.organisation_id, program.id, parsed)
    checks = []
    taken: dict[int, int] = {}
    places: Counter[int] = Counter()
    for number, (row, data) in enumerate(zip(rows, parsed, strict=True), start=2):
        volunteer = _find_volunteer(row, data, by_email, by_name)
        request = _find_request(row, data, program, people, requests, by_id)
        out = {**data, "volunteer_id": volunteer.id if volunteer else None, "request_id": request.id if request else None}
        if volunteer and request and not row.errors:
            if request.id in taken:
                row.error("mentee_name", N_("Row %(row)s pairs the same youth or family already."), row=taken[request.id])
            else:
                taken[request.id] = number
                for message in pair_rules(session, request, volunteer, today, data["status"], places):
                    row.error("volunteer_email" if "volunteer_email" in row.cells else "volunteer_name", BREAKS,
                              rule=message)
        name = f"{data['volunteer_name'] or (volunteer.first_name if volunteer else data['email'])} + " \
               f"{data['mentee_name'] or (request.need if request else '')}"
        checks.append(RowCheck(number, name.strip(" +"), row.errors, None, out))
    return checks


def pair_rules(session: Session, request: Request, volunteer: Volunteer, today: date, status: str,
               places: Counter[int]) -> list[str]:
    """The hard rules the pair breaks (msgids), counting the places earlier rows of the file take."""
    ended = status == "closed"
    if not ended and request.status != "waiting":
        return [N_("the youth or family already has a running match in this programme")]
    check = check_pair(session, request, volunteer, today, ignore=_ENDED_IGNORES if ended else ("capacity",))
    failures = [message for _rule, message in check.hard_failures]
    if not ended:
        if volunteer.status == "approved" and capacity_left(session, volunteer, request.program_id) - \
                places[volunteer.id] <= 0:
            failures.append(N_("the volunteer has no free places"))
        if not failures:  # a refused row takes no place
            places[volunteer.id] += 1
    return failures


def _find_volunteer(row: object, data: dict, by_email: dict, by_name: dict) -> Volunteer | None:
    if data["email"]:
        if data["email"] in by_email:
            return by_email[data["email"]]
        row.error("volunteer_email", N_("No volunteer in Makker has this e-mail. Import the volunteers first, or "
                                        "check the address."))
        return None
    if not data["volunteer_name"] or not data["volunteer_year"]:
        row.error("volunteer_email" if "volunteer_email" in row.cells else "volunteer_name",
                  N_("Give the volunteer's e-mail, or their name and birth year."))
        return None
    found = by_name.get((fold(data["volunteer_name"]), data["volunteer_year"]), [])
    if len(found) != 1:
        row.error("volunteer_name", N_("No volunteer in Makker has this name and birth year.") if not found else
                  N_("More than one volunteer has this name and birth year: give the e-mail instead."))
        return None
    return found[0]


def _find_request(row: object, data: dict, program: Program, people: dict, requests: dict,
                  by_id: dict) -> Request | None:
    if data["request_id"] is not None:
        request = by_id.get(data["request_id"])
        if request is None or request.program_id != program.id:
            row.error("request_id", N_("No request with this id in %(program)s."), program=program.name)
            return None
        return request
    if not (data["mentee_name"] and data["mentee_year"] and data["postcode"]):
        row.error("mentee_name" if "mentee_name" in row.cells else "request_id",
                  N_("Give the youth's or family member's name, birth year and postcode (or the request id)."))
        return None
    found = people.get((fold(data["mentee_name"]), data["mentee_year"], data["postcode"]), [])
    if len(found) != 1:
        row.error("mentee_name", N_("No youth or family member in Makker has this name, birth year and postcode.")
                  if not found else N_("More than one person has this name, birth year and postcode: give the "
                                       "request id instead."))
        return None
    candidates = requests.get(found[0], [])
    waiting = [r for r in candidates if r.status == "waiting"]
    if data["status"] != "closed":
        candidates = waiting or candidates
    if not candidates:
        row.error("mentee_name", N_("%(name)s has no request in %(program)s."), name=data["mentee_name"],
                  program=program.name)
        return None
    return candidates[0]


# --- writing --------------------------------------------------------------------------------

def write(session: Session, batch: object, program: Program, rows: list, today: date) -> list[dict]:
    """Every pair as a running (or ended) match with its history from the start date, all
    re-checked on the locked volunteers, memberships and requests; one broken rule stops all."""
    volunteer_ids = sorted({r.data["volunteer_id"] for r in rows})
    request_ids = sorted({r.data["request_id"] for r in rows})
    volunteers = {v.id: v for v in lock_all(session, Volunteer, volunteer_ids)}
    lock_all(session, Membership, list(session.exec(select(Membership.id).where(
        Membership.volunteer_id.in_(volunteer_ids), Membership.program_id == program.id))))
    requests = {r.id: r for r in lock_all(session, Request, request_ids)}
    imported = []
    match_ids = []
    for row in rows:
        data = row.data
        volunteer, request = volunteers[data["volunteer_id"]], requests[data["request_id"]]
        failures = pair_rules(session, request, volunteer, today, data["status"], Counter())
        if failures:
            raise DomainError(N_("Row %(row)s: the pair breaks a rule: %(rule)s. Nothing was imported."),
                              row=row.number, rule=failures[0])
        before = {"request_id": request.id, "request_status": request.status, "request_pool_since": _iso(request.pool_since),
                  "volunteer_id": volunteer.id, "volunteer_pool_since": _iso(volunteer.pool_since)}
        match = _match(session, batch, program, request, volunteer, data, today)
        match_ids.append(match.id)
        before["request_version"] = request.version
        imported.append({"record_type": "Match", "record_id": match.id, "version": match.version, "before": before})
    refresh_match_risk(session, today, match_ids)
    return imported


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _match(session: Session, batch: object, program: Program, request: Request, volunteer: Volunteer, data: dict,
           today: date) -> Match:
    start = date.fromisoformat(data["started_on"])
    match = Match(organisation_id=batch.organisation_id, program_id=program.id, request_id=request.id,
                  volunteer_id=volunteer.id, coordinator_id=batch.created_by_id, status="active", started_on=start,
                  meeting_rhythm=data["meeting_rhythm"], intro_note="", version=2)
    session.add(match)
    session.flush()
    # The history starts where the pair started, outside Makker: introduced and active that day.
    session.add(MatchEvent(match_id=match.id, to_status="introduced", on=start, by_id=batch.created_by_id,
                           from_version=0, reason="imported"))
    session.add(MatchEvent(match_id=match.id, from_status="introduced", to_status="active", on=start,
                           by_id=batch.created_by_id, from_version=1, reason="imported"))
    if data["status"] in ("paused", "closed"):
        on = date.fromisoformat(data["ended_on"]) if data["status"] == "closed" else today
        session.add(MatchEvent(match_id=match.id, from_status="active", to_status=data["status"], on=on,
                               by_id=batch.created_by_id, from_version=2, reason="imported"))
        match.status, match.version = data["status"], 3
        if data["status"] == "closed":
            match.closed_on, match.closure_reason = on, "other"
    session.add(match)
    if match.status in OPEN_MATCH_STATUSES:
        take_request_from_pool(session, request)
        session.flush()
        update_volunteer_pool_state(session, volunteer, today)
        # The plan's check-ins from today on: the ones before are history nobody can hold now.
        for checkin in schedule_checkins(session, match, program, start):
            if checkin.due_on < today:
                session.expunge(checkin)
    session.flush()
    return match


# --- undo -----------------------------------------------------------------------------------

def undo_blockers(session: Session, records: list) -> list[str]:
    """What has happened to imported pairs since (a meeting, a check-in, a status change)."""
    matches = {r.record_id: r for r in records if r.record_type == "Match"}
    if not matches:
        return []
    reasons = []
    ids = sorted(matches)
    for match in session.exec(select(Match).where(Match.id.in_(ids))):
        if match.version != matches[match.id].version:
            reasons.append(N_("An imported pair has been changed since."))
            break
    if session.exec(select(MeetingLog.id).where(MeetingLog.match_id.in_(ids)).limit(1)).first() or \
            session.exec(select(CheckIn.id).where(CheckIn.match_id.in_(ids), CheckIn.done_on.is_not(None))
                         .limit(1)).first():
        reasons.append(N_("An imported pair has logged a meeting or a check-in since."))
    recorded = {r.before.get("request_id"): r.before.get("request_version") for r in matches.values()}
    for request in session.exec(select(Request).where(Request.id.in_(sorted(recorded)))):
        if recorded[request.id] != request.version:
            reasons.append(N_("An imported youth's request has been changed since."))
            break
    return reasons


def lock_targets(session: Session, records: list) -> tuple[list[int], list[int]]:
    matches = [r.record_id for r in records if r.record_type == "Match"]
    if not matches:
        return [], []
    rows = list(session.exec(select(Match.volunteer_id, Match.request_id).where(Match.id.in_(matches))))
    return sorted({v for v, _r in rows}), sorted({r for _v, r in rows})


def delete_pairs(session: Session, records: list) -> None:
    """Undo: the matches go with their history; the request and the volunteer wait as before."""
    matches = {r.record_id: r for r in records if r.record_type == "Match"}
    if not matches:
        return
    ids = sorted(matches)
    found = {m.id: m for m in session.exec(select(Match).where(Match.id.in_(ids)))}
    session.exec(delete(CheckIn).where(CheckIn.match_id.in_(ids)))
    session.exec(delete(MatchEvent).where(MatchEvent.match_id.in_(ids)))
    session.exec(delete(MatchRiskState).where(MatchRiskState.match_id.in_(ids)))
    session.exec(delete(Match).where(Match.id.in_(ids)))
    for match_id, record in sorted(matches.items(), reverse=True):
        before, match = record.before, found.get(match_id)
        if match is None:
            continue
        request = session.get(Request, match.request_id)
        request.status = before["request_status"]
        request.pool_since = date.fromisoformat(before["request_pool_since"]) if before["request_pool_since"] else None
        request.version += 1
        session.add(request)
        volunteer = session.get(Volunteer, before["volunteer_id"])
        volunteer.pool_since = date.fromisoformat(before["volunteer_pool_since"]) \
            if before["volunteer_pool_since"] else None
        volunteer.version += 1
        session.add(volunteer)
