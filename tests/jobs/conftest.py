"""Job tests run on both queue back-ends: the embedded SQLite file and Redis.

Redis comes from MAKKER_TEST_REDIS_URL (``.ci/run`` starts one); without it the Redis cases are
skipped locally and fail in CI. Each test gets its own queue name, so parallel tests and a
shared Redis never see each other's jobs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.jobs.workers import WorkerProcess

REDIS_URL = os.environ.get("MAKKER_TEST_REDIS_URL", "").strip()
ROOT = Path(__file__).resolve().parents[2]


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    if not REDIS_URL:
        skip_or_fail("MAKKER_TEST_REDIS_URL is not set (a Redis for the queue tests)")
    if not _redis_answers(REDIS_URL):
        skip_or_fail(f"no Redis answers at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def queue_name() -> str:
    return f"makker_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_jobs_app(database_url: str, tmp_path: Path, queue_url: str, queue_name: str) -> Iterator[Callable]:
    """Apps whose queue is real (not immediate): jobs wait for a worker. ``environ`` adds settings."""
    from web import create_app

    made = []

    def _make(**environ: str):  # noqa: ANN202
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            "ENVIRON": {"MAKKER_ENV": "testing", **environ},
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "makker.test",
            "QUEUE_URL": queue_url,
            "QUEUE_NAME": queue_name,
        })
        made.append(app)
        return app

    yield _make
    for app in made:
        app.extensions["makker_queue"].flush()
        app.extensions["makker_engine"].dispose()


@pytest.fixture
def jobs_app(make_jobs_app):  # noqa: ANN001, ANN201
    return make_jobs_app()


@pytest.fixture
def jobs_engine(jobs_app):  # noqa: ANN001, ANN201
    return jobs_app.extensions["makker_engine"]


@pytest.fixture
def jobs_queue(jobs_app):  # noqa: ANN001, ANN201
    return jobs_app.extensions["makker_queue"]


@pytest.fixture
def start_worker(database_url: str, queue_url: str, queue_name: str, tmp_path: Path) -> Iterator[Callable]:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    started: list[WorkerProcess] = []

    def _start(workers: int = 1) -> WorkerProcess:
        worker = WorkerProcess(database_url, queue_url, queue_name, instance, workers).start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()
