"""Finding 7: sign-in guessing is slowed per client address (password spraying) and per account
and client (guessing one password); nobody can lock someone else out; parallel guesses are all
counted without a server error, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from config import load_settings
from models.clock import utcnow
from models.users import LoginAttempt, SignInLocked, authenticate
from tests.conftest import PASSWORD, fresh

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _login(client, email: str, password: str, environ: dict):  # noqa: ANN001, ANN202
    return client.post("/log-ind", data={"email": email, "password": password}, environ_base=environ)


def test_twenty_addresses_tried_from_one_client_are_slowed_down(client):
    statuses = [_login(client, f"person{i}@example.org", "forkert-kodeord", ATTACKER).status_code for i in range(20)]
    assert 429 in statuses and statuses[0] == 200
    assert statuses.index(429) <= 12  # a spray is stopped after a handful of tries
    # The answer to a refused client is the ordinary page in Danish, with a Retry-After.
    refused = _login(client, "person99@example.org", "x", ATTACKER)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "For mange forsøg" in refused.get_data(as_text=True)


def test_a_client_that_is_slowed_down_does_not_slow_down_anyone_else(client, world):
    for i in range(11):
        _login(client, f"person{i}@example.org", "forkert-kodeord", ATTACKER)
    assert _login(client, world.coordinator.email, PASSWORD, ATTACKER).status_code == 429
    assert _login(client, world.coordinator.email, PASSWORD, OWNER).status_code == 302


def test_wrong_passwords_from_another_client_cannot_lock_the_owner_out(client, world):
    for _ in range(6):
        _login(client, world.coordinator.email, "forkert-kodeord", ATTACKER)
    assert _login(client, world.coordinator.email, PASSWORD, ATTACKER).status_code == 429
    assert _login(client, world.coordinator.email, PASSWORD, OWNER).status_code == 302


def test_successful_sign_ins_from_one_office_are_not_counted(client, world):
    for _ in range(11):  # one more than the limit on failures
        assert _login(client, world.coordinator.email, PASSWORD, OWNER).status_code == 302
        client.post("/log-ud", environ_base=OWNER)


def test_the_back_off_grows_with_each_failure_and_is_capped(session, world):
    email, client = world.coordinator.email, "203.0.113.66"
    now = utcnow()
    locks = []
    for _ in range(10):
        try:
            authenticate(session, email, "forkert-kodeord", client=client, now=now)
        except SignInLocked:
            pytest.fail("a guess during a lock must not be evaluated")
        attempt = fresh(session).exec(select(LoginAttempt).where(LoginAttempt.email == email)).one()
        if attempt.locked_until:
            locks.append(round((attempt.locked_until - now).total_seconds() / 60))
            now = attempt.locked_until + timedelta(seconds=1)  # wait out the lock
    assert locks[:4] == [1, 2, 4, 8] and max(locks) == 15 == locks[-1]
    with pytest.raises(SignInLocked):
        authenticate(session, email, PASSWORD, client=client, now=now - timedelta(seconds=2))
    # Another client is not touched, and the right password clears this client's record.
    assert authenticate(session, email, PASSWORD, client="198.51.100.7", now=now).id == world.coordinator.id
    assert authenticate(session, email, PASSWORD, client=client, now=now).id == world.coordinator.id
    assert fresh(session).exec(select(LoginAttempt).where(LoginAttempt.client == client)).all() == []


def test_failures_are_forgotten_after_a_quiet_hour(session, world):
    email, now = world.coordinator.email, utcnow()
    for _ in range(4):
        authenticate(session, email, "forkert-kodeord", client="c", now=now)
    authenticate(session, email, "forkert-kodeord", client="c", now=now + timedelta(hours=2))
    attempt = fresh(session).exec(select(LoginAttempt)).one()
    assert attempt.failures == 1 and attempt.locked_until is None


def test_eight_wrong_passwords_at_once_are_all_counted_without_a_server_error(app, engine, world):
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def guess() -> None:
        client = app.test_client()
        barrier.wait()
        try:
            statuses.append(_login(client, world.coordinator.email, "forkert-kodeord", ATTACKER).status_code)
        except BaseException as error:  # noqa: BLE001 - the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(statuses) == 8 and set(statuses) <= {200, 429}, (errors, statuses)
    with Session(engine) as s:
        attempt = s.exec(select(LoginAttempt).where(LoginAttempt.email == world.coordinator.email)).one()
    # Every guess that was evaluated (answered "wrong password") is counted, none twice.
    assert attempt.failures == statuses.count(200) >= 5


def test_the_throttle_storage_is_memory_unless_redis_is_configured(tmp_path):
    dev = {"MAKKER_ENV": "development"}
    assert load_settings(tmp_path, dev).ratelimit_storage_uri == "memory://"
    assert load_settings(tmp_path, {**dev, "REDIS_URL": "redis://r:6379/0"}).ratelimit_storage_uri == "redis://r:6379/0"
    assert load_settings(tmp_path, {**dev, "REDIS_URL": "redis://r:6379/0",
                                    "RATELIMIT_STORAGE_URI": "redis://t:6379/2"}).ratelimit_storage_uri == "redis://t:6379/2"


@pytest.fixture
def redis_url():  # noqa: ANN201
    """A Redis server of the test's own (redis-server on a free port), or MAKKER_TEST_REDIS_URL."""
    import os

    if os.environ.get("MAKKER_TEST_REDIS_URL"):
        yield os.environ["MAKKER_TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server and no MAKKER_TEST_REDIS_URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)  # waiting for a server process to listen, not for the clock
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_web_instances_sharing_redis_share_the_count(database_url, tmp_path, world, redis_url):
    import uuid

    from web import create_app

    # A Redis may be shared with other runs (CI runs the suite twice): counts of our own only.
    prefix = f"makker-test-{uuid.uuid4().hex}"

    def instance(name: str):  # noqa: ANN202
        return create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / name,
                           "ENVIRON": {"MAKKER_ENV": "testing", "RATELIMIT_STORAGE_URI": redis_url},
                           "WTF_CSRF_ENABLED": False, "RATELIMIT_KEY_PREFIX": prefix})

    first, second = instance("a").test_client(), instance("b").test_client()
    statuses = [_login(first if i % 2 else second, f"p{i}@example.org", "forkert-kodeord", ATTACKER).status_code
                for i in range(20)]
    assert statuses[0] == 200 and 429 in statuses and statuses.index(429) <= 12
    # A third instance that has seen none of it refuses the same client, and no one else.
    third = instance("c").test_client()
    assert _login(third, "q@example.org", "forkert-kodeord", ATTACKER).status_code == 429
    assert _login(third, "q@example.org", "forkert-kodeord", OWNER).status_code == 200


