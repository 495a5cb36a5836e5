"""The task queue of one app: Huey on SQLite (the embedded default) or on Redis (several machines).

``init_app`` builds it from the settings and binds every job of the registry to it; views and
commands call ``enqueue(name, *args)``. The queue carries only "do job X with these ids"; the
state of the work lives in the database (see ``models/jobs``), so any web instance shows it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey
from huey.signals import SIGNAL_INTERRUPTED
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from models.clock import today as danish_today
from models.clock import utcnow
from models.families.figures import STALE_KEY as FIGURES_STALE
from models.jobs.operations import finish_slot, release_slot, take_slot
from models.matchruns import release_interrupted_run
from models.outbox import OutboxMessage
from web.jobs.registry import JOBS, JobSpec

log = logging.getLogger("makker.jobs")

WORKER_KEY = "makker-worker:"
WORKER_SEEN_EVERY_SECONDS = 10
WORKER_GONE_AFTER_SECONDS = 60  # no sign of life for this long: the worker is gone


@dataclass
class JobContext:
    """What a running job may use: the database, the settings, the clock, the queue."""

    app: Flask
    queue: Queue
    worker: str

    @property
    def engine(self) -> Engine:
        return self.app.extensions["makker_engine"]

    @property
    def settings(self) -> Settings:
        return self.app.config["MAKKER_SETTINGS"]

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def now(self) -> datetime:
        clock = self.app.config.get("JOBS_CLOCK")  # tests move the clock
        return clock() if clock else utcnow()

    def today(self) -> date:
        clock = self.app.config.get("JOBS_CLOCK")
        if clock:
            from web.jobs.registry import danish

            return danish(clock()).date()
        return danish_today()

    def enqueue(self, name: str, *args: Any) -> bool:
        return self.queue.enqueue(name, *args)


def make_huey(settings: Settings) -> Huey:
    """Huey on the queue URL of the settings. Results are not kept: jobs write to the database."""
    url = settings.queue_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return Huey(settings.queue_name, results=False, storage_class=SqliteStorage, filename=str(path),
                    timeout=30)
    return Huey(settings.queue_name, results=False, storage_class=RedisStorage, url=url)


class Queue:
    """The app's Huey instance with every registered job bound to it by name."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.huey = make_huey(settings)
        self.worker_name = f"{socket.gethostname()}:{os.getpid()}"
        self._created_pid = os.getpid()
        self._tasks: dict[str, Any] = {}
        for spec in JOBS.values():
            self._bind(spec)

        @self.huey.signal(SIGNAL_INTERRUPTED)
        def _hand_back_interrupted_runs(_signal: str, task: Any, *_args: Any, **_kwargs: Any) -> None:
            # Stopped without time to finish (a deploy, SIGTERM): the run is queued again now,
            # for another worker, rather than when its lease runs out.
            if task.name != "match_run" or not task.args:
                return
            with Session(self.app.extensions["makker_engine"]) as session:
                if release_interrupted_run(session, task.args[0], self.worker_name, utcnow()):
                    self.enqueue("match_run", task.args[0])
                    log.warning("match run %s was interrupted and is queued again", task.args[0])

        @self.huey.on_startup()
        def _fresh_connections_after_fork() -> None:
            # Process workers are forked: they must not share the parent's database connections.
            if os.getpid() != self._created_pid:
                self.app.extensions["makker_engine"].dispose(close=False)
                self.worker_name = f"{socket.gethostname()}:{os.getpid()}"

    def _bind(self, spec: JobSpec) -> None:
        run = self._runner(spec)
        if spec.schedule is not None:
            due = spec.schedule.due
            task = self.huey.periodic_task(lambda ts: due(ts), name=spec.name, retries=spec.retries,
                                           retry_delay=spec.retry_delay)(run)
        else:
            task = self.huey.task(name=spec.name, retries=spec.retries, retry_delay=spec.retry_delay)(run)
        self._tasks[spec.name] = task

    def _runner(self, spec: JobSpec) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            with self.app.app_context():
                ctx = JobContext(self.app, self, self.worker_name)
                if spec.schedule is None or spec.schedule.slot is None:
                    return spec.func(ctx, *args)
                return self._run_in_slot(spec, ctx, *args)
        run.__name__ = spec.name
        return run

    def _run_in_slot(self, spec: JobSpec, ctx: JobContext, *args: Any) -> Any:
        # Each scheduler offers the job; the first to take the slot's row does it.
        now = ctx.now()
        with ctx.session() as session:
            record = take_slot(session, spec.name, spec.schedule.slot(now), now)  # type: ignore[union-attr]
            if record is None:
                return None
            try:
                report = spec.func(ctx, *args)
            except Exception:
                release_slot(session, record)  # the next offer tries again
                log.exception("periodic job %s failed", spec.name)
                raise
            finish_slot(session, record, ctx.now(), report if isinstance(report, dict) else {})
            return report

    def task(self, name: str) -> Any:
        return self._tasks[name]

    def enqueue(self, name: str, *args: Any) -> bool:
        """Put job ``name`` on the queue; False (logged) when the queue cannot be reached.

        With ``QUEUE_IMMEDIATE`` (tests) the job runs at once in the caller, as a worker would.
        """
        task = self._tasks[name]
        if self.app.config.get("QUEUE_IMMEDIATE"):
            try:
                task.call_local(*args)
            except Exception:  # noqa: BLE001 - a worker logs failures too; the state is in the database
                log.exception("job %s failed", name)
            return True
        try:
            task(*args)
        except Exception:  # noqa: BLE001 - e.g. Redis is down: the periodic recovery sends it again
            log.exception("could not put job %s on the queue", name)
            return False
        return True

    def enqueue_in(self, delay_s: float, name: str, *args: Any) -> bool:
        """Like ``enqueue``, but the job starts ``delay_s`` seconds from now (a debounce: the
        writes of the next seconds are counted by the same run). Immediately under ``QUEUE_IMMEDIATE``."""
        if self.app.config.get("QUEUE_IMMEDIATE"):
            return self.enqueue(name, *args)
        try:
            self._tasks[name].schedule(args=args, delay=delay_s)
        except Exception:  # noqa: BLE001 - the daily refresh is the safety net
            log.exception("could not put job %s on the queue", name)
            return False
        return True

    # Which workers are alive is kept in the queue's own storage (not the database): a worker
    # that says "alive" every few seconds must never get in the way of the pages' writes.
    def worker_seen(self, name: str, now: float | None = None) -> None:
        self.huey.put(WORKER_KEY + name, time.time() if now is None else now)

    def worker_stopped(self, name: str) -> None:
        self.huey.delete(WORKER_KEY + name)

    def _worker_times(self) -> dict[str, float]:
        times = {}
        for key, raw in self.huey.storage.result_items().items():
            key = key.decode() if isinstance(key, bytes) else key
            if key.startswith(WORKER_KEY):
                times[key.removeprefix(WORKER_KEY)] = float(self.huey.serializer.deserialize(bytes(raw)))
        return times

    def live_workers(self, now: float | None = None) -> int | None:
        """How many workers said "alive" lately; None when the queue cannot be reached."""
        now = time.time() if now is None else now
        try:
            return sum(1 for seen in self._worker_times().values() if seen >= now - WORKER_GONE_AFTER_SECONDS)
        except Exception:  # noqa: BLE001 - a page must not fail because the queue is away
            log.exception("could not read the live workers")
            return None

    def forget_gone_workers(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        gone = [name for name, seen in self._worker_times().items() if seen < now - 10 * WORKER_GONE_AFTER_SECONDS]
        for name in gone:
            self.worker_stopped(name)
        return len(gone)

    def pending(self) -> int:
        return self.huey.pending_count()

    def pending_names(self) -> list[str]:
        return [task.name for task in self.huey.pending()]

    def flush(self) -> None:
        self.huey.flush()


_QUEUES: weakref.WeakKeyDictionary[Engine, Queue] = weakref.WeakKeyDictionary()


def init_app(app: Flask) -> None:
    import web.jobs.tasks  # noqa: F401 - registers the jobs

    settings: Settings = app.config["MAKKER_SETTINGS"]
    if app.config.get("QUEUE_URL"):
        from dataclasses import replace

        settings = replace(settings, queue_url=app.config["QUEUE_URL"])
    if app.config.get("QUEUE_NAME"):
        from dataclasses import replace

        settings = replace(settings, queue_name=app.config["QUEUE_NAME"])
    queue = Queue(app, settings)
    app.extensions["makker_queue"] = queue
    # The commit hooks below find the app's queue by the session's engine: mail goes out right
    # after the commit that queued it (with a mail server), family figures are counted again.
    _QUEUES[app.extensions["makker_engine"]] = queue


def get_queue(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions["makker_queue"]


def enqueue(name: str, *args: Any) -> bool:
    """Put job ``name`` on the current app's queue (see ``Queue.enqueue``)."""
    return get_queue().enqueue(name, *args)


@event.listens_for(Session, "after_flush")
def _note_new_mail(session: Session, _context: object) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["makker_new_mail"] = True


@event.listens_for(Session, "after_commit")
def _send_new_mail(session: Session) -> None:
    if not session.info.pop("makker_new_mail", False):
        return
    queue = _QUEUES.get(session.bind) if isinstance(session.bind, Engine) else None
    if queue is not None and queue.settings.mail_server and not queue.app.config.get("QUEUE_IMMEDIATE"):
        queue.enqueue("send_outbox")


@event.listens_for(Session, "after_rollback")
def _forget_new_mail(session: Session) -> None:
    session.info.pop("makker_new_mail", None)
    session.info.pop(FIGURES_STALE, None)


FAMILY_FIGURES_DEBOUNCE_S = 5.0  # a coordinator saving a family's answers: one count a few seconds later


@event.listens_for(Session, "after_commit")
def _refresh_family_figures(session: Session) -> None:
    """A commit made an organisation's stored family figures stale: one debounced refresh job."""
    organisations = session.info.pop(FIGURES_STALE, None)
    if not organisations:
        return
    queue = _QUEUES.get(session.bind) if isinstance(session.bind, Engine) else None
    if queue is None:
        return
    for organisation_id in sorted(organisations):
        queue.enqueue_in(FAMILY_FIGURES_DEBOUNCE_S, "family_figures", organisation_id)
