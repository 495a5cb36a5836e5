"""The referrer's forms, in plain words: each field says what is wrong next to it and keeps what
was typed. The rules themselves are checked by ``models.referrals.operations.check_referral``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from web.coordinator.forms import GENDER_CHOICES, WISH_CHOICES, MemberFields, _year_range
from web.forms import MaxLength, SubmitKeyField, postcode_is_danish
from web.i18n import lazy_gettext as _l

REQUIRED = _l("This field is required.")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
# Heaviness, with the guidance a caseworker needs to choose (the coordinator may adjust it).
COMPLEXITY_CHOICES = [
    ("0", _l("Low: everyday difficulties, e.g. loneliness, needs an adult to talk to, help with homework or "
             "leisure")),
    ("1", _l("Moderate: several difficulties at once, e.g. absence from school, conflicts at home, few friends")),
    ("2", _l("High: heavy problems, e.g. known crime, abuse in the family, serious distress; needs an "
             "experienced volunteer")),
    ("3", _l("Very high: very heavy problems with professional support alongside, e.g. violence, self-harm, "
             "gang ties; needs a volunteer with a professional background")),
]
CUSTODY_CHOICES = [("joint", _l("Both parents together (joint custody): both consent")),
                   ("sole", _l("One parent alone (sole custody)"))]
YOUTH_RELATION_CHOICES = [("guardian", _l("Custody holder (parent or guardian)")),
                          ("self", _l("The youth themselves (from 15)"))]
FAMILY_RELATION_CHOICES = [("self", _l("An adult of the family")),
                           ("guardian", _l("Custody holder (parent or guardian)"))]


class ConsentPart(FlaskForm):
    """Up to three people who consented, what for, and the signed form."""

    custody = RadioField(_l("Who has custody?"), choices=CUSTODY_CHOICES, validators=[Optional()])
    consent_given_by = StringField(_l("Consent given by"), validators=[Optional(), MaxLength(200)])
    consent_relation = SelectField(_l("Role of the person giving consent"), choices=YOUTH_RELATION_CHOICES,
                                   default="guardian")
    consent_given_on = DateField(_l("Date consent was given"), validators=[Optional()], format=DATE_FORMATS)
    consent2_given_by = StringField(_l("Second person who consented"), validators=[Optional(), MaxLength(200)])
    consent2_relation = SelectField(_l("Second person's role"), choices=YOUTH_RELATION_CHOICES,
                                   default="guardian")
    consent2_given_on = DateField(_l("Date of the second consent"), validators=[Optional()], format=DATE_FORMATS)
    consent3_given_by = StringField(_l("Third person who consented"), validators=[Optional(), MaxLength(200)])
    consent3_relation = SelectField(_l("Third person's role"), choices=YOUTH_RELATION_CHOICES,
                                   default="guardian")
    consent3_given_on = DateField(_l("Date of the third consent"), validators=[Optional()], format=DATE_FORMATS)
    consent_to_referral = BooleanField(_l("They consent to the referral to the programme"))
    consent_to_status = BooleanField(_l("They consent to the organisation sending me a short status along the way "
                                        "and telling me when the case closes"))
    consent_form_signed = BooleanField(_l("The consent form is signed and kept in our case file"))


class ReferralPart(ConsentPart):
    submit_key = SubmitKeyField()
    postcode = StringField(_l("Postcode"), validators=[InputRequired(REQUIRED), Length(
        min=4, max=4, message=_l("A Danish postcode has four digits.")), postcode_is_danish])
    reason = TextAreaField(_l("Why do you refer? In the family's own words"),
                           validators=[InputRequired(REQUIRED), MaxLength(4000)])
    wishes = TextAreaField(_l("What do they wish for themselves?"), validators=[Optional(), MaxLength(2000)])
    volunteer_wishes = TextAreaField(_l("Wishes for the volunteer"), validators=[Optional(), MaxLength(2000)])
    mentor_gender_preferred = SelectField(_l("Volunteer's gender: preferred"), choices=WISH_CHOICES, default="")
    mentor_gender_required = SelectField(_l("Volunteer's gender: required"), choices=WISH_CHOICES, default="")
    complexity = RadioField(_l("How heavy is the case?"), choices=COMPLEXITY_CHOICES, default="0",
                            validators=[InputRequired(REQUIRED)])
    complexity_reason = TextAreaField(_l("What makes it heavy? (only the coordinators see it)"),
                                      validators=[Optional(), MaxLength(2000)])
    interests_text = TextAreaField(_l("Interests in their own words"), validators=[Optional(), MaxLength(1000)])
    version = HiddenField()


class YouthReferralForm(ReferralPart):
    first_name = StringField(_l("First name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(REQUIRED), MaxLength(100)])
    birth_year = IntegerField(_l("Birth year"), validators=[
        InputRequired(_l("Write the birth year as four digits.")),
        NumberRange(*_year_range(), message=_l("Write a birth year between %(min)s and %(max)s."))])
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES)
    school = StringField(_l("School or education"), validators=[Optional(), MaxLength(200)])
    guardian_name = StringField(_l("Parent or guardian"), validators=[Optional(), MaxLength(200)])
    guardian_phone = StringField(_l("Guardian's phone"), validators=[Optional(), MaxLength(30)])
    guardian_email = EmailField(_l("Guardian's e-mail"), validators=[
        Optional(), Email(_l("Enter a valid e-mail address.")), MaxLength(254)])
    no_trusted_adult = BooleanField(_l("Has no adult to confide in outside the municipal system"))


class FamilyReferralForm(ReferralPart):
    consent_relation = SelectField(_l("Role of the person giving consent"), choices=FAMILY_RELATION_CHOICES,
                                   default="self")
    consent2_relation = SelectField(_l("Second person's role"), choices=FAMILY_RELATION_CHOICES, default="self")
    consent3_relation = SelectField(_l("Third person's role"), choices=FAMILY_RELATION_CHOICES, default="self")
    family_name = StringField(_l("Family name"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    contact_name = StringField(_l("Contact person"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), MaxLength(30)])
    contact_email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")),
                                                         MaxLength(254)])
    members = FieldList(FormField(MemberFields), min_entries=6, max_entries=12)


class MessageForm(FlaskForm):
    submit_key = SubmitKeyField()
    body = TextAreaField(_l("Your message"), validators=[InputRequired(REQUIRED), MaxLength(4000)])


class WithdrawForm(FlaskForm):
    submit_key = SubmitKeyField()
    note = TextAreaField(_l("Why is the referral withdrawn? (optional)"), validators=[Optional(), MaxLength(2000)])
    confirm = BooleanField(_l("I understand that the referral is withdrawn and cannot be sent again"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class StopStatusForm(FlaskForm):
    on = DateField(_l("The day the family said so"), validators=[InputRequired(REQUIRED)], format=DATE_FORMATS)
    confirm = BooleanField(_l("I understand that no more statuses will be sent about this referral"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
