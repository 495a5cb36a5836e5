"""Running workers: ``makker worker`` (any number, on any machine) and the one ``makker serve``
starts beside the development server as a child process.

Nothing here starts a thread of its own: the heartbeat rides on Huey's scheduler loop (it wakes
every second anyway), and ``makker serve`` learns that its worker died from ``SIGCHLD``.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from huey.consumer import Consumer, Scheduler

from web.jobs.queue import WORKER_SEEN_EVERY_SECONDS, Queue, get_queue

log = logging.getLogger("makker.jobs")

WORKER_TYPES = ("thread", "process")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class _HeartbeatScheduler(Scheduler):
    """Huey's scheduler, which also says "alive" every few seconds and stops the worker when the
    process that started it (``serve``) is gone."""

    queue: Queue
    name: str
    parent_pid: int | None
    consumer_pid: int
    _next_beat: float = 0.0

    def loop(self, now=None) -> None:  # noqa: ANN001 - Huey's signature
        if time.monotonic() >= self._next_beat:
            self._next_beat = time.monotonic() + WORKER_SEEN_EVERY_SECONDS
            self.beat()
        super().loop(now)

    def _parent_gone(self) -> bool:
        # Re-parented (thread workers: this is the consumer's own process), or no longer there.
        if os.getpid() == self.consumer_pid and os.getppid() != self.parent_pid:
            return True
        return not _alive(self.parent_pid)

    def beat(self) -> None:
        if self.parent_pid is not None and self._parent_gone():
            log.warning("the process that started this worker is gone; stopping")
            os.kill(self.consumer_pid, signal.SIGINT)  # a graceful stop: current jobs finish
            return
        try:
            self.queue.worker_seen(self.name)
        except Exception:  # noqa: BLE001 - the queue may be restarting; say it next time
            log.exception("could not record that worker %s is alive", self.name)


class _Consumer(Consumer):
    scheduler_class = _HeartbeatScheduler

    def __init__(self, queue: Queue, parent_pid: int | None, **options) -> None:  # noqa: ANN003
        self._makker = (queue, parent_pid, os.getpid())
        super().__init__(queue.huey, **options)

    def _create_scheduler(self) -> _HeartbeatScheduler:
        scheduler = super()._create_scheduler()
        scheduler.queue, scheduler.parent_pid, scheduler.consumer_pid = self._makker
        scheduler.name = self._makker[0].worker_name
        return scheduler


def run_worker(app: Flask, workers: int = 2, worker_type: str = "thread", periodic: bool = True,
               parent_pid: int | None = None, shutdown_timeout: float = 30.0) -> None:
    """Run a Huey consumer on the app's queue until SIGINT (finish the current jobs) or SIGTERM."""
    queue = get_queue(app)
    name = queue.worker_name
    consumer = _Consumer(queue, parent_pid, workers=workers, worker_type=worker_type, periodic=periodic,
                         check_worker_health=True, health_check_interval=5, max_delay=1.0,
                         shutdown_timeout=shutdown_timeout)
    queue.worker_seen(name)
    # A worker that starts looks at once for runs that a stopped worker left behind.
    queue.enqueue("recover_runs")
    try:
        consumer.run()
    finally:
        try:
            queue.worker_stopped(name)
        except Exception:  # noqa: BLE001 - the entry ages out by itself
            log.exception("could not record that worker %s stopped", name)


class ChildWorker:
    """The worker that ``makker serve`` runs as a child process, started again if it dies.

    The server's main thread hears of a dead child by ``SIGCHLD`` and starts a new one; a worker
    that dies within seconds of starting is not restarted more than once every few seconds.
    """

    RESTART_PAUSE_SECONDS = 2.0

    def __init__(self, instance_path: str, workers: int = 1, env: str | None = None) -> None:
        self.instance_path = instance_path
        self.workers = workers
        self.mode = env  # the child runs in the same mode (development, ...) as the server
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = False
        self._started_at = 0.0
        self._previous_handler = None

    def _spawn(self) -> subprocess.Popen:
        env = {**os.environ, "MAKKER_INSTANCE_PATH": self.instance_path}
        if self.mode:
            env["MAKKER_ENV"] = self.mode
        command = [sys.executable, "-m", "web", "worker", "--workers", str(self.workers),
                   "--parent-pid", str(os.getpid())]
        self._started_at = time.monotonic()
        return subprocess.Popen(command, env=env, cwd=str(Path(self.instance_path).parent))

    def start(self) -> ChildWorker:
        self._previous_handler = signal.signal(signal.SIGCHLD, self._child_changed)
        self.process = self._spawn()
        return self

    def _child_changed(self, _signum: int, _frame) -> None:  # noqa: ANN001
        process = self.process
        if self._stopping or process is None or process.poll() is None:
            return  # another child, or a stop we asked for
        log.warning("the background worker stopped (exit %s); starting it again", process.returncode)
        pause = self.RESTART_PAUSE_SECONDS - (time.monotonic() - self._started_at)
        if pause > 0:
            time.sleep(pause)
        self.restarts += 1
        self.process = self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the worker to finish its current job, then make sure it is gone."""
        self._stopping = True
        if self._previous_handler is not None:
            signal.signal(signal.SIGCHLD, self._previous_handler)
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
