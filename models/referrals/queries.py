"""What the referral pages, reports and jobs read.

``progress`` turns a referral and what became of it into the status in words a referrer sees;
``status_plans`` gives each referred relationship's next planned status (the programme's rhythm);
both are computed for a page of referrals at once, in a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from models.consent import ConsentRecord, consent_in_force
from models.matches import Match
from models.mentees import Request
from models.referrals.schedule import REMIND_DAYS_BEFORE, next_due
from models.referrals.tables import (
    OPEN_REFERRAL_STATUSES,
    Referral,
    ReferralMessage,
    ReferralSettings,
    ReferralStatus,
    ReferringUnit,
)
from models.volunteers import Volunteer

DANISH = ZoneInfo("Europe/Copenhagen")
STARTED_OPEN = ("active", "paused")


def settings_for(session: Session, program_id: int) -> ReferralSettings:
    """The programme's referral settings (the defaults when none were saved)."""
    stored = session.get(ReferralSettings, program_id)
    return stored or ReferralSettings(program_id=program_id, organisation_id=0)


def settings_by_program(session: Session, program_ids: Iterable[int]) -> dict[int, ReferralSettings]:
    ids = set(program_ids)
    stored = {s.program_id: s for s in session.exec(select(ReferralSettings).where(ReferralSettings.program_id.in_(ids)))} \
        if ids else {}
    return {pid: stored.get(pid) or ReferralSettings(program_id=pid, organisation_id=0) for pid in ids}


def referral_consents(session: Session, referral: Referral) -> list[ConsentRecord]:
    """The people who consented: on the referral until accepted, then on the youth or household."""
    if referral.youth_id is not None:
        subject = ("youth", referral.youth_id)
    elif referral.household_id is not None:
        subject = ("household", referral.household_id)
    else:
        subject = ("referral", referral.id)
    return list(session.exec(select(ConsentRecord).where(
        ConsentRecord.organisation_id == referral.organisation_id, ConsentRecord.subject_type == subject[0],
        ConsentRecord.subject_id == subject[1]).order_by(ConsentRecord.given_on, ConsentRecord.id)))


def status_sharing_allowed(session: Session, referrals: Sequence[Referral]) -> set[int]:
    """The referrals whose referrer may be told how it goes: the family agreed to status reports,
    has not stopped them, and the consent as a whole is still in force."""
    candidates = [r for r in referrals if r.shares_status]
    subjects: dict[tuple[str, int], list[ConsentRecord]] = defaultdict(list)
    keys = {r.id: ("youth", r.youth_id) if r.youth_id else ("household", r.household_id) if r.household_id
            else ("referral", r.id) for r in candidates}
    by_type: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in keys.values():
        by_type[subject_type].add(subject_id)
    for subject_type, ids in by_type.items():
        for record in session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == subject_type,
                                                               ConsentRecord.subject_id.in_(ids))):
            subjects[(record.subject_type, record.subject_id)].append(record)
    return {r.id for r in candidates if consent_in_force(subjects.get(keys[r.id], []))}


def latest_matches(session: Session, request_ids: Iterable[int]) -> dict[int, Match]:
    """The newest match of each request (open or closed)."""
    ids = {i for i in request_ids if i is not None}
    if not ids:
        return {}
    newest = (select(Match.request_id, func.max(Match.id).label("id")).where(Match.request_id.in_(ids))
              .group_by(Match.request_id).subquery())
    return {m.request_id: m for m in session.exec(select(Match).join(newest, newest.c.id == Match.id))}


def current_match(session: Session, referral: Referral) -> Match | None:
    if referral.request_id is None:
        return None
    return latest_matches(session, [referral.request_id]).get(referral.request_id)


# --- the status rhythm -------------------------------------------------------------------------

@dataclass
class StatusPlan:
    referral_id: int
    match_id: int
    next_due: date
    reminded_for: date | None
    program_id: int
    coordinator_id: int | None


def _answered(session: Session, match_ids: Iterable[int]) -> dict[int, list[date]]:
    ids = list(match_ids)
    answered: dict[int, list[date]] = defaultdict(list)
    if not ids:
        return answered
    for match_id, due in session.exec(select(ReferralStatus.match_id, ReferralStatus.due_on).where(
            ReferralStatus.match_id.in_(ids), ReferralStatus.sent_at.is_not(None), ReferralStatus.due_on.is_not(None))):
        answered[match_id].append(due)
    return answered


