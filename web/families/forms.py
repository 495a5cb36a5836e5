"""Forms of whole-family work. Each field says what is wrong next to it and keeps what was typed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from web.forms import MaxLength, MultiCheckboxField, SubmitKeyField
from web.i18n import lazy_gettext as _l

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
REQUIRED = _l("This field is required.")
DATE_MESSAGE = _l("Write the date as dd-mm-yyyy.")


class DreamsForm(FlaskForm):
    dreams = TextAreaField(_l("The family's dreams, in their own words"), validators=[Optional(), MaxLength(4000)])
    shared = BooleanField(_l("Show the dreams to the volunteers on the team"))
    submit_key = SubmitKeyField()


class GoalForm(FlaskForm):
    member = SelectField(_l("Whose goal"), validators=[Optional()])
    life_area = SelectField(_l("Life area"), validators=[InputRequired(REQUIRED)])
    title = StringField(_l("The goal"), validators=[InputRequired(REQUIRED), MaxLength(300)])
    worries = TextAreaField(_l("What are we worried about?"), validators=[Optional(), MaxLength(2000)])
    works = TextAreaField(_l("What works well?"), validators=[Optional(), MaxLength(2000)])
    next_steps = TextAreaField(_l("What needs to happen?"), validators=[Optional(), MaxLength(2000)])
    shared = BooleanField(_l("Share with the volunteers on the team"))
    family_may_read = BooleanField(_l("In the family's printed plan"), default=True)
    submit_key = SubmitKeyField()


class AgreementForm(FlaskForm):
    text = StringField(_l("What was agreed"), validators=[InputRequired(REQUIRED), MaxLength(1000)])
    owner = SelectField(_l("Who is responsible"), validators=[InputRequired(REQUIRED)])
    due_on = DateField(_l("Deadline"), validators=[Optional()], format=DATE_FORMATS)
    goal = SelectField(_l("For the goal"), validators=[Optional()])
    shared = BooleanField(_l("Share with the volunteers on the team"), default=True)
    family_may_read = BooleanField(_l("In the family's printed plan"), default=True)
    submit_key = SubmitKeyField()


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[InputRequired(REQUIRED)])


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date of the meeting"), validators=[InputRequired(DATE_MESSAGE)], format=DATE_FORMATS)
    kind = SelectField(_l("Kind of meeting"), default="family", choices=[("family", _l("Family meeting")),
                                                     ("network", _l("Network meeting"))])
    participants = TextAreaField(_l("Who took part"), validators=[InputRequired(REQUIRED), MaxLength(2000)])
    agreed = TextAreaField(_l("What was agreed"), validators=[Optional(), MaxLength(4000)])
    agreement_text = StringField(_l("New agreement"), validators=[Optional(), MaxLength(1000)])
    agreement_owner = SelectField(_l("Who is responsible"), validators=[Optional()])
    agreement_due_on = DateField(_l("Deadline"), validators=[Optional()], format=DATE_FORMATS)
    submit_key = SubmitKeyField()


class ProgressForm(FlaskForm):
    moment = SelectField(_l("When"), default="entry", choices=[("entry", _l("At entry")), ("meeting", _l("At a plan meeting")),
                                              ("at_end", _l("At the end"))])
    recorded_on = DateField(_l("Date"), validators=[InputRequired(DATE_MESSAGE)], format=DATE_FORMATS)
    meeting = SelectField(_l("Plan meeting"), validators=[Optional()])
    submit_key = SubmitKeyField()


class TeamForm(FlaskForm):
    members = MultiCheckboxField(_l("Members of the team"), validators=[Optional()])
    primary = SelectField(_l("Primary contact"), validators=[Optional()])
    version = IntegerField(validators=[Optional()])
    submit_key = SubmitKeyField()


class CompetenceForm(FlaskForm):
    name = StringField(_l("Competence"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    life_area = SelectField(_l("Needed by goals in the life area"), validators=[Optional()])


class ProfessionalForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    unit = StringField(_l("Unit or department"), validators=[Optional(), MaxLength(200)])
    phone = StringField(_l("Phone"), validators=[Optional(), MaxLength(30)])
    email = StringField(_l("E-mail"), validators=[Optional(), MaxLength(254)])
    competences = MultiCheckboxField(_l("Competences"), coerce=int, validators=[Optional()])
    languages = MultiCheckboxField(_l("Languages"), validators=[Optional()])
    capacity = IntegerField(_l("How many families at once"), default=5,
                            validators=[InputRequired(REQUIRED), NumberRange(0, 200, _l("Give a number from 0 to 200."))])
    active = BooleanField(_l("Can be on teams"), default=True)
    submit_key = SubmitKeyField()


class VolunteerCompetenceForm(FlaskForm):
    competences = MultiCheckboxField(_l("Competences"), coerce=int, validators=[Optional()])
    family_capacity = IntegerField(_l("How many families' teams at once"), default=1,
                                   validators=[InputRequired(REQUIRED), NumberRange(0, 10, _l("Give a number from 0 to 10."))])


class MeasuresForm(FlaskForm):
    measures = MultiCheckboxField(_l("Measures the programme uses"), coerce=int, validators=[Optional()])


class MeasureForm(FlaskForm):
    name = StringField(_l("Question (answered yes or no)"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    applies_to = SelectField(_l("About"), choices=[("all", _l("Everyone")), ("adult", _l("Adults")),
                                                  ("child", _l("Children"))])
