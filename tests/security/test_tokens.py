"""Finding 10: the CSRF token changes at sign-in, and an e-mail confirmation link works once.
Kept from before: reset links work once and expire (tests/test_auth.py)."""

from __future__ import annotations

import re

from sqlmodel import select

from models.outbox import OutboxMessage
from models.users import User
from tests.conftest import PASSWORD, fresh
from tests.web.test_volunteer_pages import signup_data

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, page[:2000]
    return match.group(1) or match.group(2)


def test_the_csrf_token_from_before_signing_in_is_refused_after_it(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    before = _token(client.get("/log-ind").get_data(as_text=True))
    response = client.post("/log-ind", data={"email": world.coordinator.email, "password": PASSWORD,
                                             "csrf_token": before})
    assert response.status_code == 302
    after = _token(client.get("/koordinator/").get_data(as_text=True))
    assert after != before
    # A form planted with the token an attacker saw before the sign-in does nothing.
    assert client.post("/log-ud", data={"csrf_token": before}).status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/log-ud", data={"csrf_token": after}).status_code == 302


def test_signing_out_also_gives_a_new_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    first = _token(client.get("/log-ind").get_data(as_text=True))
    client.post("/log-ind", data={"email": world.coordinator.email, "password": PASSWORD, "csrf_token": first})
    inside = _token(client.get("/koordinator/").get_data(as_text=True))
    client.post("/log-ud", data={"csrf_token": inside})
    assert _token(client.get("/log-ind").get_data(as_text=True)) not in (first, inside)


def _confirm_path(client, session, world) -> str:  # noqa: ANN001
    assert client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                       data=signup_data()).status_code == 302
    fresh(session)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "confirm_email")).one()
    return re.search(r"https?://\S+", mail.body).group(0).split("makker.test", 1)[1]


def test_an_email_confirmation_link_works_once(client, session, world):
    path = _confirm_path(client, session, world)
    first = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "din e-mail er bekræftet" in first
    user = fresh(session).exec(select(User).where(User.email == "signe@example.org")).one()
    confirmed_at = user.email_confirmed_at
    assert confirmed_at is not None
    again = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "din e-mail er bekræftet" not in again and "allerede brugt" in again
    assert fresh(session).get(User, user.id).email_confirmed_at == confirmed_at


def test_a_forged_or_broken_confirmation_link_confirms_nothing(client, session, world):
    path = _confirm_path(client, session, world)
    for broken in (path[:-3] + "abc", "/bliv-frivillig/bekraeft/eyJ1aWQiOjF9.x.y", "/bliv-frivillig/bekraeft/%20"):
        assert "bekræftet" not in client.get(broken, follow_redirects=True).get_data(as_text=True)
    assert fresh(session).exec(select(User).where(User.email == "signe@example.org")).one().email_confirmed_at is None
