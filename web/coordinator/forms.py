"""Coordinators' forms. Each field says what is wrong next to it and keeps what was typed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from models import clock
from web.forms import (
    RHYTHM_CHOICES,
    MaxLength,
    MultiCheckboxField,
    SubmitKeyField,
    postcode_is_danish,
)
from web.i18n import lazy_gettext as _l

GENDER_CHOICES = [("female", _l("Female")), ("male", _l("Male")), ("other", _l("Other"))]
YOUTH_GENDER_CHOICES = [("female", _l("Girl")), ("male", _l("Boy")), ("other", _l("Other"))]  # a youth is no woman or man
WISH_CHOICES = [("", _l("No wish")), ("female", _l("Female")), ("male", _l("Male"))]
COMPLEXITY_CHOICES = [("0", _l("Low")), ("1", _l("Moderate")), ("2", _l("High")), ("3", _l("Very high"))]
# Who gave consent: a custody holder, or (from 15) the youth themselves / an adult of the family.
RELATION_CHOICES = [("guardian", _l("Custody holder (parent or guardian)")),
                    ("self", _l("The youth themselves (from 15)"))]
FAMILY_RELATION_CHOICES = [("self", _l("An adult of the family")),
                           ("guardian", _l("Custody holder (parent or guardian)"))]
ROLE_CHOICES = [("parent", _l("Parent")), ("child", _l("Child")), ("other", _l("Other adult"))]
MEMBER_GENDER_CHOICES = [("", "—"), *GENDER_CHOICES]
OUTCOME_CHOICES = [("", "—"), ("yes", _l("Yes")), ("no", _l("No")), ("unknown", _l("Don't know"))]

REQUIRED = _l("This field is required.")



def _year_range() -> tuple[int, int]:
    this_year = clock.today().year
    return this_year - 120, this_year


class RequestFields(Form):
    """One request (need) of the mentee, in a program."""

    program = SelectField(_l("Program"), coerce=int, validators=[InputRequired(REQUIRED)])
    need = StringField(_l("What help is needed"), validators=[Optional(), MaxLength(200)])
    about = TextAreaField(_l("About the request"), validators=[Optional(), MaxLength(4000)])
    complexity = SelectField(_l("Complexity"), choices=COMPLEXITY_CHOICES, default="0")
    complexity_reason = TextAreaField(_l("Reason for the complexity (only coordinators see it)"),
                                      validators=[Optional(), MaxLength(2000)])
    mentor_gender_required = SelectField(_l("Mentor's gender: required"), choices=WISH_CHOICES, default="")
    mentor_gender_preferred = SelectField(_l("Mentor's gender: preferred"), choices=WISH_CHOICES, default="")
    # The situation at entry, compared with the outcome when the match closes.
    baseline_education_or_work = SelectField(_l("At entry: in education or work"), choices=OUTCOME_CHOICES, default="")
    baseline_leisure_activity = SelectField(_l("At entry: in a leisure activity"), choices=OUTCOME_CHOICES, default="")
    baseline_social_case = SelectField(_l("At entry: a case in the social system"), choices=OUTCOME_CHOICES, default="")


class ConsentFields(FlaskForm):
    consent_given_by = StringField(_l("Consent given by"), validators=[Optional(), MaxLength(200)])
    consent_relation = SelectField(_l("Role of the person giving consent"), choices=RELATION_CHOICES, default="guardian")
    consent_given_on = DateField(_l("Date consent was given"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])
    consent2_given_by = StringField(_l("Second consent given by (optional)"), validators=[Optional(), MaxLength(200)])
    consent2_relation = SelectField(_l("Second person's role"), choices=RELATION_CHOICES, default="guardian")
    consent2_given_on = DateField(_l("Date of the second consent"), validators=[Optional()],
                                  format=["%Y-%m-%d", "%d-%m-%Y"])
    consent_confirmed = BooleanField(_l("Consent to the processing of the data has been given and explained"),
                                     validators=[DataRequired(_l("Confirm that consent has been given."))])


class YouthIntakeForm(ConsentFields):
    submit_key = SubmitKeyField()
    first_name = StringField(_l("First name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    birth_year = IntegerField(_l("Birth year"), validators=[
        InputRequired(_l("Write the birth year as four digits.")),
        NumberRange(*_year_range(), message=_l("Write a birth year between %(min)s and %(max)s."))])
    gender = SelectField(_l("Gender"), choices=YOUTH_GENDER_CHOICES)
    postcode = StringField(_l("Postcode"), validators=[InputRequired(REQUIRED), Length(min=4, max=4,
                           message=_l("A Danish postcode has four digits.")), postcode_is_danish])
    guardian_name = StringField(_l("Parent or guardian"), validators=[Optional(), MaxLength(200)])
    guardian_phone = StringField(_l("Guardian's phone"), validators=[Optional(), MaxLength(30)])
    guardian_email = EmailField(_l("Guardian's e-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")), MaxLength(254)])
    school = StringField(_l("School or education"), validators=[Optional(), MaxLength(200)])
    no_trusted_adult = BooleanField(_l("Has no adult to confide in outside the municipal system"))
    interests_text = TextAreaField(_l("Interests in their own words"), validators=[Optional(), MaxLength(1000)])
    notes = TextAreaField(_l("Notes (only coordinators see them)"), validators=[Optional(), MaxLength(4000)])
    goal_worries = TextAreaField(_l("What are we worried about?"), validators=[Optional(), MaxLength(2000)])
    goal_works = TextAreaField(_l("What is working well?"), validators=[Optional(), MaxLength(2000)])
    goal_next = TextAreaField(_l("What needs to happen?"), validators=[Optional(), MaxLength(2000)])
    referred_on = DateField(_l("Referred on"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])
    referred_by = StringField(_l("Referred by"), validators=[Optional(), MaxLength(200)])
    request = FormField(RequestFields)


class MemberFields(Form):
    first_name = StringField(_l("First name"), validators=[Optional(), MaxLength(100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="child")
    birth_year = IntegerField(_l("Birth year"), validators=[Optional(), NumberRange(*_year_range(),
                              message=_l("Write a birth year between %(min)s and %(max)s."))])
    gender = SelectField(_l("Gender"), choices=MEMBER_GENDER_CHOICES, default="")


class HouseholdIntakeForm(ConsentFields):
    submit_key = SubmitKeyField()
    consent_relation = SelectField(_l("Role of the person giving consent"), choices=FAMILY_RELATION_CHOICES,
                                   default="self")
    consent2_relation = SelectField(_l("Second person's role"), choices=FAMILY_RELATION_CHOICES, default="self")
    family_name = StringField(_l("Family name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    contact_name = StringField(_l("Contact person"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), MaxLength(30)])
    contact_email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")), MaxLength(254)])
    postcode = StringField(_l("Postcode"), validators=[InputRequired(REQUIRED), Length(min=4, max=4,
                           message=_l("A Danish postcode has four digits.")), postcode_is_danish])
    wishes = TextAreaField(_l("What the family wants, in their own words"), validators=[Optional(), MaxLength(2000)])
    interests_text = TextAreaField(_l("Interests in their own words"), validators=[Optional(), MaxLength(1000)])
    notes = TextAreaField(_l("Notes (only coordinators see them)"), validators=[Optional(), MaxLength(4000)])
    referred_on = DateField(_l("Referred on"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])
    referred_by = StringField(_l("Referred by"), validators=[Optional(), MaxLength(200)])
    members = FieldList(FormField(MemberFields), min_entries=6, max_entries=12)
    requests = FieldList(FormField(RequestFields), min_entries=3, max_entries=5)


class RejectForm(FlaskForm):
    submit_key = SubmitKeyField()
    reason = TextAreaField(_l("Why is the proposal rejected?"), validators=[InputRequired(REQUIRED), MaxLength(2000)])


class ApproveForm(FlaskForm):
    submit_key = SubmitKeyField()
    intro_note = TextAreaField(_l("Introduction note for the volunteer (what they may know)"),
                               validators=[Optional(), MaxLength(2000)])
    intro_on = DateField(_l("Planned introduction meeting"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])


class ManualMatchForm(FlaskForm):
    submit_key = SubmitKeyField()
    volunteer_id = SelectField(_l("Volunteer"), coerce=int, validators=[InputRequired(REQUIRED)])
    intro_note = TextAreaField(_l("Introduction note for the volunteer (what they may know)"),
                               validators=[Optional(), MaxLength(2000)])
    confirm_soft = BooleanField(_l("I have read the concerns and want to make the match anyway"))


class IntroductionForm(FlaskForm):
    submit_key = SubmitKeyField()
    intro_on = DateField(_l("Date of the introduction meeting"), validators=[InputRequired(REQUIRED)],
                         format=["%Y-%m-%d", "%d-%m-%Y"])
    attendees = StringField(_l("Who attended"), validators=[Optional(), MaxLength(500)])
    volunteer_yes = RadioField(_l("Did the volunteer say yes?"), choices=[("yes", _l("Yes")), ("no", _l("No"))],
                               validators=[InputRequired(REQUIRED)])
    mentee_yes = RadioField(_l("Did the youth or family say yes?"), choices=[("yes", _l("Yes")), ("no", _l("No"))],
                            validators=[InputRequired(REQUIRED)])
    rhythm = RadioField(_l("How often did they agree to meet?"), choices=RHYTHM_CHOICES, validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), MaxLength(2000)])


class NoteForm(FlaskForm):
    submit_key = SubmitKeyField()
    body = TextAreaField(_l("New note"), validators=[InputRequired(REQUIRED), MaxLength(4000)])


# --- follow-up (issue 6) --------------------------------------------------------------------

CONTACTED_CHOICES = [("volunteer", _l("The volunteer")), ("youth", _l("The youth")), ("parent", _l("A parent"))]
RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]


class VersionedForm(FlaskForm):
    submit_key = SubmitKeyField()
    # The version of the match the coordinator saw: a change made meanwhile is not overwritten.
    version = HiddenField()


class OutcomeFields(Form):
    education_or_work = SelectField(_l("In education or work"), choices=OUTCOME_CHOICES, default="")
    leisure_activity = SelectField(_l("In a leisure activity"), choices=OUTCOME_CHOICES, default="")
    social_case = SelectField(_l("Still a case in the social system"), choices=OUTCOME_CHOICES, default="")
    own_words = TextAreaField(_l("The outcome in their own words"), validators=[Optional(), MaxLength(2000)])


class CheckInForm(VersionedForm):
    checkin_id = HiddenField()
    done_on = DateField(_l("Date of the check-in"), validators=[InputRequired(REQUIRED)], format=DATE_FORMATS)
    contacted = MultiCheckboxField(_l("Who did you talk to?"), choices=CONTACTED_CHOICES)
    rating = RadioField(_l("How is it going? (1 = badly, 5 = very well)"), choices=RATING_CHOICES,
                        validators=[Optional()])
    concerns = TextAreaField(_l("Concerns"), validators=[Optional(), MaxLength(4000)])
    agreements = TextAreaField(_l("Agreements"), validators=[Optional(), MaxLength(4000)])
    next_step = TextAreaField(_l("Next step"), validators=[Optional(), MaxLength(2000)])
    outcome = FormField(OutcomeFields)


class PauseForm(VersionedForm):
    on = DateField(_l("Paused from"), validators=[InputRequired(REQUIRED)], format=DATE_FORMATS)
    until = DateField(_l("Expected to resume"), validators=[Optional()], format=DATE_FORMATS)
    reason = TextAreaField(_l("Why is the match paused?"), validators=[InputRequired(REQUIRED), MaxLength(2000)])


class ResumeForm(VersionedForm):
    on = DateField(_l("Resumed on"), validators=[InputRequired(REQUIRED)], format=DATE_FORMATS)


class CloseForm(VersionedForm):
    closed_on = DateField(_l("Closing date"), validators=[InputRequired(REQUIRED)], format=DATE_FORMATS)
    reason = SelectField(_l("Why does the match end?"), validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("More about why"), validators=[Optional(), MaxLength(2000)])
    exit_conversation = TextAreaField(_l("The exit conversation: what was said, by whom"),
                                      validators=[Optional(), MaxLength(4000)])
    next_step = TextAreaField(_l("What or who comes next?"), validators=[Optional(), MaxLength(2000)])
    outcome = FormField(OutcomeFields)
    pair_may_rematch = RadioField(_l("May this pair be proposed again later?"),
                                  choices=[("no", _l("No")), ("yes", _l("Yes"))], default="no")
    request_back = RadioField(_l("What happens to the request?"),
                              choices=[("yes", _l("Back on the waiting list for a new volunteer")),
                                       ("no", _l("Closed: no new match is needed"))], default="yes")
    volunteer_back = RadioField(_l("Does the volunteer want a new match?"),
                                choices=[("yes", _l("Yes, back in the pool")),
                                         ("no", _l("Not now: keep them out of the pool"))], default="yes")
    confirm = BooleanField(_l("I understand that closing cannot be undone"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


# --- consent (issue 12) ---------------------------------------------------------------------

class AddConsentForm(FlaskForm):
    submit_key = SubmitKeyField()
    given_by = StringField(_l("Consent given by"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    relation = SelectField(_l("Role of the person giving consent"), choices=RELATION_CHOICES, default="guardian")
    given_on = DateField(_l("Date consent was given"), validators=[InputRequired(REQUIRED)],
                         format=["%Y-%m-%d", "%d-%m-%Y"])
    confirmed = BooleanField(_l("Consent to the processing of the data has been given and explained"),
                             validators=[DataRequired(_l("Confirm that consent has been given."))])


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = DateField(_l("Date consent was withdrawn"), validators=[InputRequired(REQUIRED)],
                             format=["%Y-%m-%d", "%d-%m-%Y"])
    withdrawn_by = StringField(_l("Who withdrew it"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    note = TextAreaField(_l("What was said, and what happens next"), validators=[Optional(), MaxLength(2000)])
    confirm = BooleanField(_l("I understand that the requests are taken out of matching"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
