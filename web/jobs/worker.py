"""Running workers: ``makker worker`` (any number, on any machine) and the one ``makker serve``
starts beside the development server as a child process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import Flask

from web.jobs.queue import WORKER_SEEN_EVERY_SECONDS, get_queue

log = logging.getLogger("makker.jobs")

WORKER_TYPES = ("thread", "process")


def _keep_alive(app: Flask, name: str, stop: threading.Event, parent_pid: int | None) -> None:
    """Say "alive" every few seconds; stop when the parent (``serve``) is gone."""
    queue = get_queue(app)
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("the process that started this worker is gone; stopping")
            os.kill(os.getpid(), signal.SIGINT)
            return
        try:
            queue.worker_seen(name)
        except Exception:  # noqa: BLE001 - the queue may be restarting; say it next time
            log.exception("could not record that worker %s is alive", name)
        stop.wait(WORKER_SEEN_EVERY_SECONDS)


def run_worker(app: Flask, workers: int = 2, worker_type: str = "thread", periodic: bool = True,
               parent_pid: int | None = None, shutdown_timeout: float = 30.0) -> None:
    """Run a Huey consumer on the app's queue until SIGINT (finish the current jobs) or SIGTERM."""
    queue = get_queue(app)
    name = queue.worker_name
    consumer = queue.huey.create_consumer(workers=workers, worker_type=worker_type, periodic=periodic,
                                          check_worker_health=True, health_check_interval=5, max_delay=1.0,
                                          shutdown_timeout=shutdown_timeout)
    stop = threading.Event()
    alive = threading.Thread(target=_keep_alive, args=(app, name, stop, parent_pid), daemon=True,
                             name="worker-alive")
    alive.start()
    # A worker that starts looks at once for runs that a stopped worker left behind.
    queue.enqueue("recover_runs")
    try:
        consumer.run()
    finally:
        stop.set()
        try:
            queue.worker_stopped(name)
        except Exception:  # noqa: BLE001 - the entry ages out by itself
            log.exception("could not record that worker %s stopped", name)


class ChildWorker:
    """The worker that ``makker serve`` runs as a child process, started again if it dies."""

    def __init__(self, instance_path: str, workers: int = 1, env: str | None = None) -> None:
        self.instance_path = instance_path
        self.workers = workers
        self.mode = env  # the child runs in the same mode (development, ...) as the server
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, daemon=True, name="worker-watchdog")

    def _spawn(self) -> subprocess.Popen:
        env = {**os.environ, "MAKKER_INSTANCE_PATH": self.instance_path}
        if self.mode:
            env["MAKKER_ENV"] = self.mode
        command = [sys.executable, "-m", "web", "worker", "--workers", str(self.workers),
                   "--parent-pid", str(os.getpid())]
        return subprocess.Popen(command, env=env, cwd=str(Path(self.instance_path).parent))

    def start(self) -> ChildWorker:
        self.process = self._spawn()
        self._watch.start()
        return self

    def _watchdog(self) -> None:
        while not self._stopping.wait(2):
            if self.process is not None and self.process.poll() is not None and not self._stopping.is_set():
                log.warning("the background worker stopped (exit %s); starting it again", self.process.returncode)
                time.sleep(1)
                self.process = self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the worker to finish its current job, then make sure it is gone."""
        self._stopping.set()
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
