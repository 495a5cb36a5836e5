"""Finding 4: what a person typed is shown as text wherever it meets a translated message.

A lazy translated string (flask_babel's LazyString) claims to be safe markup (``__html__``), so
formatting user input into one put a raw ``<script>`` on the 400 page."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

import web
from models.errors import N_, DomainError
from tests.conftest import login
from tests.web.test_coordinator_pages import youth_form
from tests.web.test_volunteer_pages import signup_data

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = (SCRIPT, f"4000{SCRIPT}", '"><img src=x onerror=alert(1)>', f"{SCRIPT}@example.org")


def _assert_escaped(html: str) -> None:
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html, html[:3000]


def test_a_postcode_with_markup_is_shown_as_text_on_the_sign_up_form(client, world):
    response = client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                           data=signup_data(postcode=SCRIPT))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    _assert_escaped(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; er ikke et dansk postnummer" in page


def test_a_postcode_with_markup_is_shown_as_text_when_registering_a_youth(as_role, world):
    response = as_role("coordinator").post("/koordinator/unge/ny", data=youth_form(world, postcode=SCRIPT))
    assert response.status_code == 400
    _assert_escaped(response.get_data(as_text=True))


def test_a_postcode_with_markup_is_shown_as_text_when_registering_a_household(as_role, world):
    response = as_role("coordinator").post("/koordinator/familier/ny", data={
        "family_name": "Familien Haddad", "contact_name": "Rasha", "postcode": SCRIPT, "consent_given_by": "Rasha",
        "consent_relation": "self", "consent_confirmed": "y", "lang-0": "ar", "level-0": "3",
        "requests-0-program": str(world.family_program.id), "requests-0-need": "Lektiehjælp",
        "requests-0-complexity": "0"})
    assert response.status_code == 400
    _assert_escaped(response.get_data(as_text=True))


def test_a_postcode_with_markup_is_shown_as_text_on_the_volunteers_profile(client, world):
    login(client, world.volunteer_user.email)
    data = signup_data(postcode=SCRIPT)
    response = client.post("/frivillig/profil", data=data)
    assert response.status_code == 400
    _assert_escaped(response.get_data(as_text=True))


def _all_form_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(web.__path__, "web."):
        # __main__ starts the command line; the locust file is a script locust runs in its own
        # process (importing it patches gevent into this one).
        if not module.name.endswith(("__main__", ".locustfile")):
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted({c for c in found if c.__module__.startswith("web.")}, key=lambda c: c.__qualname__)


def _flat(errors) -> list:  # noqa: ANN001
    if isinstance(errors, dict):
        return [e for value in errors.values() for e in _flat(value)]
    if isinstance(errors, list | tuple):
        return [e for value in errors for e in _flat(value)]
    return [errors]


def _names(form) -> list[str]:  # noqa: ANN001
    """Every input name of a form, with one entry in each list of sub-forms."""
    names = []
    for field in form:
        if hasattr(field, "entries"):  # FieldList
            if not field.entries:
                field.append_entry()
            for entry in field.entries:
                names.extend(_names(entry.form) if hasattr(entry, "form") else [entry.name])
        elif hasattr(field, "form"):  # FormField
            names.extend(_names(field.form))
        else:
            names.append(field.name)
    return names


def _give_choices(form) -> None:  # noqa: ANN001
    for field in form:
        if hasattr(field, "form"):
            _give_choices(field.form)
        elif hasattr(field, "entries"):
            for entry in field.entries:
                if hasattr(entry, "form"):
                    _give_choices(entry.form)
        elif hasattr(field, "choices") and field.choices is None:
            field.choices = [(p, p) for p in PAYLOADS]


FORMS = _all_form_classes()


def test_the_forms_are_found():
    assert len(FORMS) >= 15, [f.__qualname__ for f in FORMS]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_validator_of_every_form_shows_markup_as_text(app, form_class, payload):
    with app.test_request_context("/", method="POST"):
        blank = form_class(formdata=None, meta={"csrf": False})
        data = MultiDict([(name, payload) for name in _names(blank)])
        form = form_class(formdata=data, meta={"csrf": False})
        _give_choices(form)
        form.validate()
        messages = _flat(form.errors) + list(getattr(form, "form_errors", []))
        html = render_template_string("{% for m in messages %}<p>{{ m }}</p>{% endfor %}", messages=messages)
        _assert_escaped(html)


def test_a_domain_error_that_repeats_what_was_typed_is_shown_as_text(app):
    from web.i18n import error_message

    with app.test_request_context("/"):
        message = error_message(DomainError(N_("%(code)s is not a Danish postcode."), code=SCRIPT))
        assert not isinstance(message, Markup)
        _assert_escaped(render_template_string("{{ m }}", m=message))


def test_no_module_uses_flask_babels_lazy_gettext_directly():
    """Its lazy strings are treated as safe markup; web.i18n.lazy_gettext escapes what it carries."""
    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for folder in ("web", "models") for p in (root / folder).rglob("*.py")
                 if "from flask_babel import" in (text := p.read_text(encoding="utf-8"))
                 and "lazy_gettext" in text.split("from flask_babel import", 1)[1].split("\n", 1)[0]
                 and p.name != "i18n.py"]
    assert offenders == [], offenders
