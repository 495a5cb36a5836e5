"""The admin's forms: program settings and staff."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, NumberRange, Optional

from matching.profiles import COMPLEXITY_LEVELS, DEFAULT_WEIGHTS, EXPERIENCE_LEVELS
from web.forms import MaxLength, MultiCheckboxField, SubmitKeyField
from web.i18n import lazy_gettext as _l
from web.labels import LABELS

REQUIRED = _l("This field is required.")
NUMBER = _l("Write a number.")
SERVES_CHOICES = [("youth", _l("Youths")), ("family", _l("Families")), ("both", _l("Youths and families"))]
STAFF_ROLE_CHOICES = [("coordinator", _l("Coordinator")), ("admin", _l("Administrator"))]


def _weight_field(name: str) -> FloatField:
    return FloatField(LABELS["component"][name], validators=[InputRequired(NUMBER), NumberRange(
        0, 10, message=_l("Each weight must be between 0 and 10."))])


WeightFields = type("WeightFields", (Form,), {name: _weight_field(name) for name in DEFAULT_WEIGHTS})


def _min_experience_field(complexity: int) -> SelectField:
    return SelectField(LABELS["complexity"][complexity], coerce=int,
                       choices=[(level, LABELS["experience"][level]) for level in EXPERIENCE_LEVELS])


# One "least experience" choice per complexity, as fields min_experience_0 .. min_experience_3.
MIN_EXPERIENCE_FIELDS = [f"min_experience_{c}" for c in COMPLEXITY_LEVELS]


class ProgramForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(4000)])
    serves = SelectField(_l("Serves"), choices=SERVES_CHOICES)
    min_age = IntegerField(_l("Lowest age"), validators=[InputRequired(NUMBER), NumberRange(0, 120)])
    max_age = IntegerField(_l("Highest age"), validators=[InputRequired(NUMBER), NumberRange(0, 120)])
    max_distance_km = FloatField(_l("Maximum distance (km)"), validators=[InputRequired(NUMBER), NumberRange(1, 500)])
    waiting_target_days = IntegerField(_l("Longest acceptable wait (days)"),
                                       validators=[InputRequired(NUMBER), NumberRange(1, 3650)])
    inactivity_days = IntegerField(_l("Alert when no meeting is logged for (days)"),
                                   validators=[InputRequired(NUMBER), NumberRange(1, 365)])
    required_steps = MultiCheckboxField(_l("Required screening steps"))
    checkin_plan = StringField(_l("Check-ins, days after the start"), validators=[InputRequired(REQUIRED),
                                                                               MaxLength(200)])
    interests = MultiCheckboxField(_l("Interests offered (none chosen: all)"))
    weights = FormField(WeightFields)
    measures_followup = BooleanField(_l("Follow up on the outcome 12 months after closure"))
    measures_one_year = BooleanField(_l("Measure the outcome one year after the match started"))
    outcome_required = BooleanField(_l("The outcome must be recorded at closure"))
    retention_months = IntegerField(_l("Keep closed records for (months)"),
                                    validators=[InputRequired(NUMBER), NumberRange(1, 240)])
    certificate_renewal_months = IntegerField(_l("Renew the børneattest every (months)"),
                                              validators=[InputRequired(NUMBER), NumberRange(1, 120)])
    goal_matches = IntegerField(_l("Goal: number of matches"), validators=[Optional(), NumberRange(0, 100000)])
    goal_period_months = IntegerField(_l("Goal: within (months)"), validators=[Optional(), NumberRange(1, 240)])
    active = BooleanField(_l("Active"))
    waiting_priority = RadioField(_l("Waiting priority"), choices=[
        (code, LABELS["waiting_priority"][code]) for code in ("strict", "weighed", "off")], default="strict",
        validate_choice=False)  # update_program refuses other values, with a message in the user's language
    max_high_complexity_per_volunteer = IntegerField(
        _l("Heavy cases (high or very high) one volunteer may have at once"),
        validators=[Optional(), NumberRange(1, 5, message=_l("Write a number from 1 to 5, or leave the field empty."))])


for _complexity in COMPLEXITY_LEVELS:
    setattr(ProgramForm, f"min_experience_{_complexity}", _min_experience_field(_complexity))


class InviteForm(FlaskForm):
    submit_key = SubmitKeyField()
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")),
                                                 MaxLength(254)])
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    kind = SelectField(_l("Kind"), choices=[("association", _l("Association")), ("municipality", _l("Municipality"))])
    contact_email = EmailField(_l("Contact e-mail shown to volunteers"),
                               validators=[Optional(), Email(_l("Enter a valid e-mail address.")), MaxLength(254)])
