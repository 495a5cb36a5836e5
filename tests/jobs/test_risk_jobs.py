"""The at-risk assessment and the dashboard's charts are kept fresh by the queue's daily jobs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from models.chart_images import ChartImage
from models.jobs.tables import PeriodicSlot
from models.risk import at_risk
from models.risk_state import MatchRiskState, count_at_risk
from tests.conftest import fresh
from tests.jobs.workers import drain
from web.jobs.registry import danish


def _five_past_midnight(days_ahead: int) -> datetime:
    day = danish(datetime.now(UTC)).date() + timedelta(days=days_ahead)
    local = datetime.combine(day, time(0, 5), tzinfo=danish(datetime.now(UTC)).tzinfo)
    return local.astimezone(UTC)


def test_after_midnight_the_queue_assesses_every_match_again_and_draws_the_day_s_charts(jobs_app, jobs_queue,
                                                                                        session, world):
    when = _five_past_midnight(40)  # forty days on: time alone has moved the flags
    jobs_app.config["JOBS_CLOCK"] = lambda: when
    for _ in range(2):  # two machines' schedulers offer it; it is done once
        jobs_queue.task("risk_refresh")()
    drain(jobs_queue)
    session = fresh(session)
    day = danish(when).date()
    assert {r.assessed_on for r in session.exec(select(MatchRiskState))} == {day}
    assert count_at_risk(session, world.organisation.id) == len(at_risk(session, world.organisation.id, day))
    slots = session.exec(select(PeriodicSlot).where(PeriodicSlot.job == "risk_refresh")).all()
    assert [(s.slot, s.report["assessed"]) for s in slots] == [(day.isoformat(), 1)]
    drawn = session.exec(select(ChartImage).where(ChartImage.content.is_not(None))).all()
    assert len(drawn) == 10  # the default dashboard's five charts, in Danish and in English


def test_the_scheduler_offers_the_refresh_after_midnight_and_the_charts_after_it(jobs_queue):
    from tests.jobs.test_queue import _offered

    refresh = _five_past_midnight(1)
    assert "risk_refresh" in _offered(jobs_queue, refresh)
    assert "risk_refresh" not in _offered(jobs_queue, refresh - timedelta(minutes=1))
    assert "draw_charts" in _offered(jobs_queue, refresh + timedelta(minutes=10))
