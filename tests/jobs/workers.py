"""Helpers of the job tests: what a worker does once, a real worker process, waiting for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_one_job(queue) -> str | None:  # noqa: ANN001
    """Do what a worker does once: take the next message from the storage and execute it."""
    task = queue.huey.dequeue()
    if task is None:
        return None
    queue.huey.execute(task)
    return task.name


def drain(queue, limit: int = 50) -> list[str]:  # noqa: ANN001
    names = []
    while (name := run_one_job(queue)) is not None and len(names) < limit:
        names.append(name)
    return names


class WorkerProcess:
    """A real ``makker worker`` process against the test's database and queue."""

    def __init__(self, database_url: str, queue_url: str, queue_name: str, instance: Path, workers: int = 1,
                 extra: list[str] | None = None) -> None:
        self.env = {**os.environ, "MAKKER_ENV": "testing", "DATABASE_URL": database_url,
                    "MAKKER_QUEUE_URL": queue_url, "MAKKER_QUEUE_NAME": queue_name,
                    "MAKKER_INSTANCE_PATH": str(instance), "SECRET_KEY": "t" * 40}
        self.env.pop("REDIS_URL", None)
        self.workers = workers
        self.extra = extra or []
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.log = open(self.env["MAKKER_INSTANCE_PATH"] + f"/worker-{uuid.uuid4().hex[:6]}.log", "w")  # noqa: SIM115
        command = [sys.executable, "-m", "web", "worker", "--workers", str(self.workers), *self.extra]
        self.process = subprocess.Popen(command,
                                        env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        """As a crash or `kill -9` would: no chance to tidy up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text()


def wait_for(condition: Callable[[], object], timeout: float = 60.0, what: str = "the condition") -> object:
    """Poll a condition a real worker process will make true (this is waiting, not a clock)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
