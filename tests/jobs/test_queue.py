"""The queue itself, on SQLite and on Redis: pages put work on it, a worker's step does it, the
scheduler offers periodic jobs on Danish time and each daily job is done once a day."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from config import ConfigError, load_settings
from models.jobs.tables import PeriodicSlot
from models.matchruns import MatchRun, Proposal
from models.outbox import OutboxMessage
from seed import builders as b
from tests.conftest import fresh, login
from tests.jobs.workers import drain, run_one_job
from web.jobs.registry import JOBS, daily_at, danish

TODAY = date(2026, 11, 22)


def _with_pool(session, world, n: int = 3) -> None:  # noqa: ANN001
    for _ in range(n):
        b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
        b.make_volunteer(session, world.program)
    session.commit()


def test_a_matching_started_on_the_page_waits_on_the_queue_until_a_worker_does_it(jobs_app, jobs_queue, session,
                                                                                   world):
    _with_pool(session, world)
    client = jobs_app.test_client()
    login(client, world.coordinator.email)
    response = client.post(f"/koordinator/program/{world.program.id}/matchning")
    run = fresh(session).exec(select(MatchRun).where(MatchRun.program_id == world.program.id)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/matchning/{run.id}")
    # Nothing ran inside the request: the run waits, and the page says so.
    assert run.status == "queued" and jobs_queue.pending_names() == ["match_run"]
    waiting = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "venter på en ledig baggrundsarbejder" in waiting
    assert run_one_job(jobs_queue) == "match_run"
    done = fresh(session).get(MatchRun, run.id)
    assert done.status == "done" and done.attempts == 1
    assert session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()
    assert "Hvorfor denne score?" in client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)


def test_starting_a_program_that_is_already_matching_shows_the_running_one(jobs_app, jobs_queue, session, world):
    client = jobs_app.test_client()
    login(client, world.coordinator.email)
    first = client.post(f"/koordinator/program/{world.program.id}/matchning")
    second = client.post(f"/koordinator/program/{world.program.id}/matchning", follow_redirects=True)
    assert "Der kører allerede en matchning for dette program." in second.get_data(as_text=True)
    assert second.request.path == first.headers["Location"].split("makker.test")[-1]
    assert jobs_queue.pending_names() == ["match_run"]


def test_all_programs_of_the_organisation_are_matched_each_as_its_own_job(jobs_app, jobs_queue, session, world):
    client = jobs_app.test_client()
    login(client, world.coordinator.email)
    page = client.post("/koordinator/matchning/alle", follow_redirects=True).get_data(as_text=True)
    assert "Matchningen er startet for 2 programmer." in page
    assert jobs_queue.pending_names() == ["match_run", "match_run"]
    again = client.post("/koordinator/matchning/alle", follow_redirects=True).get_data(as_text=True)
    assert "2 programmer havde allerede en matchning i gang" in again
    drain(jobs_queue)
    statuses = {r.program_id: r.status for r in fresh(session).exec(select(MatchRun).where(MatchRun.id != world.run.id))}
    assert statuses == {world.program.id: "done", world.family_program.id: "done"}


def test_the_run_page_warns_while_no_worker_is_alive_and_not_once_one_is(jobs_app, jobs_queue, session, world):
    client = jobs_app.test_client()
    login(client, world.coordinator.email)
    location = client.post(f"/koordinator/program/{world.program.id}/matchning").headers["Location"]
    warning = "Ingen baggrundsarbejder kører lige nu"
    assert warning in client.get(location).get_data(as_text=True)
    jobs_queue.worker_seen("other-machine:42")
    assert warning not in client.get(location).get_data(as_text=True)
    # A worker that stopped saying "alive" a while ago does not count.
    jobs_queue.worker_seen("other-machine:42", time.time() - 600)
    assert warning in client.get(location).get_data(as_text=True)


def test_mail_queued_by_a_change_goes_out_through_a_job_right_after_the_commit(make_jobs_app, session, world,
                                                                              monkeypatch):
    sent = []

    class SMTP:
        def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
            pass

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc):  # noqa: ANN002, ANN204
            return False

        def starttls(self) -> None:
            pass

        def send_message(self, msg) -> None:  # noqa: ANN001
            sent.append(msg["To"])

    monkeypatch.setattr("smtplib.SMTP", SMTP)
    app = make_jobs_app(MAIL_SERVER="smtp.example.org")
    queue = app.extensions["makker_queue"]
    client = app.test_client()
    client.post("/glemt-adgangskode", data={"email": world.coordinator.email})
    assert queue.pending_names() == ["send_outbox"]
    assert run_one_job(queue) == "send_outbox"
    assert sent == [world.coordinator.email]
    assert fresh(session).exec(select(OutboxMessage)).one().sent_at is not None


def test_without_a_mail_server_queued_mail_waits_in_the_development_mailbox(make_jobs_app, session, world):
    # The mailbox exists only in development (docs/decisions/0007); the test client is this machine.
    jobs_app = make_jobs_app(MAKKER_ENV="development")
    jobs_app.config["SERVER_NAME"] = "localhost"  # the mailbox answers loopback names only
    jobs_queue = jobs_app.extensions["makker_queue"]
    client = jobs_app.test_client()
    client.post("/glemt-adgangskode", data={"email": world.coordinator.email})
    assert jobs_queue.pending_names() == []  # nothing to send it with
    jobs_queue.task("send_outbox")()
    drain(jobs_queue)
    assert fresh(session).exec(select(OutboxMessage)).one().sent_at is None
    assert "Nulstil din adgangskode" in client.get("/dev/postkasse").get_data(as_text=True)


def _clock(app, when: datetime) -> None:  # noqa: ANN001
    app.config["JOBS_CLOCK"] = lambda: when


def test_each_daily_job_is_done_once_a_day_however_many_schedulers_offer_it(jobs_app, jobs_queue, session, world):
    seven_danish = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Copenhagen (winter time)
    _clock(jobs_app, seven_danish)
    for _ in range(3):  # three machines' schedulers offer it
        jobs_queue.task("daily_reminders")()
    drain(jobs_queue)
    slots = fresh(session).exec(select(PeriodicSlot).where(PeriodicSlot.job == "daily_reminders")).all()
    assert [(s.slot, s.finished_at is not None) for s in slots] == [("2026-11-23", True)]
    assert set(slots[0].report) == {"volunteers", "coordinators", "checkins"}
    _clock(jobs_app, seven_danish + timedelta(days=1))
    jobs_queue.task("daily_reminders")()
    drain(jobs_queue)
    assert len(fresh(session).exec(select(PeriodicSlot)).all()) == 2


def test_a_daily_job_that_fails_gives_its_day_back_so_the_next_offer_tries_again(jobs_app, jobs_queue, session,
                                                                               monkeypatch):
    _clock(jobs_app, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database away")

    monkeypatch.setattr("web.jobs.tasks.apply_retention", broken)
    jobs_queue.task("retention")()
    drain(jobs_queue)
    assert fresh(session).exec(select(PeriodicSlot)).all() == []
    monkeypatch.undo()
    jobs_queue.task("retention")()
    drain(jobs_queue)
    assert [s.slot for s in fresh(session).exec(select(PeriodicSlot))] == ["2026-11-23"]


def _offered(queue, when: datetime) -> set[str]:  # noqa: ANN001
    return {task.name for task in queue.huey.read_periodic(when.astimezone(UTC).replace(tzinfo=None))}


def test_the_scheduler_offers_each_periodic_job_on_danish_time_with_no_cron(jobs_queue):
    winter_seven = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)  # 07:00 in Copenhagen
    summer_seven = datetime(2026, 7, 15, 5, 0, tzinfo=UTC)  # 07:00 in Copenhagen (summer time)
    for when in (winter_seven, summer_seven):
        assert {"recover_runs", "send_outbox", "daily_reminders"} <= _offered(jobs_queue, when)
        assert "daily_reminders" not in _offered(jobs_queue, when - timedelta(minutes=1))
        assert {"recover_runs", "send_outbox"} <= _offered(jobs_queue, when - timedelta(minutes=1))
    night = datetime(2026, 1, 15, 1, 30, tzinfo=UTC)  # 02:30 in Copenhagen
    assert "retention" in _offered(jobs_queue, night)
    assert "retention" not in _offered(jobs_queue, night - timedelta(minutes=1))


@settings(deadline=None)
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), day=st.dates(date(2025, 1, 1), date(2030, 12, 31)))
@example(hour=3, minute=0, day=date(2028, 3, 26))  # summer time begins: 02:00 becomes 03:00
@example(hour=2, minute=15, day=date(2028, 3, 26))
@example(hour=2, minute=15, day=date(2028, 10, 29))  # summer time ends: 02:15 comes twice
def test_a_daily_job_is_first_offered_at_its_time_and_never_before_on_any_day(hour, minute, day):
    schedule = daily_at(hour, minute)
    start = datetime(day.year, day.month, day.day, tzinfo=danish(datetime(2026, 1, 1)).tzinfo).astimezone(UTC)
    # Every real minute of the Danish day (23, 24 or 25 hours): aware arithmetic on a local time
    # would walk the wall clock through the hour summer time skips, which never happens.
    instants = [start + timedelta(minutes=m) for m in range(25 * 60)]
    local_minutes = [danish(t) for t in instants if danish(t).date() == day]
    offered = [t for t in local_minutes if schedule.due(t.astimezone(UTC).replace(tzinfo=None))]
    if hour != 2 or day.month not in (3, 10):  # the hour that summer time skips or repeats
        assert offered and (offered[0].hour, offered[0].minute) == (hour, minute)
    assert offered  # on the days summer time begins or ends too, the job runs that day
    assert all((t.hour, t.minute) >= (hour, minute) for t in offered)
    assert {schedule.slot(t.astimezone(UTC)) for t in offered} <= {day.isoformat()}


def test_every_periodic_job_is_registered_with_a_schedule_and_every_job_has_a_name():
    periodic = {name for name, spec in JOBS.items() if spec.schedule is not None}
    assert periodic == {"recover_runs", "send_outbox", "daily_reminders", "retention", "risk_refresh",
                        "draw_charts", "referral_status_reminders", "referral_closure_notices",
                        "certificate_renewals",  # safeguarding (issue 15)
                        "invite_to_events", "drift_refresh",  # events (issue 15)
                        "recover_imports", "prune_exports",  # spreadsheet import and export (issue 17)
                        "recover_team_runs", "family_figures_daily"}  # whole-family work (issue 14, decision 0021)
    assert "match_run" in JOBS


def test_the_queue_is_a_file_in_the_instance_folder_unless_redis_is_configured(tmp_path: Path):
    dev = {"MAKKER_ENV": "development"}  # production would first ask for its secrets
    assert load_settings(tmp_path, dev).queue_url == f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    assert load_settings(tmp_path, {**dev, "REDIS_URL": "redis://q:6379/0"}).queue_url == "redis://q:6379/0"
    both = {**dev, "REDIS_URL": "redis://a:6379/0", "MAKKER_QUEUE_URL": "redis://b:6379/1"}
    assert load_settings(tmp_path, both).queue_url == "redis://b:6379/1"
    with pytest.raises(ConfigError, match="MAKKER_QUEUE_URL"):
        load_settings(tmp_path, {**dev, "MAKKER_QUEUE_URL": "amqp://user:secret@host"})


def test_when_the_queue_cannot_be_reached_the_page_still_answers_and_the_run_is_sent_later(database_url, tmp_path,
                                                                                          session, world):
    from models.matchruns import recover_stale_runs
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / "i",
                      "ENVIRON": {"MAKKER_ENV": "testing", "MAKKER_QUEUE_URL": "redis://127.0.0.1:1/0"},
                      "WTF_CSRF_ENABLED": False, "SERVER_NAME": "makker.test"})
    client = app.test_client()
    login(client, world.coordinator.email)
    response = client.post(f"/koordinator/program/{world.program.id}/matchning")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    run = fresh(session).exec(select(MatchRun).where(MatchRun.program_id == world.program.id)).one()
    assert run.status == "queued"
    assert recover_stale_runs(session, run.enqueued_at + timedelta(minutes=11)).requeued == [run.id]
    app.extensions["makker_engine"].dispose()


def test_workers_count_as_alive_while_they_keep_saying_so(jobs_queue):
    now = time.time()
    jobs_queue.worker_seen("a:1", now - 5)
    jobs_queue.worker_seen("b:2", now - 120)
    jobs_queue.worker_seen("c:3", now - 3600)
    assert jobs_queue.live_workers(now) == 1
    assert jobs_queue.forget_gone_workers(now) == 1
    jobs_queue.worker_stopped("a:1")
    assert jobs_queue.live_workers(now) == 0
