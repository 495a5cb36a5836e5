"""Form pieces shared by every blueprint."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, ValidationError
from wtforms.fields import Field
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from matching.geo import lookup_postcode
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
