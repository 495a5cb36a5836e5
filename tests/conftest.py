"""Shared fixtures: an app on a fresh database per test, and small worlds built with seed/.

Set MAKKER_TEST_DATABASE_URL to a PostgreSQL URL to run the suite on PostgreSQL (CI does);
otherwise each test gets its own SQLite file copied from a template made once.
With CI=true, tests that need PostgreSQL or Chromium fail instead of being skipped.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

# Before models.users is imported: argon2 at its lowest cost in the tests (see models/users.py),
# also in the worker and server processes the tests start (they inherit the environment).
os.environ.setdefault("MAKKER_TEST_CHEAP_HASHING", "1")

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from models.db import create_schema, make_engine  # noqa: E402

PG_URL = os.environ.get("MAKKER_TEST_DATABASE_URL", "").strip()
IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI a skipped PostgreSQL or browser test is a failure."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _worker_database(url: str, worker: str) -> str:
    """With pytest-xdist each worker gets its own PostgreSQL database."""
    if worker == "master":
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_url(worker_id: str) -> str:
    return _worker_database(PG_URL, worker_id) if PG_URL else ""


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory, _pg_url: str) -> str:
    if _pg_url:
        engine = make_engine(_pg_url)
        import models.tables  # noqa: F401

        SQLModel.metadata.drop_all(engine)
        create_schema(engine)
        engine.dispose()
        return _pg_url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return str(path)


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(_database_template: str, tmp_path: Path):  # noqa: ANN201
    if PG_URL:
        yield _database_template
        _truncate_all(_database_template)
        return
    target = tmp_path / "makker.sqlite3"
    shutil.copyfile(_database_template, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # noqa: ANN201
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            "ENVIRON": {"MAKKER_ENV": "testing"},
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "makker.test",
            "MAKKER_BASE_URL": "http://makker.test",
        }
    )
    yield app
    app.extensions["makker_engine"].dispose()


@pytest.fixture
def engine(app):  # noqa: ANN001, ANN201
    return app.extensions["makker_engine"]


@pytest.fixture
def session(engine):  # noqa: ANN001, ANN201
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


PASSWORD = "correct horse battery"


@dataclass
class OrgWorld:
    organisation: object
    program: object
    family_program: object
    admin: object
    coordinator: object
    volunteer_user: object
    volunteer: object
    other_volunteer: object
    youth: object
    request: object
    household: object
    family_request: object
    match: object
    run: object
    proposal: object
    youth_consent: object = None  # the consent recorded for ``youth``
    # referrals (issue 13): a unit referring to both programmes, its caseworker, a referral waiting
    # for a decision, one accepted (it became ``family_request``) with a status sent back
    unit: object = None
    referrer: object = None
    referral: object = None
    accepted_referral: object = None
    referral_status: object = None


def build_org(session: Session, name: str, slug: str) -> OrgWorld:
    from seed import builders as b

    org = b.make_organisation(session, name=name, slug=slug)
    program = b.make_program(session, org, name=f"Mentorer for unge ({name})", slug="unge")
    family_program = b.make_program(session, org, name=f"Venskabsfamilier ({name})", slug="familier", serves="family",
                                    min_age=0, max_age=99)
    admin = b.make_user(session, org, "admin", email=f"admin@{slug}.example.org", password=PASSWORD)
    coordinator = b.make_user(session, org, "coordinator", email=f"koordinator@{slug}.example.org", password=PASSWORD)
    volunteer_user = b.make_user(session, org, "volunteer", email=f"frivillig@{slug}.example.org", password=PASSWORD)
    volunteer = b.make_volunteer(session, program, user=volunteer_user, first_name="Anna")
    other_volunteer = b.make_volunteer(session, program, first_name="Bo", gender="male")
    youth = b.make_youth(session, org, first_name="Mads")
    request = b.make_request(session, program, youth=youth)
    household = b.make_household(session, org)
    family_request = b.make_request(session, family_program, household=household, need="Lektiehjælp")
    match = b.make_match(session, request, volunteer)
    from models.matchruns import MatchRun, Proposal

    run = MatchRun(organisation_id=org.id, program_id=family_program.id, status="done")
    session.add(run)
    session.flush()
    family_volunteer = b.make_volunteer(session, family_program, first_name="Dorte", supports="family")
    proposal = Proposal(organisation_id=org.id, run_id=run.id, request_id=family_request.id,
                        volunteer_id=family_volunteer.id, score=0.7,
                        breakdown={"components": [{"name": "distance", "weight": 2.0, "value": 1.0, "contribution": 0.1}]})
    session.add(proposal)
    from sqlmodel import select

    from models.consent import ConsentRecord

    # Read before the commit: a read after it would open a snapshot that hides the app's writes.
    youth_consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                             ConsentRecord.subject_id == youth.id)).first()
    unit = b.make_unit(session, org, [program, family_program], name=f"{name}s kommune, Børn og Unge")
    referrer = b.make_referrer(session, unit, email=f"henviser@{slug}.example.org", password=PASSWORD,
                               name="Sara Sagsbehandler")
    referral = b.make_referral(session, referrer, program)
    accepted = b.make_referral(session, referrer, family_program, kind="family", status="accepted",
                               household_id=household.id, request_id=family_request.id)
    from models.clock import utcnow
    from models.referrals.tables import ReferralStatus

    accepted.decided_at = utcnow()
    # The household's consent came with the referral (accepting moves it onto the household).
    session.add(ConsentRecord(organisation_id=org.id, subject_type="household", subject_id=household.id,
                              given_by="Forælder", relation="self", purpose="referral+status",
                              text_version="2026-henv-1", text="Samtykke til henvisningen.",
                              given_on=accepted.submitted_on))
    status = ReferralStatus(referral_id=accepted.id, how_it_goes="Det går godt.", sent_on=accepted.submitted_on,
                            sent_at=utcnow(), sent_by_id=coordinator.id, written_by_id=coordinator.id)
    session.add_all([accepted, status])
    session.flush()
    session.commit()
    return OrgWorld(org, program, family_program, admin, coordinator, volunteer_user, volunteer, other_volunteer,
                    youth, request, household, family_request, match, run, proposal, youth_consent,
                    unit, referrer, referral, accepted, status)


@pytest.fixture
def world(session: Session) -> OrgWorld:
    return build_org(session, "Roskilde Mentornetværk", "roskilde")


@pytest.fixture
def other_world(session: Session, world: OrgWorld) -> OrgWorld:
    return build_org(session, "Assens Venskabsfamilier", "assens")


def login(client, email: str, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return client.post("/log-ind", data={"email": email, "password": password})


@pytest.fixture
def as_role(client, world):  # noqa: ANN001, ANN201
    """Sign the test client in as one of the world's roles."""

    def _as(role: str):  # noqa: ANN202
        user = {"admin": world.admin, "coordinator": world.coordinator, "volunteer": world.volunteer_user,
                "referrer": world.referrer}[role]
        response = login(client, user.email)
        assert response.status_code == 302, response.data[:500]
        return client

    return _as


