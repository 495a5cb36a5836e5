"""Signing in and out, lockout after failed attempts, password reset through the outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from config import ConfigError, load_settings
from models.clock import utcnow
from models.outbox import OutboxMessage
from models.users import LoginAttempt, User
from tests.conftest import PASSWORD, login


def test_each_role_lands_on_its_own_home_page(client, world):
    for user, home in ((world.volunteer_user, "/frivillig/"), (world.coordinator, "/koordinator/"), (world.admin, "/admin/")):
        response = login(client, user.email)
        assert response.status_code == 302 and response.headers["Location"].endswith(home)
        assert client.get(home).status_code == 200
        client.post("/log-ud")


def test_a_wrong_password_gives_one_danish_message_that_does_not_reveal_the_account(client, world):
    known = login(client, world.coordinator.email, "forkert-adgangskode").get_data(as_text=True)
    unknown = login(client, "ingen@example.org", "forkert-adgangskode").get_data(as_text=True)
    assert "Forkert e-mail eller adgangskode." in known
    assert "Forkert e-mail eller adgangskode." in unknown


def test_the_email_typed_is_kept_after_a_failed_sign_in(client, world):
    page = login(client, world.coordinator.email, "forkert").get_data(as_text=True)
    assert f'value="{world.coordinator.email}"' in page


def test_five_failed_attempts_lock_the_address_for_a_while(client, session, world):
    for _ in range(5):
        login(client, world.coordinator.email, "forkert")
    response = login(client, world.coordinator.email, PASSWORD)
    assert response.status_code == 429
    assert "Prøv igen om" in response.get_data(as_text=True)
    # When the lock has run out, the right password works again.
    attempt = session.exec(select(LoginAttempt).where(LoginAttempt.email == world.coordinator.email)).one()
    attempt.locked_until = utcnow() - timedelta(seconds=1)
    session.add(attempt)
    session.commit()
    assert login(client, world.coordinator.email, PASSWORD).status_code == 302


def test_unknown_addresses_are_locked_just_like_known_ones(client):
    for _ in range(5):
        login(client, "ingen@example.org", "forkert")
    assert login(client, "ingen@example.org", "forkert").status_code == 429


def test_a_deactivated_user_cannot_sign_in(client, session, world):
    user = session.get(User, world.coordinator.id)
    user.active = False
    session.add(user)
    session.commit()
    assert login(client, world.coordinator.email).status_code == 200


def test_password_reset_link_arrives_in_the_outbox_and_works_once(client, session, world):
    response = client.post("/glemt-adgangskode", data={"email": world.volunteer_user.email})
    assert response.status_code == 302
    message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).one()
    assert message.to_email == world.volunteer_user.email
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("makker.test", 1)[1]
    new = "et-helt-nyt-kodeord"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    assert login(client, world.volunteer_user.email, new).status_code == 302
    client.post("/log-ud")
    # Used once: the link no longer works.
    response = client.post(path, data={"password": "endnu-et-kodeord", "confirm": "endnu-et-kodeord"})
    assert response.status_code == 302 and "glemt-adgangskode" in response.headers["Location"]


def test_asking_for_a_reset_of_an_unknown_address_looks_the_same_and_sends_nothing(client, session):
    response = client.post("/glemt-adgangskode", data={"email": "ingen@example.org"})
    assert response.status_code == 302
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_too_short_new_password_is_refused_next_to_the_field(client, session, world):
    client.post("/glemt-adgangskode", data={"email": world.volunteer_user.email})
    message = session.exec(select(OutboxMessage)).one()
    path = re.search(r"https?://\S+", message.body).group(0).split("makker.test", 1)[1]
    page = client.post(path, data={"password": "kort", "confirm": "kort"}).get_data(as_text=True)
    assert "mindst 10 tegn" in page


def test_forms_without_a_csrf_token_are_refused(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/log-ind", data={"email": world.coordinator.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formularen" in response.get_data(as_text=True)


def test_the_session_cookie_is_http_only_and_same_site(client, world):
    response = login(client, world.coordinator.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_sign_in_link_cannot_send_people_to_another_site(client, world):
    response = client.post("/log-ind?next=https://evil.example.com/", data={"email": world.coordinator.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/koordinator/")


def test_pages_load_nothing_from_other_sites(client):
    response = client.get("/log-ind")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http" not in re.sub(r'href="/|src="/', "", response.get_data(as_text=True)).split("<body", 1)[0].replace("http-equiv", "")


def test_english_is_the_second_language(client):
    client.get("/sprog/en")
    page = client.get("/log-ind").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_error_pages_speak_danish_and_english(client):
    assert "Siden blev ikke fundet" in client.get("/findes-ikke").get_data(as_text=True)
    client.get("/sprog/en")
    assert "The page was not found" in client.get("/findes-ikke").get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key_and_database(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL, MAKKER_BASE_URL"):
        load_settings(tmp_path, {"MAKKER_ENV": "production"})
    settings = load_settings(tmp_path, {"MAKKER_ENV": "production", "SECRET_KEY": "x" * 40,
                                        "DATABASE_URL": "postgresql://u@h/db",
                                        "MAKKER_BASE_URL": "https://makker.example.org"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_production_refuses_the_test_suites_cheap_password_hashing(tmp_path, monkeypatch):
    ready = {"MAKKER_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://u@h/db",
             "MAKKER_BASE_URL": "https://makker.example.org"}
    with pytest.raises(ConfigError, match="MAKKER_TEST_CHEAP_HASHING"):
        load_settings(tmp_path, {**ready, "MAKKER_TEST_CHEAP_HASHING": "1"})
    from argon2 import PasswordHasher, extract_parameters

    import models.users

    # Without the variable (every real run), passwords get argon2's recommended cost.
    monkeypatch.delenv("MAKKER_TEST_CHEAP_HASHING", raising=False)
    real = extract_parameters(models.users._password_hasher().hash("correct horse battery"))
    default = PasswordHasher()
    assert (real.time_cost, real.memory_cost, real.parallelism) == (default.time_cost, default.memory_cost,
                                                                    default.parallelism)
    monkeypatch.setenv("MAKKER_TEST_CHEAP_HASHING", "1")
    assert extract_parameters(models.users._password_hasher().hash("x")).memory_cost < default.memory_cost


def test_development_generates_and_keeps_a_secret_key_in_the_instance_folder(tmp_path):
    first = load_settings(tmp_path, {"MAKKER_ENV": "development"})
    second = load_settings(tmp_path, {"MAKKER_ENV": "development"})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url.startswith("sqlite:///") and first.dev_mailbox


def test_an_empty_sign_in_form_says_what_is_missing_next_to_each_field(client):
    page = client.post("/log-ind", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Skriv din e-mail." in page and "Skriv din adgangskode." in page
    assert 'aria-invalid="true"' in page and 'id="email-error"' in page


def test_an_overlong_email_is_refused_and_kept(client):
    long_email = "a" * 300 + "@example.org"
    page = client.post("/log-ind", data={"email": long_email, "password": "x"}).get_data(as_text=True)
    assert 'id="email-error"' in page and long_email in page


def test_asking_for_a_reset_with_a_malformed_address_is_explained(client):
    page = client.post("/glemt-adgangskode", data={"email": "ikke-en-adresse"}).get_data(as_text=True)
    assert "Skriv en gyldig e-mailadresse." in page and 'value="ikke-en-adresse"' in page
