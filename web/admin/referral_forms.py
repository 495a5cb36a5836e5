"""The admin's forms for referring units, referrers and a programme's referral settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import Email, InputRequired, NumberRange, Optional

from web.forms import MaxLength, MultiCheckboxField, SubmitKeyField
from web.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")
UNIT_KIND_CHOICES = [
    ("children_families", _l("Children and families department")),
    ("ssp", _l("SSP (school, social services, police)")),
    ("school", _l("School")),
    ("health", _l("Health visitors and health care")),
    ("jobcenter", _l("Job centre")),
    ("integration", _l("Integration team")),
    ("other", _l("Other")),
]
VOLUNTEER_INFO_CHOICES = [
    ("first_name", _l("The volunteer's first name (recommended)")),
    ("first_name_and_age", _l("The volunteer's first name and age")),
    ("none", _l("Nothing about the volunteer")),
]


class UnitForm(FlaskForm):
    submit_key = SubmitKeyField()
    name = StringField(_l("Name of the unit"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    kind = SelectField(_l("Kind"), choices=UNIT_KIND_CHOICES)
    contact_email = EmailField(_l("The unit's shared e-mail (optional)"),
                               validators=[Optional(), Email(_l("Enter a valid e-mail address.")), MaxLength(254)])
    program_ids = MultiCheckboxField(_l("May refer to"), coerce=int)
    active = BooleanField(_l("The unit refers to us"), default=True)


class ReferrerInviteForm(FlaskForm):
    submit_key = SubmitKeyField()
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")),
                                                 MaxLength(254)])
    unit_id = SelectField(_l("Referring unit"), coerce=int, validators=[InputRequired(REQUIRED)])


class ReferralSettingsForm(FlaskForm):
    volunteer_info = RadioField(_l("What the referrer is told about the volunteer"), choices=VOLUNTEER_INFO_CHOICES,
                                validators=[InputRequired(REQUIRED)])
    first_status_months = IntegerField(_l("First status, months after the match started"), validators=[
        InputRequired(_l("Write a number.")), NumberRange(1, 24, message=_l("Write a number of months from 1 to 24."))])
    status_every_months = IntegerField(_l("Then a status every (months)"), validators=[
        InputRequired(_l("Write a number.")), NumberRange(1, 24, message=_l("Write a number of months from 1 to 24."))])


class HandOverForm(FlaskForm):
    submit_key = SubmitKeyField()
    to_user_id = SelectField(_l("Hand the referrals to"), coerce=int, validators=[InputRequired(REQUIRED)])
    confirm = BooleanField(_l("I understand that the colleague follows these referrals from now on and gets their "
                              "statuses"), validators=[InputRequired(_l("Tick the box to confirm."))])


class EraseReferralForm(FlaskForm):
    confirm = BooleanField(_l("I understand that the referral's personal data is erased and cannot be brought back"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
