"""Finding 3: sessions can be ended. Signing out ends the session for real (a copied cookie is
dead), and a password reset or change, a role change, a deactivation and "Log ud på alle enheder"
end the user's other sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from models.clock import utcnow
from models.outbox import OutboxMessage
from models.users import User
from tests.conftest import PASSWORD, fresh, login

HOST = "makker.test"


def _signed_in(app, email: str, remember: bool = False):  # noqa: ANN001, ANN202
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/log-ind", data=data).status_code == 302
    return client


def _copy(app, client):  # noqa: ANN001, ANN202
    """Another browser holding a copy of every cookie of ``client`` (a stolen cookie jar)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain=HOST)
        if cookie is not None:
            thief.set_cookie(name, cookie.value, domain=HOST)
    return thief


def _me(client) -> int:  # noqa: ANN001
    return client.get("/api/v1/me").status_code


def test_a_cookie_copied_before_signing_out_no_longer_works_afterwards(app, world):
    client = _signed_in(app, world.coordinator.email)
    thief = _copy(app, client)
    assert _me(thief) == 200
    client.post("/log-ud")
    assert _me(client) == 401 and _me(thief) == 401
    assert thief.get("/koordinator/").status_code == 302  # to the sign-in page


def test_a_remembered_device_copied_before_signing_out_no_longer_works_either(app, world):
    client = _signed_in(app, world.volunteer_user.email, remember=True)
    assert client.get_cookie("remember_token", domain=HOST) is not None
    remembered = app.test_client()  # the browser was closed: only the remember cookie is left
    remembered.set_cookie("remember_token", client.get_cookie("remember_token", domain=HOST).value, domain=HOST)
    assert _me(remembered) == 200
    assert _me(remembered) == 200  # and stays signed in, request after request
    client.post("/log-ud")
    fresh_copy = app.test_client()
    fresh_copy.set_cookie("remember_token", "x", domain=HOST)
    assert _me(remembered) == 401 and _me(fresh_copy) == 401


def _reset_path(session, email: str) -> str:  # noqa: ANN001
    fresh(session)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset",
                                                       OutboxMessage.to_email == email)).one()
    return re.search(r"https?://\S+", message.body).group(0).split(HOST, 1)[1]


def test_a_password_reset_ends_every_session_of_the_user(app, session, world):
    laptop = _signed_in(app, world.coordinator.email)
    phone = _signed_in(app, world.coordinator.email, remember=True)
    other_user = _signed_in(app, world.admin.email)
    anonymous = app.test_client()
    anonymous.post("/glemt-adgangskode", data={"email": world.coordinator.email})
    new = "et-helt-nyt-kodeord"
    assert anonymous.post(_reset_path(session, world.coordinator.email),
                          data={"password": new, "confirm": new}).status_code == 302
    assert _me(laptop) == 401 and _me(phone) == 401
    assert _me(other_user) == 200  # nobody else is signed out


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, session, world):
    laptop = _signed_in(app, world.volunteer_user.email)
    phone = _signed_in(app, world.volunteer_user.email)
    new = "et-helt-nyt-kodeord"
    response = laptop.post("/konto/adgangskode", data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert _me(laptop) == 200 and _me(phone) == 401
    fresh(session)
    assert login(app.test_client(), world.volunteer_user.email, new).status_code == 302


def test_changing_the_password_needs_the_current_one_and_changes_nothing_otherwise(app, session, world):
    laptop = _signed_in(app, world.volunteer_user.email)
    phone = _signed_in(app, world.volunteer_user.email)
    before = fresh(session).get(User, world.volunteer_user.id).password_hash
    response = laptop.post("/konto/adgangskode", data={"current": "forkert-kodeord", "password": "et-helt-nyt-kodeord",
                                                       "confirm": "et-helt-nyt-kodeord"})
    assert response.status_code == 400 and "Forkert adgangskode" in response.get_data(as_text=True)
    assert fresh(session).get(User, world.volunteer_user.id).password_hash == before
    assert _me(phone) == 200


@pytest.mark.parametrize("change", [{"role": "admin"}, {"active": "0"}])
def test_a_role_change_or_deactivation_ends_every_session_of_that_user(app, world, change):
    coordinator = _signed_in(app, world.coordinator.email, remember=True)
    admin = _signed_in(app, world.admin.email)
    assert admin.post(f"/admin/brugere/{world.coordinator.id}", data=change).status_code == 302
    assert _me(coordinator) == 401
    assert _me(admin) == 200


@pytest.mark.parametrize(("email_of", "page"), [("volunteer_user", "/frivillig/profil"), ("coordinator", "/konto"),
                                                ("admin", "/konto"), ("volunteer_user", "/konto")])
def test_sign_out_on_all_devices_is_on_the_profile_page_and_ends_every_session(app, world, email_of, page):
    email = getattr(world, email_of).email
    laptop = _signed_in(app, email)
    phone = _signed_in(app, email, remember=True)
    html = laptop.get(page).get_data(as_text=True)
    assert "Log ud på alle enheder" in html
    action = re.search(r'<form[^>]+action="([^"]+)"[^>]*>(?:(?!</form>).)*Log ud på alle enheder', html, re.S).group(1)
    response = laptop.post(action)
    assert response.status_code == 302 and response.headers["Location"].endswith("/log-ind")
    assert _me(laptop) == 401 and _me(phone) == 401


def test_the_account_page_is_for_signed_in_people_only(client):
    assert client.get("/konto").status_code == 302
    assert client.post("/konto/log-ud-alle").status_code == 302


def test_a_session_ends_after_a_long_idle_time_unless_the_device_is_remembered(session, world):
    from models.sessions import IDLE_LIMIT, REMEMBERED_IDLE_LIMIT, start_session, user_for_token

    now = utcnow()
    short = start_session(session, world.coordinator, remember=False, now=now)
    long = start_session(session, world.coordinator, remember=True, now=now)
    later = now + IDLE_LIMIT + timedelta(minutes=1)
    assert user_for_token(session, short, now=now + timedelta(minutes=30)) is not None
    assert user_for_token(session, short, now=later + timedelta(minutes=31)) is None
    assert user_for_token(session, long, now=later).id == world.coordinator.id
    assert user_for_token(session, long, now=now + REMEMBERED_IDLE_LIMIT * 3) is None
    assert user_for_token(session, "not-a-token") is None


def test_the_database_keeps_only_a_hash_of_the_session_token(session, world):
    from models.sessions import UserSession, start_session

    token = start_session(session, world.coordinator, remember=False)
    stored = [row.token_hash for row in session.exec(select(UserSession))]
    assert stored and token not in stored


def test_a_sessions_last_use_is_written_at_most_every_few_minutes(app, session, world):
    from models.sessions import UserSession

    client = _signed_in(app, world.coordinator.email)
    row = fresh(session).exec(select(UserSession).where(UserSession.user_id == world.coordinator.id)).one()
    row.last_seen_at = utcnow() - timedelta(minutes=10)
    session.add(row)
    session.commit()
    assert _me(client) == 200
    touched = fresh(session).get(UserSession, row.id).last_seen_at
    assert utcnow() - touched < timedelta(minutes=1)
    assert _me(client) == 200
    assert fresh(session).get(UserSession, row.id).last_seen_at == touched
