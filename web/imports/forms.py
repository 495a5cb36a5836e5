"""Forms of the import pages; the choices per column and value are built from the batch."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from web.forms import MaxLength, SubmitKeyField
from web.i18n import lazy_gettext as _l

KIND_CHOICES = [("volunteers", _l("Volunteers")), ("youths", _l("Youths")),
                ("households", _l("Households with members (one row per person)")),
                ("pairs", _l("Existing pairs (volunteer + youth or family)"))]


class UploadForm(FlaskForm):
    program = SelectField(_l("Program"), coerce=int, validators=[InputRequired(_l("Choose a program."))])
    kind = SelectField(_l("The file holds"), choices=KIND_CHOICES, validators=[InputRequired()])
    mapping = SelectField(_l("Saved mapping"), choices=[], validate_choice=False, validators=[Optional()])
    file = FileField(_l("File (.xlsx or .csv)"))


class SaveMappingForm(FlaskForm):
    save_as = StringField(_l("Save this mapping as (optional)"), validators=[Optional(), MaxLength(100)])


class UndoForm(FlaskForm):
    confirm = BooleanField(_l("Yes, remove everything this import created"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
    submit_key = SubmitKeyField()


class ExportForm(FlaskForm):
    """Which file the job makes: the buttons carry the format."""

    fmt = SelectField(_l("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("json", "JSON")],
                      validators=[InputRequired()])
