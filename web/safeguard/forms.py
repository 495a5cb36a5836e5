"""Forms of the safeguarding pages."""

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
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from web.forms import MaxLength, SubmitKeyField
from web.i18n import lazy_gettext as _l


class SignForm(FlaskForm):
    submit_key = SubmitKeyField()
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    signed_name = StringField(_l("Your full name"), validators=[Optional(), MaxLength(200)])
    agree = BooleanField(_l("I have read the text and will keep to it"))


class ConcernForm(FlaskForm):
    submit_key = SubmitKeyField()
    match_id = SelectField(_l("Which child or family is it about?"), coerce=int, validators=[InputRequired()])
    message = TextAreaField(_l("What worries you? (optional; your coordinator will call you anyway)"),
                            validators=[Optional(), MaxLength(2000)])


class CertificateForm(FlaskForm):
    submit_key = SubmitKeyField()
    received_on = DateField(_l("Received on"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])
    result = RadioField(_l("Result"), validators=[Optional()])


class HandleConcernsForm(FlaskForm):
    submit_key = SubmitKeyField()


class TextForm(FlaskForm):
    submit_key = SubmitKeyField()
    title = StringField(_l("Title"), validators=[Optional(), MaxLength(200)])
    body = TextAreaField(_l("Text"), validators=[Optional(), MaxLength(20000)])
    confirm = BooleanField(_l("I understand that every volunteer is asked to sign the new version"))