def pytest_report_header(config):  # noqa: ANN001, ANN201
    backend = "PostgreSQL " + PG_URL.rsplit("@", 1)[-1] if PG_URL else "SQLite (a file per test)"
    only = " (only the tests that open a database)" if DATABASE_ONLY and PG_URL else ""
    return [f"makker database: {backend}{only}", f"makker CI mode: {IN_CI}"]


# CI runs the whole suite on SQLite, then again on PostgreSQL with MAKKER_TEST_DATABASE_ONLY=1:
# the second run leaves out the tests that never open a database (the optimizer's and the
# scoring's property tests, catalogue and environment checks) — they are the same on both.
DATABASE_ONLY = os.environ.get("MAKKER_TEST_DATABASE_ONLY", "") == "1"


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    if not (DATABASE_ONLY and PG_URL):
        return
    def opens_a_database(item) -> bool:  # noqa: ANN001
        names = getattr(item, "fixturenames", ())
        return item.get_closest_marker("postgres") is not None or any(
            "database" in n or "engine" in n or n == "_pg_url" for n in names)

    same_everywhere = [i for i in items if not opens_a_database(i)]
    if same_everywhere:
        config.hook.pytest_deselected(items=same_everywhere)
        items[:] = [i for i in items if i not in same_everywhere]


def fresh(session):  # noqa: ANN001, ANN201
    """End the test's read transaction and forget cached rows: see what the app has written."""
    session.rollback()
    session.expire_all()
    return session
