"""The coordinator's forms for referrals: accept, ask for more, decline, write a status."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from web.coordinator.forms import COMPLEXITY_CHOICES, REQUIRED
from web.forms import MaxLength, SubmitKeyField
from web.i18n import lazy_gettext as _l

DECLINE_CHOICES = [
    ("outside_target", _l("Outside the programme's target group")),
    ("too_heavy", _l("The needs are too heavy for a volunteer")),
    ("no_volunteers", _l("No volunteer can be found in reasonable time")),
    ("other_offer", _l("Another offer fits better")),
    ("consent", _l("The consent is missing or unclear")),
    ("other", _l("Another reason")),
]


class AcceptForm(FlaskForm):
    submit_key = SubmitKeyField()
    version = HiddenField()
    need = StringField(_l("What help is needed"), validators=[InputRequired(REQUIRED), MaxLength(200)])
    complexity = SelectField(_l("Complexity"), choices=COMPLEXITY_CHOICES)
    complexity_reason = TextAreaField(_l("Reason for the complexity (only coordinators see it)"),
                                      validators=[Optional(), MaxLength(2000)])


class AskForm(FlaskForm):
    submit_key = SubmitKeyField()
    question = TextAreaField(_l("What do you need to know?"), validators=[InputRequired(REQUIRED), MaxLength(4000)])


class DeclineForm(FlaskForm):
    submit_key = SubmitKeyField()
    reason = SelectField(_l("Why is the referral declined?"), choices=DECLINE_CHOICES,
                         validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("The reason in words the referrer and the family can read"),
                         validators=[InputRequired(REQUIRED), MaxLength(2000)])
    confirm = BooleanField(_l("I understand that the referrer is told and the referral cannot be accepted later"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class StatusForm(FlaskForm):
    submit_key = SubmitKeyField()
    how_it_goes = TextAreaField(_l("How it goes"), validators=[Optional(), MaxLength(4000)])
    agreements = TextAreaField(_l("Agreements"), validators=[Optional(), MaxLength(4000)])
    concerns = TextAreaField(_l("Concerns"), validators=[Optional(), MaxLength(4000)])
    checked = BooleanField(_l("I have read the status through: the family may read it, and it names nothing of the "
                              "volunteer's private life"))
