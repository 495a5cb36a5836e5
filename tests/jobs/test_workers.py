"""Real worker processes on the real queue (SQLite file and Redis) and the suite's database:
a worker killed in the middle of a run, two workers and one program, ``makker serve``'s worker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from matching.run import start_run
from models.db import make_engine
from models.matchruns import WORKER_STOPPED, MatchRun, Proposal, recover_stale_runs
from models.mentees import Request
from models.organisations import Program
from seed.demo import build_demo
from tests.conftest import fresh, login
from tests.jobs.workers import ROOT, WorkerProcess, wait_for


def _largest_program(engine, session, size: int) -> Program:  # noqa: ANN001
    build_demo(engine, seed=5, volunteers=size, requests=size)
    counts = session.exec(select(Request.program_id, func.count()).where(Request.status == "waiting")
                          .group_by(Request.program_id).order_by(func.count().desc())).all()
    return session.get(Program, counts[0][0])


def _run(session, run_id: int) -> MatchRun:  # noqa: ANN001
    return fresh(session).get(MatchRun, run_id)


@contextmanager
def holding_the_run(engine, run_id: int):  # noqa: ANN001, ANN202
    """Lock the run's row so its worker cannot write (progress, lease, result) until released."""
    conn = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    conn.begin()
    query = select(MatchRun.status, MatchRun.progress).where(MatchRun.id == run_id)
    if engine.dialect.name != "sqlite":
        query = query.with_for_update()
    try:
        yield conn.execute(query).one()
    finally:
        conn.rollback()
        conn.close()


def _kill_in_the_middle(engine, session, worker, run_id: int) -> None:  # noqa: ANN001
    wait_for(lambda: _run(session, run_id).progress in ("loading", "scoring"), what="the worker to take the run")
    with holding_the_run(engine, run_id) as (status, _progress):
        # Under the lock the worker cannot finish, so it is killed with the run half done.
        assert status == "running", "the run finished before it could be interrupted: use a larger pool"
        worker.kill()
    stopped = _run(session, run_id)
    assert stopped.status == "running" and stopped.lease_until is not None
    assert session.exec(select(Proposal).where(Proposal.run_id == run_id)).all() == []


def test_a_worker_killed_in_the_middle_of_a_run_leaves_it_to_be_started_again_and_finished(
        engine, session, jobs_app, jobs_queue, start_worker):
    program = _largest_program(engine, session, 1500)
    run = start_run(session, program, by_user_id=None)
    jobs_queue.enqueue("match_run", run.id)
    _kill_in_the_middle(engine, session, start_worker(), run.id)

    # The lease runs out (the clock moves on); the periodic recovery job starts it again.
    stopped = _run(session, run.id)
    jobs_app.config["JOBS_CLOCK"] = lambda: stopped.lease_until + timedelta(seconds=1)
    report = jobs_queue.task("recover_runs").call_local()
    assert report["restarted"] == [run.id]
    restarted = _run(session, run.id)
    assert (restarted.status, restarted.progress) == ("queued", "restarted")
    page = jobs_app.test_client()
    assert login(page, _coordinator_email(session, program), "makker-demo-2026").status_code == 302
    assert "Baggrundsarbejderen stoppede midt i kørslen, så matchningen er startet igen (forsøg 2 af 3)" in \
        page.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)

    start_worker()
    wait_for(lambda: _run(session, run.id).status in ("done", "failed"), timeout=120, what="the run to finish")
    done = _run(session, run.id)
    assert (done.status, done.attempts) == ("done", 2)
    firsts = session.exec(select(Proposal.request_id).where(Proposal.run_id == run.id, Proposal.rank == 1)).all()
    assert len(firsts) == len(set(firsts)) == done.stats["matched_requests"] > 0


def test_a_run_killed_on_its_last_attempt_is_shown_failed_with_a_try_again_button(
        engine, session, jobs_app, jobs_queue, start_worker):
    program = _largest_program(engine, session, 1500)
    run = start_run(session, program, by_user_id=None)
    jobs_queue.enqueue("match_run", run.id)
    _kill_in_the_middle(engine, session, start_worker(), run.id)
    stopped = _run(session, run.id)
    report = recover_stale_runs(session, stopped.lease_until + timedelta(seconds=1), max_attempts=1)
    assert report.failed == [run.id]
    failed = _run(session, run.id)
    assert (failed.status, failed.error) == ("failed", WORKER_STOPPED)

    client = jobs_app.test_client()
    login(client, _coordinator_email(session, program), "makker-demo-2026")
    page = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "Baggrundsarbejderen stoppede midt i kørslen flere gange" in page and "Prøv igen" in page
    again = client.post(f"/koordinator/program/{program.id}/matchning")
    assert again.status_code == 302
    new = fresh(session).exec(select(MatchRun).where(MatchRun.program_id == program.id, MatchRun.id != run.id)).one()
    assert new.status == "queued"


