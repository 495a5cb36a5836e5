"""The volunteer's forms: the profile (shared by sign-up and editing), meetings, pauses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from models import clock
from models.matches import MEETING_ACTIVITIES
from models.users import MIN_PASSWORD_LENGTH
from web.forms import MaxLength, SubmitKeyField, postcode_is_danish
from web.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")
GENDERS = [("female", _l("Female")), ("male", _l("Male")), ("other", _l("Other"))]
SUPPORTS = [("youth", _l("A youth")), ("family", _l("A family")), ("either", _l("A youth or a family"))]
EXPERIENCE = [("0", _l("No experience")), ("1", _l("Some experience")),
              ("2", _l("Experienced with vulnerable youths or families")), ("3", _l("Professional background"))]
WISHES = [("", _l("No wish")), ("female", _l("Girl")), ("male", _l("Boy"))]  # the wish is about a youth
ACTIVITY_LABELS = {"talk": _l("Talked"), "sport": _l("Sport"), "homework": _l("Homework"), "food": _l("Food"),
                   "outing": _l("Trip"), "culture": _l("Culture"), "errand": _l("Practical help"), "other": _l("Other")}


class VolunteerProfileForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    phone = StringField(_l("Phone"), validators=[InputRequired(REQUIRED), MaxLength(30)])
    birth_year = IntegerField(_l("Birth year"), validators=[
        InputRequired(_l("Write the birth year as four digits.")),
        NumberRange(1900, clock.today().year, message=_l("Write a birth year between %(min)s and %(max)s."))])
    gender = SelectField(_l("Gender"), choices=GENDERS)
    postcode = StringField(_l("Postcode"), validators=[InputRequired(REQUIRED), Length(
        min=4, max=4, message=_l("A Danish postcode has four digits.")), postcode_is_danish])
    interests_text = TextAreaField(_l("Interests in your own words"), validators=[Optional(), MaxLength(1000)])
    supports = SelectField(_l("Whom would you like to support?"), choices=SUPPORTS, default="either")
    age_min = IntegerField(_l("Youngest age of a youth"), default=13,
                           validators=[InputRequired(REQUIRED), NumberRange(0, 99)])
    age_max = IntegerField(_l("Oldest age of a youth"), default=18,
                           validators=[InputRequired(REQUIRED), NumberRange(0, 99)])
    capacity = IntegerField(_l("How many mentees can you have at once?"), default=1,
                            validators=[InputRequired(REQUIRED), NumberRange(1, 5, message=_l("Choose 1 to 5."))])
    mentee_gender_wish = SelectField(_l("Do you wish a youth of a certain gender?"), choices=WISHES, default="")
    experience = SelectField(_l("Your experience"), choices=EXPERIENCE, default="0")
    experience_text = TextAreaField(_l("Tell about your experience (with youths, with refugees, your work)"),
                                    validators=[Optional(), MaxLength(2000)])
    motivation = TextAreaField(_l("Why do you want to be a volunteer?"), validators=[Optional(), MaxLength(2000)])


class SignupForm(VolunteerProfileForm):
    submit_key = SubmitKeyField()
    email = EmailField(_l("E-mail"), validators=[InputRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")),
                                                 MaxLength(254)])
    password = PasswordField(_l("Choose a password"), validators=[
        InputRequired(REQUIRED),
        Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("The password must be at least %(n)s characters.",
                                                            n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))])
    consent = BooleanField(_l("I consent to the association processing my data as described above"),
                           validators=[DataRequired(_l("We need your consent to process your sign-up."))])


class MeetingForm(FlaskForm):
    submit_key = SubmitKeyField()
    met_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)], format=["%Y-%m-%d", "%d-%m-%Y"])
    minutes = RadioField(_l("How long?"), choices=[("30", "30 min"), ("60", "1 t"), ("90", "1½ t"), ("120", "2 t"),
                                                   ("180", "3 t")], default="60",
                         validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("Notes (optional)"), validators=[Optional(), MaxLength(2000)])
    rating = RadioField(_l("How did it go?"), choices=[(str(i), str(i)) for i in range(1, 6)],
                        validators=[InputRequired(_l("Choose how it went, from 1 to 5."))])
    needs_contact = BooleanField(_l("I need to talk to the coordinator"))


class PauseForm(FlaskForm):
    paused_until = DateField(_l("Pause until"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Tell us why (optional)"), validators=[Optional(), MaxLength(2000)])


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete my account and my data"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


MEETING_ACTIVITY_CHOICES = [(a, ACTIVITY_LABELS[a]) for a in MEETING_ACTIVITIES]
