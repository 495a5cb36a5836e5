"""Between the referral form and ``ReferralDraft``: read what was typed (the widgets' raw fields
too), fill the form from a stored referral, and put a domain error next to its field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from models.consent import ConsentDraft, ConsentRecord
from models.errors import DomainError
from models.organisations import Program
from models.referrals.operations import Member, ReferralDraft
from models.referrals.tables import Referral
from web.referrer.forms import FamilyReferralForm, YouthReferralForm
from web.widgets import (
    availability_from_form,
    grid_context,
    interest_choices,
    interests_from_form,
    languages_from_form,
)

_SLOTS = ((1, "consent"), (2, "consent2"), (3, "consent3"))


def form_for(kind: str) -> YouthReferralForm | FamilyReferralForm:
    return YouthReferralForm() if kind == "youth" else FamilyReferralForm()


def _text(field) -> str:  # noqa: ANN001
    return (field.data or "").strip() if field is not None else ""


def draft_from_form(form: FlaskForm, kind: str, formdata: MultiDict,
                    program: Program) -> tuple[ReferralDraft, list[str]]:
    """The draft as typed, and the language widget's own errors."""
    languages, language_errors = languages_from_form(formdata)
    consents = []
    for _number, prefix in _SLOTS:
        name = _text(getattr(form, f"{prefix}_given_by"))
        if name:
            consents.append(ConsentDraft(name, getattr(form, f"{prefix}_relation").data,
                                         getattr(form, f"{prefix}_given_on").data))
    try:
        complexity = int(form.complexity.data or 0)
    except (TypeError, ValueError):
        complexity = -1
    draft = ReferralDraft(
        kind=kind, postcode=_text(form.postcode), reason=_text(form.reason), wishes=_text(form.wishes),
        volunteer_wishes=_text(form.volunteer_wishes), mentor_gender_preferred=form.mentor_gender_preferred.data or None,
        mentor_gender_required=form.mentor_gender_required.data or None, complexity=complexity,
        complexity_reason=_text(form.complexity_reason), languages=languages,
        interests=interests_from_form(formdata, [t for t, _n in interest_choices(program.interests)]),
        interests_text=_text(form.interests_text), availability=availability_from_form(formdata),
        custody=form.custody.data or "", consents=consents, consent_to_referral=bool(form.consent_to_referral.data),
        consent_to_status=bool(form.consent_to_status.data), consent_form_signed=bool(form.consent_form_signed.data))
    if kind == "youth":
        draft.first_name, draft.last_name = _text(form.first_name), _text(form.last_name)
        draft.birth_year, draft.gender = form.birth_year.data, form.gender.data or ""
        draft.school, draft.guardian_name = _text(form.school), _text(form.guardian_name)
        draft.guardian_phone, draft.guardian_email = _text(form.guardian_phone), _text(form.guardian_email)
        draft.no_trusted_adult = bool(form.no_trusted_adult.data)
    else:
        draft.family_name, draft.contact_name = _text(form.family_name), _text(form.contact_name)
        draft.contact_phone, draft.contact_email = _text(form.contact_phone), _text(form.contact_email)
        draft.members = [Member(_text(m.first_name), m.role.data, m.birth_year.data, m.gender.data or "")
                         for m in form.members if _text(m.first_name)]
    return draft, language_errors


def fill_form(form: FlaskForm, referral: Referral, consents: list[ConsentRecord]) -> None:
    """The stored referral in the form, for the referrer to correct it."""
    for name in ("postcode", "reason", "wishes", "volunteer_wishes", "complexity_reason", "interests_text", "custody"):
        getattr(form, name).data = getattr(referral, name)
    form.mentor_gender_preferred.data = referral.mentor_gender_preferred or ""
    form.mentor_gender_required.data = referral.mentor_gender_required or ""
    form.complexity.data = str(referral.complexity)
    form.version.data = str(referral.version)
    form.consent_to_referral.data, form.consent_to_status.data = True, referral.status_consent
    for (_number, prefix), consent in zip(_SLOTS, consents, strict=False):
        getattr(form, f"{prefix}_given_by").data = consent.given_by
        getattr(form, f"{prefix}_relation").data = consent.relation
        getattr(form, f"{prefix}_given_on").data = consent.given_on
    if referral.kind == "youth":
        for name in ("first_name", "last_name", "birth_year", "gender", "school", "guardian_name", "guardian_phone",
                     "guardian_email", "no_trusted_adult"):
            getattr(form, name).data = getattr(referral, name)
    else:
        for name in ("family_name", "contact_name", "contact_phone", "contact_email"):
            getattr(form, name).data = getattr(referral, name)
        for entry, member in zip(form.members, referral.members or [], strict=False):
            entry.first_name.data, entry.role.data = member["first_name"], member["role"]
            entry.birth_year.data, entry.gender.data = member["birth_year"], member.get("gender") or ""


def widget_context(form: FlaskForm, kind: str, program: Program, referral: Referral | None = None) -> dict:
    """Languages, interests and the week grid as typed (or as stored, when editing)."""
    from flask import request

    if referral is not None:
        return grid_context(referral.availability, dict(referral.languages), list(referral.interests),
                            program.interests)
    if request.method == "POST":
        languages, _errors = languages_from_form(request.form)
        return grid_context(availability_from_form(request.form), languages,
                            interests_from_form(request.form, [t for t, _n in interest_choices(program.interests)]),
                            program.interests)
    return grid_context(0, {}, [], program.interests)


def apply_referral_error(form: FlaskForm, error: DomainError, message: str, language_errors: list[str]) -> None:
    """Show a refusal next to the field it names (members and languages have their own places)."""
    if error.field == "members":
        first = form.members[0].first_name
        first.errors = [*first.errors, message]
    elif error.field == "languages":
        language_errors.append(message)
    elif error.field and hasattr(form, error.field) and error.field not in ("program", "kind"):
        field = getattr(form, error.field)
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
