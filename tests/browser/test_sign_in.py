"""Each demo role signs in, lands on its own home page and signs out; a wrong password is explained."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD


def sign_in(page, email: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto("/log-ind")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


@pytest.mark.parametrize(
    ("role", "heading"),
    [("volunteer_user", re.compile(r"^Hej ")), ("coordinator", re.compile("Overblik")), ("admin", re.compile("Administration"))],
)
def test_each_role_signs_in_lands_home_and_signs_out(page, world, role, heading):
    user = getattr(world, role)
    sign_in(page, user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Du er logget ud.")


def test_a_wrong_password_gives_a_clear_danish_message(page, world):
    sign_in(page, world.coordinator.email, "forkert-kodeord")
    expect(page.get_by_role("alert")).to_have_text("Forkert e-mail eller adgangskode.")
    expect(page.get_by_label("E-mail")).to_have_value(world.coordinator.email)


def test_the_sign_in_page_can_be_used_with_the_keyboard_alone(page, world):
    page.goto("/log-ind")
    # The e-mail field has autofocus, and the first focusable element is the skip link.
    expect(page.get_by_label("E-mail")).to_be_focused()
    first = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select, textarea').textContent"
    )
    assert first.strip() == "Gå til indhold"
    page.get_by_role("link", name="Gå til indhold").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_label("E-mail").focus()
    page.keyboard.type(world.admin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Administration")
