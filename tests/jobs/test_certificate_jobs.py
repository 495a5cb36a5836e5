"""The børneattest renewal reminder is a daily job on the queue (issue 15), done once a day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from models.jobs.tables import PeriodicSlot
from models.outbox import OutboxMessage
from models.safeguard.queries import CERTIFICATE_STEP, REMIND_DAYS_BEFORE, add_months
from models.volunteers import ScreeningStep
from tests.conftest import fresh
from tests.jobs.test_queue import _offered
from tests.jobs.workers import drain
from web.jobs.registry import danish


def _at_ten_past_seven(day) -> datetime:  # noqa: ANN001
    local = datetime.combine(day, time(7, 10), tzinfo=danish(datetime.now(UTC)).tzinfo)
    return local.astimezone(UTC)


def test_the_queue_reminds_the_coordinators_once_on_the_morning_a_month_before(jobs_app, jobs_queue, session, world):
    today = danish(datetime.now(UTC)).date()
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == world.other_volunteer.id,
                                                    ScreeningStep.step == CERTIFICATE_STEP)).one()
    step.step_date = add_months(today, -24) + timedelta(days=REMIND_DAYS_BEFORE + 2)  # due in 32 days
    session.add(step)
    session.commit()
    morning = _at_ten_past_seven(today + timedelta(days=2))
    assert "certificate_renewals" in _offered(jobs_queue, morning)
    assert "certificate_renewals" not in _offered(jobs_queue, morning - timedelta(minutes=1))
    jobs_app.config["JOBS_CLOCK"] = lambda: morning
    for _ in range(2):  # two machines' schedulers offer it; it is done once
        jobs_queue.task("certificate_renewals")()
    drain(jobs_queue)
    session = fresh(session)
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "certificate_renewal")).all()
    assert [m.to_email for m in mails] == [world.coordinator.email]
    slots = session.exec(select(PeriodicSlot).where(PeriodicSlot.job == "certificate_renewals")).all()
    assert [s.report["reminded"] for s in slots] == [1]
