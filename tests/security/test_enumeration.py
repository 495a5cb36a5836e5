"""Finding 6: neither sign-in nor sign-up tells whether an address has an account.

Sign-in verifies one password hash whatever the address (the probe measured ~148 ms for a known
address and ~8 ms for an unknown one); sign-up answers the same for a new and a taken address
and tells the owner of a taken one by e-mail instead."""

from __future__ import annotations

import pytest
from sqlmodel import select

import models.users
from models.outbox import OutboxMessage
from models.users import User
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh, login
from tests.web.test_volunteer_pages import signup_data


@pytest.fixture
def hasher_calls(monkeypatch):  # noqa: ANN001, ANN201
    """Counts the expensive hash work (argon2 verify and hash) done per request."""
    calls = {"verify": 0, "hash": 0}
    real = models.users._hasher

    class Counting:
        def verify(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls["verify"] += 1
            return real.verify(*args, **kwargs)

        def hash(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls["hash"] += 1
            return real.hash(*args, **kwargs)

        def check_needs_rehash(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return real.check_needs_rehash(*args, **kwargs)

    models.users._dummy_hash() if hasattr(models.users, "_dummy_hash") else None  # made once, not counted
    monkeypatch.setattr(models.users, "_hasher", Counting())
    return calls


def test_signing_in_does_the_same_hash_work_whether_or_not_the_account_exists(client, session, world, hasher_calls):
    invited = b.make_user(session, world.organisation, "coordinator", email="invited@roskilde.example.org")
    invited.password_hash = ""
    gone = b.make_user(session, world.organisation, "coordinator", email="gone@roskilde.example.org")
    gone.active = False
    session.add_all([invited, gone])
    session.commit()
    counts = {}
    for email in ("nobody@example.org", world.coordinator.email, invited.email, gone.email):
        before = hasher_calls["verify"]
        page = login(client, email, "forkert-kodeord").get_data(as_text=True)
        assert "Forkert e-mail eller adgangskode." in page
        counts[email] = hasher_calls["verify"] - before
    assert set(counts.values()) == {1}, counts


def _signup(client, world, email: str):  # noqa: ANN001, ANN202
    return client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                       data=signup_data(email=email))


@pytest.mark.parametrize("owner", ["volunteer_user", "other_admin", "volunteer_without_account"])
def test_sign_up_answers_a_taken_address_exactly_like_a_new_one(client, session, world, other_world, owner):
    taken = {"volunteer_user": world.volunteer_user.email, "other_admin": other_world.admin.email,
             "volunteer_without_account": world.other_volunteer.email}[owner]
    new = _signup(client, world, "ny-frivillig@example.org")
    again = _signup(client, world, taken)
    assert (again.status_code, again.headers["Location"].replace(taken, "X")) == (
        new.status_code, new.headers["Location"].replace("ny-frivillig@example.org", "X"))
    thanks_new = client.get(new.headers["Location"]).get_data(as_text=True).replace("ny-frivillig@example.org", "X")
    thanks_taken = client.get(again.headers["Location"]).get_data(as_text=True).replace(taken, "X")
    assert thanks_new == thanks_taken


def test_the_owner_of_a_taken_address_is_told_by_email_and_nothing_changes(client, session, world):
    before = session.get(User, world.volunteer_user.id).password_hash
    _signup(client, world, world.volunteer_user.email.upper())
    fresh(session)
    assert session.get(User, world.volunteer_user.id).password_hash == before
    assert len(session.exec(select(Volunteer).where(Volunteer.email == world.volunteer_user.email)).all()) == 1
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == world.volunteer_user.email)).one()
    assert mail.kind == "signup_exists"
    assert "http://makker.test/log-ind" in mail.body and "http://makker.test/glemt-adgangskode" in mail.body
    # A second try the same day sends no second e-mail (no mail bombing through the form).
    _signup(client, world, world.volunteer_user.email)
    fresh(session)
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.to_email == world.volunteer_user.email)).all()) == 1


def test_sign_up_does_the_same_hash_work_for_a_new_and_a_taken_address(client, world, hasher_calls):
    _signup(client, world, "ny-frivillig@example.org")
    new = dict(hasher_calls)
    _signup(client, world, world.volunteer_user.email)
    assert hasher_calls["hash"] - new["hash"] == new["hash"] == 1


def test_signing_up_again_before_confirming_sends_a_fresh_confirmation_link(client, session, world):
    """The way out when the first link was lost or expired, without telling the page anything."""
    first = _signup(client, world, "ny-frivillig@example.org")
    again = _signup(client, world, "ny-frivillig@example.org")
    assert again.headers["Location"] == first.headers["Location"]
    fresh(session)
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "ny-frivillig@example.org")
                         .order_by(OutboxMessage.id)).all()
    assert [m.kind for m in mails] == ["confirm_email", "confirm_email"]
    path = mails[1].body.split("http://makker.test", 1)[1].split()[0]
    assert "bekræftet" in client.get(path, follow_redirects=True).get_data(as_text=True)
