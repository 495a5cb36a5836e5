"""Finding 2: every link in an e-mail uses the configured public address, never the Host header
the request came with; in production a Host that is not ours is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from models.outbox import OutboxMessage
from tests.conftest import PASSWORD, fresh, login
from tests.web.test_volunteer_pages import signup_data

PUBLIC = "https://makker.example.org"
FORGED = {"Host": "evil.example"}
URL = re.compile(r"https?://[^\s\"'<>]+")


def _links(session) -> list[str]:  # noqa: ANN001
    fresh(session)
    return [url for m in session.exec(select(OutboxMessage)).all() for url in URL.findall(m.body)]


def test_every_emailed_link_uses_the_public_address_whatever_host_the_request_named(app, client, session, world):
    # Signed-out requests name a forged host; signed-in ones come on the test host (makker.test):
    # either way the links must use the configured public address.
    app.config["MAKKER_BASE_URL"] = PUBLIC
    assert client.post("/glemt-adgangskode", data={"email": world.coordinator.email}, headers=FORGED).status_code == 302
    assert client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}", data=signup_data(),
                       headers=FORGED).status_code == 302
    login(client, world.admin.email)
    assert client.post("/admin/brugere/ny", data={"name": "Mette", "email": "mette@roskilde.example.org",
                                                  "role": "coordinator"}).status_code == 302
    client.post("/log-ud")
    login(client, world.coordinator.email)
    assert client.post(f"/koordinator/forslag/{world.proposal.id}/godkend", data={"intro_note": "Hej"}).status_code == 302
    client.post(f"/koordinator/frivillige/{world.other_volunteer.id}/godkendelse",
                data={"action": "step", "step-step": world.program.required_steps[0], "step-status": "approved",
                      "step-step_date": "2026-01-05"})
    links = _links(session)
    kinds = {m.kind for m in session.exec(select(OutboxMessage)).all()}
    assert {"password_reset", "confirm_email", "invite", "match_proposed"} <= kinds, kinds
    assert len(links) >= 4
    assert all(link.startswith(PUBLIC + "/") for link in links), links


def test_links_queued_by_commands_use_the_public_address(app, session, world):
    from datetime import timedelta

    from models import clock

    app.config["MAKKER_BASE_URL"] = PUBLIC
    result = app.test_cli_runner().invoke(args=["reminders", "--today", (clock.today() + timedelta(days=60)).isoformat()])
    assert result.exit_code == 0, result.output
    links = _links(session)
    assert links and all(link.startswith(PUBLIC + "/") for link in links), links


def test_no_view_builds_an_external_link_from_the_request():
    """url_for(..., _external=True) takes the host from the request: e-mail links use public_url."""
    root = Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for folder in ("web", "models") for path in (root / folder).rglob("*.py")
                 if re.search(r"[(,\s]_external\s*=", path.read_text(encoding="utf-8"))]
    assert offenders == [], f"build e-mail links with web.links.public_url: {offenders}"


def _production_app(database_url: str, instance: Path, **extra: str):  # noqa: ANN202
    from web import create_app

    environ = {"MAKKER_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": database_url,
               "MAKKER_BASE_URL": PUBLIC, **extra}
    return create_app({"TESTING": True, "INSTANCE_PATH": instance, "ENVIRON": environ, "WTF_CSRF_ENABLED": False})


def test_in_production_a_forged_host_is_refused_and_nothing_is_sent(database_url, tmp_path, session, world):
    app = _production_app(database_url, tmp_path)
    client = app.test_client()
    response = client.post("/glemt-adgangskode", data={"email": world.coordinator.email},
                           base_url="https://evil.example")
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True)  # the ordinary error page, not a crash
    assert _links(session) == []
    assert client.get("/log-ind", base_url=PUBLIC).status_code == 200


def test_in_production_extra_host_names_can_be_trusted(database_url, tmp_path, world):
    app = _production_app(database_url, tmp_path, MAKKER_TRUSTED_HOSTS="10.0.0.12, makker.internal")
    client = app.test_client()
    assert client.get("/api/v1/health", base_url="http://10.0.0.12").status_code == 200
    assert client.get("/log-ind", base_url="https://makker.internal").status_code == 200
    assert client.get("/log-ind", base_url="https://other.example").status_code == 400


@pytest.mark.parametrize("path", ["/log-ind", "/findes-ikke"])
def test_a_refused_host_gets_the_error_page_in_danish(database_url, tmp_path, world, path):
    app = _production_app(database_url, tmp_path)
    response = app.test_client().get(path, base_url="https://evil.example")
    assert response.status_code == 400 and "lang=\"da\"" in response.get_data(as_text=True)
    _ = PASSWORD
