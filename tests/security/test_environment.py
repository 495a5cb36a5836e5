"""Finding 1: the app started any other way than ``makker serve`` is production and keeps its
mail to itself; the development mailbox is for the operator of a development install only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from config import ConfigError, load_settings
from models.emails import send
from models.outbox import OutboxMessage
from tests.conftest import fresh
from tests.web.test_volunteer_pages import signup_data

PRODUCTION = {"MAKKER_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite:///x.db",
              "MAKKER_BASE_URL": "https://makker.example.org"}


def _app(database_url: str, instance: Path, environ: dict[str, str]):  # noqa: ANN202
    from web import create_app

    return create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": instance,
                       "ENVIRON": environ, "WTF_CSRF_ENABLED": False})


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "MAKKER_BASE_URL"])
def test_without_makker_env_the_app_is_production_and_refuses_to_start_without_its_settings(tmp_path, missing):
    environ = {k: v for k, v in PRODUCTION.items() if k not in ("MAKKER_ENV", missing)}
    with pytest.raises(ConfigError, match=missing):
        load_settings(tmp_path, environ)
    from web import create_app

    with pytest.raises(ConfigError):
        create_app({"INSTANCE_PATH": tmp_path, "ENVIRON": environ})


def test_an_app_started_without_any_settings_does_not_start_at_all(tmp_path):
    from web import create_app

    with pytest.raises(ConfigError, match="MAKKER_ENV=development"):
        create_app({"INSTANCE_PATH": tmp_path, "ENVIRON": {}})
    assert not (tmp_path / "secret_key").exists()


def test_with_all_its_settings_the_default_is_production(tmp_path):
    environ = {k: v for k, v in PRODUCTION.items() if k != "MAKKER_ENV"}
    settings = load_settings(tmp_path, environ)
    assert settings.production and not settings.dev_mailbox
    assert settings.base_url == "https://makker.example.org"


def test_the_public_address_must_be_a_web_address(tmp_path):
    with pytest.raises(ConfigError, match="MAKKER_BASE_URL"):
        load_settings(tmp_path, {**PRODUCTION, "MAKKER_BASE_URL": "makker.example.org"})


def test_the_makker_command_runs_in_development_unless_told_otherwise(tmp_path):
    from web.cli import make_cli_app

    app = make_cli_app(environ={}, instance_path=tmp_path)
    assert app.config["MAKKER_SETTINGS"].env == "development" and app.config["DEV_MAILBOX"]
    with pytest.raises(ConfigError):
        make_cli_app(environ={"MAKKER_ENV": "production"}, instance_path=tmp_path)


def _queue_reset_mail(app, world) -> None:  # noqa: ANN001
    from models.writes import begin_write
    from web.database import get_db

    with app.app_context():
        db = get_db()
        begin_write(db)  # the app's sessions refuse writes outside a write transaction
        send(db, "password_reset", to=world.admin.email, locale="da", organisation_id=world.organisation.id,
             name="Admin", link="https://makker.example.org/nulstil/hemmelig")
        db.commit()


def test_a_production_app_shows_no_mailbox_to_anyone(database_url, tmp_path, world):
    app = _app(database_url, tmp_path, {**PRODUCTION, "DATABASE_URL": database_url})
    _queue_reset_mail(app, world)
    client = app.test_client()
    response = client.get("/dev/postkasse", base_url="https://makker.example.org",
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 404 and b"hemmelig" not in response.data


@pytest.mark.parametrize(("remote", "host", "headers"), [
    ("203.0.113.7", "localhost", {}),                                  # another machine
    ("10.0.0.5", "127.0.0.1:5000", {}),                               # the local network
    ("127.0.0.1", "localhost", {"X-Forwarded-For": "203.0.113.7"}),   # through a proxy on this machine
    ("127.0.0.1", "localhost", {"Forwarded": "for=203.0.113.7"}),
    ("127.0.0.1", "makker.example.org", {}),                          # a public name pointing here
])
def test_the_development_mailbox_answers_no_one_but_this_machine(database_url, tmp_path, world, remote, host, headers):
    app = _app(database_url, tmp_path, {"MAKKER_ENV": "development"})
    _queue_reset_mail(app, world)
    response = app.test_client().get("/dev/postkasse", headers={"Host": host, **headers},
                                     environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == 404 and b"hemmelig" not in response.data


@pytest.mark.parametrize(("remote", "host"), [("127.0.0.1", "localhost"), ("127.0.0.1", "127.0.0.1:5000"),
                                              ("::1", "[::1]:5000")])
def test_the_operator_of_a_development_install_reads_the_mailbox_on_their_own_machine(
        database_url, tmp_path, world, remote, host):
    app = _app(database_url, tmp_path, {"MAKKER_ENV": "development"})
    _queue_reset_mail(app, world)
    response = app.test_client().get("/dev/postkasse", headers={"Host": host}, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == 200 and b"hemmelig" in response.data


def test_the_mailbox_is_off_when_a_mail_server_is_configured(database_url, tmp_path, world):
    app = _app(database_url, tmp_path, {"MAKKER_ENV": "development", "MAIL_SERVER": "smtp.example.org"})
    _queue_reset_mail(app, world)
    assert app.test_client().get("/dev/postkasse").status_code == 404


def test_a_newcomer_signs_up_a_volunteer_and_confirms_the_email_through_the_mailbox(
        database_url, tmp_path, session, world):
    app = _app(database_url, tmp_path, {"MAKKER_ENV": "development"})
    client = app.test_client()
    form = signup_data(email="maja@example.org", password="maja-har-et-kodeord", confirm="maja-har-et-kodeord")
    response = client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    mailbox = client.get("/dev/postkasse").get_data(as_text=True)
    link = re.search(r'href="(http://[^"]+/bliv-frivillig/bekraeft/[^"]+)"', mailbox).group(1)
    assert link.startswith("http://127.0.0.1:5000/")
    assert client.get(link.split("5000", 1)[1]).status_code == 302
    assert client.post("/log-ind", data={"email": "maja@example.org", "password": "maja-har-et-kodeord"}).status_code == 302
    fresh(session)
    assert session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "maja@example.org")).one()
