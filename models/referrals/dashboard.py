"""Referral figures for the admin's dashboard and its CSV: referrals by unit and month, the time
from referral to acceptance, to match and to introduction, and statuses sent on time.

Counted over the referrals sent in the period (and the planned statuses that fell due in it);
every figure comes with the number of referrals behind it, and a median of nothing is None.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import func
from sqlmodel import Session, select

from models.matches import Match
from models.referrals.queries import DANISH, settings_by_program, status_sharing_allowed
from models.referrals.schedule import planned_on
from models.referrals.tables import Referral, ReferralStatus, ReferringUnit


@dataclass
class UnitMonth:
    month: str  # "2026-03"
    unit: str
    referred: int = 0
    accepted: int = 0
    declined: int = 0


@dataclass
class Durations:
    """Days from the referral, per unit (median, with how many it is the median of)."""

    unit: str
    to_acceptance: list[int] = field(default_factory=list)
    to_match: list[int] = field(default_factory=list)
    to_introduction: list[int] = field(default_factory=list)

    @staticmethod
    def middle(values: list[int]) -> float | None:
        return float(median(values)) if values else None


@dataclass
class OnTime:
    unit: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class ReferralDashboard:
    start: date
    end: date
    by_month: list[UnitMonth] = field(default_factory=list)
    durations: list[Durations] = field(default_factory=list)
    on_time: list[OnTime] = field(default_factory=list)

    @property
    def total_referred(self) -> int:
        return sum(row.referred for row in self.by_month)


def _local(value) -> date | None:  # noqa: ANN001
    return value.astimezone(DANISH).date() if value is not None else None


def build_referral_dashboard(session: Session, organisation_id: int, start: date, end: date, today: date,
                             program_id: int | None = None) -> ReferralDashboard:
    board = ReferralDashboard(start, end)
    units = dict(session.exec(select(ReferringUnit.id, ReferringUnit.name).where(
        ReferringUnit.organisation_id == organisation_id)).all())
    stmt = select(Referral).where(Referral.organisation_id == organisation_id, Referral.submitted_on >= start,
                                  Referral.submitted_on <= end)
    if program_id is not None:
        stmt = stmt.where(Referral.program_id == program_id)
    referrals = list(session.exec(stmt.order_by(Referral.submitted_on, Referral.id)))

    months: dict[tuple[str, int], UnitMonth] = {}
    for referral in referrals:
        key = (referral.submitted_on.strftime("%Y-%m"), referral.unit_id)
        row = months.setdefault(key, UnitMonth(key[0], units.get(referral.unit_id, "")))
        row.referred += 1
        row.accepted += referral.status == "accepted"
        row.declined += referral.status == "declined"
    board.by_month = sorted(months.values(), key=lambda r: (r.month, r.unit))

    request_ids = [r.request_id for r in referrals if r.request_id is not None]
    first_match = {}
    if request_ids:
        first = (select(Match.request_id, func.min(Match.id).label("id")).where(Match.request_id.in_(request_ids))
                 .group_by(Match.request_id).subquery())
        first_match = {m.request_id: m for m in session.exec(select(Match).join(first, first.c.id == Match.id))}
    durations: dict[int, Durations] = {}
    for referral in referrals:
        row = durations.setdefault(referral.unit_id, Durations(units.get(referral.unit_id, "")))
        if referral.status == "accepted" and referral.decided_at is not None:
            row.to_acceptance.append((_local(referral.decided_at) - referral.submitted_on).days)
        match = first_match.get(referral.request_id)
        if match is not None:
            row.to_match.append((_local(match.created_at) - referral.submitted_on).days)
            if match.started_on is not None:
                row.to_introduction.append((match.started_on - referral.submitted_on).days)
    board.durations = sorted(durations.values(), key=lambda d: d.unit)
    board.on_time = _statuses_on_time(session, organisation_id, start, min(end, today), today, units, program_id)
    return board


def _statuses_on_time(session: Session, organisation_id: int, start: date, end: date, today: date,
                      units: dict[int, str], program_id: int | None) -> list[OnTime]:
    """Planned statuses that fell due in [start, end]: sent on time, late, or not at all."""
    stmt = (select(Match, Referral).join(Referral, Referral.request_id == Match.request_id)
            .where(Match.organisation_id == organisation_id, Match.started_on.is_not(None),
                   Match.started_on <= end, Referral.status_consent))
    if program_id is not None:
        stmt = stmt.where(Match.program_id == program_id)
    rows = list(session.exec(stmt))
    if not rows:
        return []
    allowed = status_sharing_allowed(session, [r for _m, r in rows])
    settings = settings_by_program(session, {m.program_id for m, _r in rows})
    sent: dict[int, dict[date, date]] = defaultdict(dict)
    for match_id, due, sent_on in session.exec(select(ReferralStatus.match_id, ReferralStatus.due_on,
                                                      ReferralStatus.sent_on).where(
            ReferralStatus.match_id.in_([m.id for m, _r in rows]), ReferralStatus.sent_at.is_not(None),
            ReferralStatus.due_on.is_not(None))):
        sent[match_id][due] = sent_on
    result: dict[int, OnTime] = {}
    for match, referral in rows:
        # While sharing lasted (a stop or a withdrawal ends the plan; so does the match's end).
        if referral.id not in allowed and not sent.get(match.id):
            continue
        last = min(d for d in (end, match.closed_on, referral.status_sharing_stopped_on) if d is not None)
        rules = settings[match.program_id]
        row = result.setdefault(referral.unit_id, OnTime(units.get(referral.unit_id, "")))
        for number in range(400):
            due = planned_on(match.started_on, rules.first_status_months, rules.status_every_months, number)
            if due > last:
                break
            sent_on = sent[match.id].get(due)
            if due < start or (sent_on is None and due >= today):
                continue  # before the period, or not due yet
            row.due += 1
            if sent_on is None:
                row.missing += 1
            elif sent_on <= due:
                row.on_time += 1
            else:
                row.late += 1
    return sorted(result.values(), key=lambda r: r.unit)
