"""Forms for joining, adding to and leaving a programme."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional

from web.forms import MaxLength, SubmitKeyField
from web.i18n import lazy_gettext as _l

CAPACITY_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class JoinForm(FlaskForm):
    program_id = SelectField(_l("Programme"), validators=[DataRequired(_l("Choose a programme."))], coerce=str)
    capacity = SelectField(_l("How many youths or families at a time in this programme?"), choices=CAPACITY_CHOICES,
                           default="1")
    motivation = TextAreaField(_l("Why this programme? (optional)"), validators=[Optional(), MaxLength(500)])
    submit_key = SubmitKeyField()


class LeaveForm(FlaskForm):
    reason = TextAreaField(_l("Why?"), validators=[DataRequired(_l("Write why (only coordinators see it).")),
                                                   MaxLength(500)])
    confirm = BooleanField(_l("Yes, end the place in this programme and close its matches"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit_key = SubmitKeyField()


class ButtonForm(FlaskForm):
    """A button that changes a place (approve, pause, resume): only its one-time token."""

    submit_key = SubmitKeyField()


class CapacityForm(FlaskForm):
    capacity = SelectField(_l("Youths or families at a time"), choices=CAPACITY_CHOICES)
    submit_key = SubmitKeyField()