def _app_behind(database_url: str, instance, proxies: str):  # noqa: ANN001, ANN202
    from web import create_app

    return create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": instance,
                       "ENVIRON": {"MAKKER_ENV": "testing", "MAKKER_PROXY_COUNT": proxies},
                       "WTF_CSRF_ENABLED": False})


def test_a_made_up_forwarded_for_header_does_not_escape_the_throttle(database_url, tmp_path, world):
    client = _app_behind(database_url, tmp_path, "0").test_client()
    statuses = [client.post("/log-ind", data={"email": f"p{i}@example.org", "password": "forkert-kodeord"},
                            headers={"X-Forwarded-For": f"192.0.2.{i}"}, environ_base=ATTACKER).status_code
                for i in range(14)]
    assert 429 in statuses


def test_behind_a_proxy_each_real_client_is_throttled_on_its_own(database_url, tmp_path, world):
    client = _app_behind(database_url, tmp_path, "1").test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(14):
        client.post("/log-ind", data={"email": f"p{i}@example.org", "password": "forkert-kodeord"},
                    headers={"X-Forwarded-For": "203.0.113.66"}, environ_base=proxy)
    refused = client.post("/log-ind", data={"email": world.coordinator.email, "password": PASSWORD},
                          headers={"X-Forwarded-For": "203.0.113.66"}, environ_base=proxy)
    allowed = client.post("/log-ind", data={"email": world.coordinator.email, "password": PASSWORD},
                          headers={"X-Forwarded-For": "198.51.100.7"}, environ_base=proxy)
    assert (refused.status_code, allowed.status_code) == (429, 302)
