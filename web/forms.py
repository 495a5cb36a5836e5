"""Form pieces shared by every blueprint."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, flash, redirect
from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, ValidationError
from wtforms.fields import Field
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from matching.geo import lookup_postcode
from models.errors import N_, AlreadyDone, Conflict, DomainError
from web.database import get_db
from web.i18n import error_message
from web.i18n import lazy_gettext as _l


def postcode_is_danish(_form: FlaskForm, field: Field) -> None:
    if field.data and lookup_postcode(field.data) is None:
        # Translated now, as plain text: the template escapes the postcode that was typed.
        raise ValidationError(gettext("%(code)s is not a Danish postcode.", code=field.data))


def apply_domain_error(form: FlaskForm, error, message: str) -> None:  # noqa: ANN001
    """Show a domain error next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


T = TypeVar("T")


@dataclass(frozen=True)
class Written(Generic[T]):
    """A domain write that went through; ``value`` is what the operation returned."""

    value: T


def attempt_write(form: FlaskForm, write: Callable[[], T], *, back: str, conflict_back: str | None = None,
                  conflict_on_form: bool = False,
                  show_error: Callable[[FlaskForm, DomainError], None] | None = None) -> Written[T] | None:
    """Run one domain write for a submitted form and answer its refusals the same way everywhere.

    A double submit (AlreadyDone) sends the person back to ``back``: the first one was saved.
    A lost race (Conflict) does too, or to ``conflict_back``, with the reason: the page as it is
    now is the answer and nothing was half-saved; forms whose typing is worth keeping (a long
    check-in, a closure) pass ``conflict_on_form`` and show the reason on the form instead.
    Any other refusal is shown next to its field (or by ``show_error``) and None is returned, so
    the view renders the form again with what was typed.
    """
    try:
        return Written(write())
    except DomainError as error:
        get_db().rollback()
        already = isinstance(error, AlreadyDone)
        if already or (isinstance(error, Conflict) and not conflict_on_form):
            flash(error_message(error), "info" if already else "error")
            abort(redirect(back if already or conflict_back is None else conflict_back))
        if show_error is not None:
            show_error(form, error)
        else:
            apply_domain_error(form, error, error_message(error))
        return None


def attempt_action(write: Callable[[], T]) -> Written[T] | None:
    """Run one domain write behind a button (no form to show again): a refusal is flashed with
    its reason, a double click as information, and None returned; the view redirects either way."""
    try:
        return Written(write())
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "info" if isinstance(error, AlreadyDone) else "error")
        return None


def new_submit_key() -> str:
    return secrets.token_urlsafe(18)


def SubmitKeyField() -> HiddenField:  # noqa: N802 - used like a field class
    """A one-time token in each rendered form: the same form sent twice (a double click, a
    reloaded POST) is saved once and the second answer says so (models.writes.claim_submission)."""
    return HiddenField(default=new_submit_key)


def MaxLength(limit: int) -> Length:  # noqa: N802 - reads like the other WTForms validators
    """A length limit with a message in the user's language (WTForms has no Danish catalogue)."""
    return Length(max=limit, message=_l("Write at most %(max)d characters."))


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of check boxes (rendered inside a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# How often a pair meets: the pair decides; the volunteer's meeting reminders follow it (issue 12).
RHYTHM_CHOICES = [("weekly", _l("Every week")), ("biweekly", _l("Every other week")), ("monthly", _l("Every month")),
                  ("as_agreed", _l("As we agree (no reminders)"))]


class RhythmForm(FlaskForm):
    rhythm = RadioField(_l("How often do they meet?"), choices=RHYTHM_CHOICES,
                        validators=[InputRequired(_l("This field is required."))])


# WTForms' own messages (a choice that is not in the list, a number that is not a number, ...):
# Flask-WTF looks them up in our catalogue, so they are marked here to be extracted and translated.
WTFORMS_MESSAGES = (
    N_("Not a valid choice."), N_("Invalid Choice: could not coerce."), N_("Choices cannot be None."),
    N_("Not a valid integer value."), N_("Not a valid decimal value."), N_("Not a valid float value."),
    N_("Not a valid date value."), N_("Not a valid datetime value."), N_("Not a valid time value."),
    N_("This field is required."), N_("Invalid email address."), N_("Invalid input."),
    N_("Number must be at least %(min)s."), N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."), N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
)


def _wtforms_plurals() -> None:  # never called: marks WTForms' plural messages for extraction
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1)