def status_plans(session: Session, match_filter=None, organisation_id: int | None = None,  # noqa: ANN001
                 referral_ids: Iterable[int] | None = None) -> dict[int, StatusPlan]:
    """The next planned status of every started, open relationship of a referral that shares
    status, keyed by match id. ``match_filter`` (ids or a select of ids) narrows the matches."""
    stmt = (select(Match, Referral).join(Referral, Referral.request_id == Match.request_id)
            .where(Match.status.in_(STARTED_OPEN), Match.started_on.is_not(None), Referral.status == "accepted",
                   Referral.status_consent, Referral.status_sharing_stopped_on.is_(None),
                   Referral.anonymised_at.is_(None)))
    if match_filter is not None:
        stmt = stmt.where(Match.id.in_(match_filter))
    if organisation_id is not None:
        stmt = stmt.where(Match.organisation_id == organisation_id)
    if referral_ids is not None:
        stmt = stmt.where(Referral.id.in_(list(referral_ids)))
    rows = list(session.exec(stmt))
    if not rows:
        return {}
    allowed = status_sharing_allowed(session, [r for _m, r in rows])
    settings = settings_by_program(session, {m.program_id for m, _r in rows})
    answered = _answered(session, [m.id for m, _r in rows])
    plans = {}
    for match, referral in rows:
        if referral.id not in allowed:
            continue
        rules = settings[match.program_id]
        due = next_due(match.started_on, rules.first_status_months, rules.status_every_months, answered[match.id])
        plans[match.id] = StatusPlan(referral.id, match.id, due, referral.status_reminded_for, match.program_id,
                                     match.coordinator_id)
    return plans


def overdue_statuses(session: Session, match_filter, today: date) -> dict[int, int]:  # noqa: ANN001
    """Days each relationship's planned status is overdue (only the overdue ones), for the
    at-risk assessment."""
    return {match_id: (today - plan.next_due).days
            for match_id, plan in status_plans(session, match_filter).items() if plan.next_due < today}


def statuses_coming_due(session: Session, organisation_id: int, today: date) -> list[StatusPlan]:
    """Planned statuses due within the reminder window or overdue, soonest first."""
    plans = status_plans(session, organisation_id=organisation_id).values()
    horizon = date.fromordinal(today.toordinal() + REMIND_DAYS_BEFORE)
    return sorted((p for p in plans if p.next_due <= horizon), key=lambda p: (p.next_due, p.referral_id))


# --- the referrer's view: status in words ----------------------------------------------------------

@dataclass
class Progress:
    """What a referrer may know of how their referral goes (see docs/decisions on what a referrer sees)."""

    stage: str  # a code of the label kind "referral_stage"
    waiting_since: date | None = None
    matched_on: date | None = None
    started_on: date | None = None
    paused_until: date | None = None
    closed_on: date | None = None
    closure_reason: str | None = None
    next_step: str = ""
    next_status_on: date | None = None
    volunteer_first_name: str = ""
    volunteer_age: int | None = None
    shares_status: bool = False


def _local_date(value) -> date | None:  # noqa: ANN001
    return value.astimezone(DANISH).date() if value is not None else None


def progress(session: Session, referrals: Sequence[Referral], today: date) -> dict[int, Progress]:
    """The status in words of each referral, from the referral, its request and newest match."""
    result: dict[int, Progress] = {}
    accepted = [r for r in referrals if r.status == "accepted" and r.request_id is not None]
    sharing = status_sharing_allowed(session, accepted)
    requests = {q.id: q for q in session.exec(select(Request).where(Request.id.in_([r.request_id for r in accepted])))} \
        if accepted else {}
    matches = latest_matches(session, requests)
    volunteers = {v.id: v for v in session.exec(select(Volunteer).where(
        Volunteer.id.in_({m.volunteer_id for m in matches.values()})))} if matches else {}
    settings = settings_by_program(session, {r.program_id for r in accepted})
    plans = status_plans(session, referral_ids=[r.id for r in accepted]) if accepted else {}
    plan_by_referral = {p.referral_id: p for p in plans.values()}
    for referral in referrals:
        if referral.status != "accepted":
            result[referral.id] = Progress(stage=referral.status)
            continue
        if referral.id not in sharing:
            # Without the family's consent to status reports the referrer learns only the decision.
            result[referral.id] = Progress(stage="accepted")
            continue
        request = requests.get(referral.request_id)
        match = matches.get(referral.request_id)
        info = Progress(stage="waiting", shares_status=True)
        if request is not None and request.status == "consent_withdrawn":
            result[referral.id] = Progress(stage="consent_withdrawn")
            continue
        if match is None or (match.status == "closed" and request is not None and request.status == "waiting"
                             and match.started_on is None):
            info.waiting_since = request.pool_since if request is not None else referral.submitted_on
            result[referral.id] = info
            continue
        info.matched_on = _local_date(match.created_at)
        info.started_on = match.started_on
        volunteer = volunteers.get(match.volunteer_id)
        shown = settings[referral.program_id].volunteer_info
        if volunteer is not None and volunteer.anonymised_at is None and shown != "none":
            info.volunteer_first_name = volunteer.first_name
            if shown == "first_name_and_age":
                info.volunteer_age = today.year - volunteer.birth_year
        if match.status == "closed":
            info.closed_on, info.closure_reason, info.next_step = match.closed_on, match.closure_reason, match.next_step
            if request is not None and request.status == "waiting":
                info.stage, info.waiting_since = "waiting_again", request.pool_since
            else:
                info.stage = "closed"
        else:
            info.stage = match.status  # introduced, active, paused
            info.paused_until = match.paused_until if match.status == "paused" else None
        plan = plan_by_referral.get(referral.id)
        info.next_status_on = plan.next_due if plan is not None else None
        result[referral.id] = info
    return result


