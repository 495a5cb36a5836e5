"""The dashboard as tables and charts, shared by the page, the CSV export and the PDF report.

One place turns the figures into labelled rows, so the page, the CSV and the PDF can never
disagree. Nothing here names a person: the report is for steering groups and funders.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from models.dashboard import DAYS_PER_MONTH, RETENTION_MILESTONES, Dashboard
from models.matches import MATCH_STATUSES
from models.stats import survival_at
from web import charts
from web.csvfile import csv_bytes as write_csv
from web.i18n import format_date, format_number, format_percent
from web.labels import label


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[object]]


ANSWERS = ("yes", "no", "unknown")


def _pct(value: float | None) -> str:
    return format_percent(value)


def _num(value: float | None, digits: int = 1) -> str:
    return format_number(value, digits)


def _months_observed(d: Dashboard) -> int:
    return min(120, int(d.longest_observed_days / DAYS_PER_MONTH))


def tables(d: Dashboard) -> list[Table]:
    waiting_bins = [_("0–30 days"), _("31–90 days"), _("91–180 days"), _("181–365 days"), _("over a year")]
    result = [
        Table("volunteer_funnel", _("Volunteers who signed up in the period"), [_("Stage"), _("Number")], [
            [_("Signed up"), d.volunteer_funnel["signed_up"]],
            [_("Got into screening"), d.volunteer_funnel["screening"]],
            [_("Approved"), d.volunteer_funnel["approved"]],
            [_("Matched"), d.volunteer_funnel["matched"]],
        ]),
        Table("request_funnel", _("Youths and families referred in the period"), [_("Stage"), _("Number")], [
            [_("Referred"), d.request_funnel["referred"]],
            [_("Matched"), d.request_funnel["matched"]],
        ]),
        Table("waiting", _("Waiting time to a match (matches made in the period)"),
              [_("Side"), _("Matches"), _("Median days"), _("Longest days"), *waiting_bins], [
            [_("Youths and families"), len(d.waiting_requests.days), _num(d.waiting_requests.median, 0),
             d.waiting_requests.longest or "—", *d.waiting_requests.bins],
            [_("Volunteers"), len(d.waiting_volunteers.days), _num(d.waiting_volunteers.median, 0),
             d.waiting_volunteers.longest or "—", *d.waiting_volunteers.bins],
        ]),
        Table("waiting_now", _("Waiting now"), [_("Side"), _("Waiting"), _("Median days"), _("Longest days")], [
            [_("Youths and families"), len(d.waiting_now_requests.days), _num(d.waiting_now_requests.median, 0),
             d.waiting_now_requests.longest or "—"],
            [_("Volunteers"), len(d.waiting_now_volunteers.days), _num(d.waiting_now_volunteers.median, 0),
             d.waiting_now_volunteers.longest or "—"],
        ]),
        Table("status", _("Matches by status"), [_("Status"), _("Number")],
              [[label("match_status", s), d.matches_by_status[s]] for s in MATCH_STATUSES]),
        Table("retention", _("Still running after (Kaplan–Meier, %(n)s matches)", n=d.started_matches),
              [_("Months"), _("Share still running")],
              [[months, _pct(d.retention[months]) if d.retention[months] is not None else _("not observed yet")]
               for months in RETENTION_MILESTONES]),
        Table("survival", _("Survival curve, month by month"), [_("Months"), _("Share still running")],
              [[month, _pct(survival_at(d.survival, round(month * DAYS_PER_MONTH)))]
               for month in range(0, _months_observed(d) + 1)]),
        Table("closure_reasons", _("Why matches closed in the period"), [_("Reason"), _("Number")],
              [[label("closure_reason", r), n] for r, n in d.closure_reasons.items()]),
        Table("activity", _("Meetings and check-ins"), [_("Figure"), _("Value")], [
            [_("Meetings logged"), d.meetings],
            [_("Meetings per match per month"), _num(d.meetings_per_match_month)],
            [_("Check-ins due"), d.checkins_due],
            [_("Check-ins done on time"), f"{d.checkins_on_time} ({_pct(d.checkins_on_time_share)})"],
        ]),
        Table("outcomes", _("Outcomes of matches closed in the period: at entry and at the end"),
              [_("Question"), *[_("At entry: %(answer)s", answer=label("outcome_answer", a)) for a in ANSWERS],
               *[_("At the end: %(answer)s", answer=label("outcome_answer", a)) for a in ANSWERS]],
              [[label("outcome_question", q), *[d.baseline_outcomes[q][a] for a in ANSWERS],
                *[d.outcomes[q][a] for a in ANSWERS]] for q in d.outcomes]),
        Table("breakoffs", _("Matches that broke off early, by complexity (matches started by the end of the period)"),
              [_("Complexity"), _("Matches started"), _("Broke off early"), _("Share")],
              [[label("complexity", level), started, broke, _pct(broke / started) if started else "—"]
               for level, (started, broke) in d.breakoffs_by_complexity.items()]),
        Table("one_year", _("Outcome one year after the start (measures recorded in the period)"),
              [_("Question"), *[label("outcome_answer", a) for a in ANSWERS], _("Measured")],
              [[label("outcome_question", q), *[d.one_year_outcomes[q][a] for a in ANSWERS],
                sum(d.one_year_outcomes[q].values())] for q in d.one_year_outcomes]),
        Table("goals", _("Goals"), [_("Program"), _("Goal"), _("Achieved"), _("Share"), _("Counted from")],
              [[g.program, ngettext("%(num)s match in %(m)s months", "%(num)s matches in %(m)s months", g.target, m=g.months), g.achieved, _pct(g.share),
                format_date(g.since)] for g in d.goals]),
    ]
    return result


FEW_FOLLOWED = 5


def _few_followed_after(d: Dashboard) -> int | None:
    """The day after which fewer than FEW_FOLLOWED matches were still followed (None: never)."""
    durations = sorted([*d.censored_days, *(s.day for s in d.survival for _ in range(s.closed))], reverse=True)
    return durations[FEW_FOLLOWED - 1] if len(durations) >= FEW_FOLLOWED else 0


def chart_specs(d: Dashboard) -> dict[str, charts.Bars | charts.Curve]:
    """What each chart of the dashboard shows; the matching table of ``tables`` is its text alternative."""
    funnel = charts.Bars(
        _("From sign-up to match"), [_("Signed up"), _("Screening"), _("Approved"), _("Matched")],
        [(_("Volunteers"), [d.volunteer_funnel[k] for k in ("signed_up", "screening", "approved", "matched")])])
    bins = [_("0–30"), _("31–90"), _("91–180"), _("181–365"), _("365+")]
    waiting = charts.Bars(
        _("Days waited before the match"), bins,
        [(_("Youths and families"), d.waiting_requests.bins), (_("Volunteers"), d.waiting_volunteers.bins)])
    survival = charts.Curve(
        _("Share of matches still running"), _("days since the start"), "%",
        [s.day for s in d.survival], [s.survival for s in d.survival],
        [(days, _("%(n)s mo.", n=months)) for months, days in RETENTION_MILESTONES.items()],
        observed_until=d.longest_observed_days,
        # One mark per day, however many matches were last seen that day (the chart's key stays small).
        censored=tuple((day, survival_at(d.survival, day)) for day in sorted(set(d.censored_days))),
        censored_label=_("still running (last seen)"), few_after=_few_followed_after(d),
        few_label=_("fewer than %(n)s matches followed", n=FEW_FOLLOWED))
    status = charts.Bars(
        _("Matches by status"), [label("match_status", s) for s in MATCH_STATUSES],
        [(_("Matches"), [d.matches_by_status[s] for s in MATCH_STATUSES])])
    reasons = charts.Bars(
        _("Why matches closed"), [label("closure_reason", r) for r in d.closure_reasons] or [_("none")],
        [(_("Matches"), list(d.closure_reasons.values()) or [0])], horizontal=True)
    return {"volunteer_funnel": funnel, "waiting": waiting, "survival": survival, "status": status,
            "closure_reasons": reasons}


def chart_images(d: Dashboard, fmt: str = "svg", draw: Callable[..., bytes] | None = None) -> dict[str, bytes]:
    """The charts drawn (``draw``: e.g. with the shared cache in front; default: drawn now)."""
    from web.chart_store import render

    draw = draw or render
    return {key: draw(chart, fmt) for key, chart in chart_specs(d).items()}


def data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def csv_bytes(sections: Sequence[Table]) -> bytes:
    """The tables one after another, through the app's one CSV writer (web.csvfile)."""
    rows: list[Sequence] = []
    for i, table in enumerate(sections):
        if len(sections) > 1:
            if i:
                rows.append([])
            rows.append([table.title])
        rows.append(table.header)
        rows.extend(table.rows)
    return write_csv(rows)
