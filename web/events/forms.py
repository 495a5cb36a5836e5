"""Forms of the events pages; each field keeps what was typed and says what is wrong next to it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from web.forms import MaxLength, MultiCheckboxField, SubmitKeyField
from web.i18n import lazy_gettext as _l

KIND_CHOICES = [("intro_course", _l("Introductory course")), ("network_meeting", _l("Network meeting")),
                ("supervision", _l("Supervision")), ("theme_evening", _l("Theme evening")),
                ("social", _l("Social gathering"))]
AUDIENCE_CHOICES = [("waiting", _l("Volunteers waiting for a match")), ("active", _l("Mentors with a match")),
                    ("new", _l("New volunteers (in screening)")), ("all", _l("All volunteers"))]
REQUIRED = _l("This field is required.")


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind of event"), choices=KIND_CHOICES, validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Title"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    day = DateField(_l("Date"), validators=[InputRequired(REQUIRED)], format=["%Y-%m-%d", "%d-%m-%Y"])
    starts = TimeField(_l("Starts at"), validators=[InputRequired(REQUIRED)], format="%H:%M")
    ends = TimeField(_l("Ends at"), validators=[InputRequired(REQUIRED)], format="%H:%M")
    place = StringField(_l("Place"), validators=[Optional(), MaxLength(300)])
    online_url = StringField(_l("Online link (optional)"), validators=[Optional(), MaxLength(500)])
    capacity = IntegerField(_l("Number of places (empty: no limit)"), validators=[Optional(), NumberRange(1, 10000)])
    program_ids = MultiCheckboxField(_l("Programmes"), coerce=int, validate_choice=False)
    audience = MultiCheckboxField(_l("Who is invited"), choices=AUDIENCE_CHOICES, default=["waiting"])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), MaxLength(4000)])
    submit_key = SubmitKeyField()

    def validate_program_ids(self, field) -> None:  # noqa: ANN001
        if not field.data:
            raise ValidationError(_l("Choose at least one programme."))

    def validate_audience(self, field) -> None:  # noqa: ANN001
        if not field.data:
            raise ValidationError(_l("Choose who is invited."))


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("Number of places (empty: no limit)"), validators=[Optional(), NumberRange(1, 10000)])


class CancelEventForm(FlaskForm):
    reason = TextAreaField(_l("Message to those signed up (optional)"), validators=[Optional(), MaxLength(1000)])
    confirm = BooleanField(_l("Yes, cancel the event and tell everyone signed up"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class RevokeFeedForm(FlaskForm):
    confirm = BooleanField(_l("Yes, stop the calendar address"), validators=[InputRequired(_l("Tick the box to confirm."))])


LEAVE_CHOICES = [("moved", _l("Moved away")), ("no_time", _l("No time any more")),
                 ("lost_interest", _l("Lost interest")), ("waited_too_long", _l("Waited too long for a match")),
                 ("personal", _l("Personal reasons")), ("other", _l("Other"))]


class VolunteerLeftForm(FlaskForm):
    reason = RadioField(_l("Why does the volunteer stop?"), choices=LEAVE_CHOICES, validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("Note (only coordinators see it)"), validators=[Optional(), MaxLength(500)])
    confirm = BooleanField(_l("Yes, the volunteer stops and leaves the pool"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