def test_a_worker_stopped_in_the_middle_of_a_run_hands_it_back_to_the_queue_at_once(
        engine, session, jobs_queue, start_worker):
    program = _largest_program(engine, session, 1500)
    run = start_run(session, program, by_user_id=None)
    jobs_queue.enqueue("match_run", run.id)
    worker = start_worker()
    wait_for(lambda: _run(session, run.id).progress in ("loading", "scoring"), what="the worker to take the run")
    with holding_the_run(engine, run.id) as (status, _progress):
        assert status == "running"
        worker.process.send_signal(signal.SIGTERM)  # stop now, as a deploy does after its grace time
    worker.process.wait(60)
    handed_back = _run(session, run.id)
    assert (handed_back.status, handed_back.progress, handed_back.lease_until) == ("queued", "restarted", None)
    assert "match_run" in jobs_queue.pending_names()
    start_worker()
    wait_for(lambda: _run(session, run.id).status == "done", timeout=120, what="another worker to finish it")
    assert _run(session, run.id).attempts == 2


def _coordinator_email(session, program: Program) -> str:  # noqa: ANN001
    from models.users import User

    return session.exec(select(User.email).where(User.organisation_id == program.organisation_id,
                                                 User.role == "coordinator")).first()


def test_two_workers_given_the_same_run_many_times_run_it_once(engine, session, jobs_queue, start_worker):
    program = _largest_program(engine, session, 300)
    other = session.exec(select(Program).where(Program.organisation_id == program.organisation_id,
                                               Program.id != program.id)).first()
    run = start_run(session, program, by_user_id=None)
    other_run = start_run(session, other, by_user_id=None) if other is not None else None
    for _ in range(6):  # delivered again and again, as a retry or a second machine might
        jobs_queue.enqueue("match_run", run.id)
        jobs_queue.enqueue("recover_runs")
    if other_run is not None:
        jobs_queue.enqueue("match_run", other_run.id)
    start_worker(workers=2)
    start_worker(workers=2)
    wait_for(lambda: _run(session, run.id).status == "done" and jobs_queue.pending() == 0, timeout=120,
             what="the run to be done and the queue empty")
    done = _run(session, run.id)
    assert done.attempts == 1  # every start is a claim, and only one claim ever succeeded
    firsts = session.exec(select(Proposal.request_id).where(Proposal.run_id == run.id, Proposal.rank == 1)).all()
    assert len(firsts) == len(set(firsts)) == done.stats["matched_requests"]
    if other_run is not None:
        wait_for(lambda: _run(session, other_run.id).status == "done", what="the other program's run")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_makker_serve_on_a_fresh_instance_runs_the_matching_in_its_own_worker(tmp_path: Path):
    instance = tmp_path / "fresh-instance"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MAKKER_QUEUE_URL")}
    env.update(MAKKER_ENV="development", MAKKER_INSTANCE_PATH=str(instance))
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen([sys.executable, "-m", "web", "serve", "--port", str(port)], env=env, cwd=ROOT,
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status == 200
            except OSError:
                return False

        wait_for(answers, timeout=120, what="makker serve to answer")
        worker_pid = int(re.search(r"worker runs beside it \(process (\d+)\)", (tmp_path / "serve.log").read_text())[1])
        queued = subprocess.run([sys.executable, "-m", "web", "match", "--program", "unge-mentorer", "--queue"],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert "on the queue" in queued.stdout, queued.stdout + queued.stderr
        run_id = int(re.search(r"run (\d+)", queued.stdout)[1])
        db = make_engine(f"sqlite:///{instance / 'makker.sqlite3'}")
        with Session(db) as session:
            wait_for(lambda: fresh(session).get(MatchRun, run_id).status == "done", timeout=120,
                     what="serve's worker to finish the run")
            assert session.exec(select(Proposal).where(Proposal.run_id == run_id)).first() is not None
        db.dispose()
        # A worker that crashes is started again by serve (which starts no thread to watch it).
        os.kill(worker_pid, signal.SIGKILL)
        worker_pid = wait_for(lambda: next((pid for pid in _workers_of(serve.pid) if pid != worker_pid), None),
                              timeout=30, what="serve to start a new worker")
        assert serve.poll() is None
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)
        log.close()
    # Stopping serve stops its worker too.
    wait_for(lambda: not _alive(worker_pid), timeout=30, what="the worker to stop with serve")


def test_a_worker_whose_parent_is_gone_stops_by_itself(engine, database_url: str, queue_url: str,  # noqa: ANN001
                                                        queue_name: str, tmp_path: Path):
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    worker = WorkerProcess(database_url, queue_url, queue_name, tmp_path, extra=["--parent-pid", str(parent.pid)])
    worker.start()
    try:
        wait_for(lambda: "periodic jobs" in worker.output(), timeout=60, what="the worker to start")
        parent.kill()
        parent.wait(10)
        worker.process.wait(60)
    finally:
        worker.stop()
    assert "is gone; stopping" in worker.output()


def _workers_of(parent_pid: int) -> list[int]:
    """The live ``web worker`` processes whose parent is ``parent_pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == parent_pid and stat[0] != "Z" and b"worker" in command:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie left for its parent to reap counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