# --- lists -----------------------------------------------------------------------------------

def filter_referrals(stmt, *, status: str | None = None, unit_id: int | None = None,  # noqa: ANN001, ANN201
                     program_id: int | None = None, search: str = ""):
    """Narrow a select of referrals (already scoped by the policy), newest first."""
    if status == "open":
        stmt = stmt.where(Referral.status.in_(OPEN_REFERRAL_STATUSES))
    elif status:
        stmt = stmt.where(Referral.status == status)
    if unit_id is not None:
        stmt = stmt.where(Referral.unit_id == unit_id)
    if program_id is not None:
        stmt = stmt.where(Referral.program_id == program_id)
    words = (search or "").strip().lower()[:100]
    if words:
        like = f"%{words.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(func.lower(Referral.first_name).like(like), func.lower(Referral.last_name).like(like),
                              func.lower(Referral.family_name).like(like)))
    return stmt.order_by(Referral.submitted_at.desc(), Referral.id.desc())


def unread_counts(session: Session, referral_ids: Iterable[int], for_referrer: bool) -> dict[int, int]:
    """Unread messages per referral: sent by the other side and not yet seen."""
    ids = list(referral_ids)
    if not ids:
        return {}
    return dict(session.exec(select(ReferralMessage.referral_id, func.count()).where(
        ReferralMessage.referral_id.in_(ids), ReferralMessage.from_referrer == (not for_referrer),
        ReferralMessage.read_at.is_(None)).group_by(ReferralMessage.referral_id)).all())


def unit_names(session: Session, organisation_id: int) -> dict[int, str]:
    return dict(session.exec(select(ReferringUnit.id, ReferringUnit.name).where(
        ReferringUnit.organisation_id == organisation_id)).all())


def thread(session: Session, referral_id: int) -> list[ReferralMessage]:
    return list(session.exec(select(ReferralMessage).where(ReferralMessage.referral_id == referral_id)
                             .order_by(ReferralMessage.created_at, ReferralMessage.id)))


def sent_statuses(session: Session, referral_id: int) -> list[ReferralStatus]:
    return list(session.exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral_id,
                                                          ReferralStatus.sent_at.is_not(None))
                             .order_by(ReferralStatus.sent_at.desc(), ReferralStatus.id.desc())))


def status_draft(session: Session, referral_id: int) -> ReferralStatus | None:
    return session.exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral_id,
                                                     ReferralStatus.sent_at.is_(None))).first()


def referral_of_request(session: Session, request_id: int) -> Referral | None:
    return session.exec(select(Referral).where(Referral.request_id == request_id)).first()


def program_names(session: Session, program_ids: Iterable[int]) -> dict[int, str]:
    from models.organisations import Program

    ids = set(program_ids)
    return dict(session.exec(select(Program.id, Program.name).where(Program.id.in_(ids))).all()) if ids else {}


def closure_details(session: Session, referral_id: int) -> dict[int, tuple[date | None, str | None]]:
    """The end date and reason of each relationship a closure notice names (nothing else of it)."""
    ids = select(ReferralMessage.match_id).where(ReferralMessage.referral_id == referral_id,
                                                 ReferralMessage.kind == "closure")
    return {mid: (closed_on, reason) for mid, closed_on, reason in session.exec(
        select(Match.id, Match.closed_on, Match.closure_reason).where(Match.id.in_(ids)))}


def open_intake_count(session: Session, organisation_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Referral).where(
        Referral.organisation_id == organisation_id, Referral.status == "received")).one())
