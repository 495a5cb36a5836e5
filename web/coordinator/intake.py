"""Intake (visitation) of a youth or a household with its requests."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from models.child_protection import CERTIFICATE_STEP
from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.followup import OUTCOME_QUESTIONS
from models.intake import (
    ConsentDraft,
    MenteeDraft,
    RequestDraft,
    register_household,
    register_youth,
)
from models.organisations import Program
from web.coordinator.forms import HouseholdIntakeForm, YouthIntakeForm
from web.coordinator.views import bp
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import error_message
from web.policy import require_area, scope
from web.widgets import (
    availability_from_form,
    grid_context,
    interests_from_form,
    languages_from_form,
)


def _programs(kind: str) -> list[Program]:
    serves = ("youth", "both") if kind == "youth" else ("family", "both")
    return list(get_db().exec(scope(Program).where(Program.active, Program.serves.in_(serves)).order_by(Program.name)))


def _draft(fields, program: Program) -> RequestDraft:  # noqa: ANN001
    return RequestDraft(
        program=program, need=fields.need.data or "", description=fields.about.data or "",
        complexity=int(fields.complexity.data or 0), complexity_reason=fields.complexity_reason.data or "",
        mentor_gender_required=fields.mentor_gender_required.data or None,
        mentor_gender_preferred=fields.mentor_gender_preferred.data or None,
        baseline={q: getattr(fields, f"baseline_{q}").data or "" for q in OUTCOME_QUESTIONS},
    )


def _consents(form) -> tuple[ConsentDraft | None, ConsentDraft | None]:  # noqa: ANN001
    """The one or two consents typed on an intake form (a consent without a name is not given)."""
    first = ConsentDraft(form.consent_given_by.data or "", form.consent_relation.data, form.consent_given_on.data) \
        if (form.consent_given_by.data or "").strip() else None
    second = ConsentDraft(form.consent2_given_by.data or "", form.consent2_relation.data,
                          form.consent2_given_on.data) if (form.consent2_given_by.data or "").strip() else None
    return first, second


def _mentee(form) -> tuple[MenteeDraft, list[str]]:  # noqa: ANN001
    languages, errors = languages_from_form(request.form)
    allowed = [tag for tag, _label in grid_context(0, {}, [], None)["interest_choices"]]
    return MenteeDraft(
        postcode=(form.postcode.data or "").strip(), languages=languages,
        interests=interests_from_form(request.form, allowed), interests_text=form.interests_text.data or "",
        availability=availability_from_form(request.form), notes=form.notes.data or "",
    ), errors


def _flash_certificate_added(programs: list[Program], had_certificate: dict[int, bool]) -> None:
    for program in {p.id: p for p in programs}.values():
        if not had_certificate.get(program.id) and CERTIFICATE_STEP in program.required_steps:
            flash(_("%(program)s now serves a child under 15, so a børneattest is required of its volunteers from "
                    "now on. Volunteers without one are not proposed for children under 15.", program=program.name),
                  "info")


@bp.route("/unge/ny", methods=["GET", "POST"])
def new_youth() -> str | Response:
    require_area("coordinator")
    programs = _programs("youth")
    form = YouthIntakeForm()
    form.request.program.choices = [(p.id, p.name) for p in programs]
    mentee, language_errors = _mentee(form) if request.method == "POST" else (MenteeDraft(postcode=""), [])
    if form.validate_on_submit() and not language_errors:
        program = next(p for p in programs if p.id == form.request.program.data)
        draft = _draft(form.request, program)
        draft.goal_worries, draft.goal_works, draft.goal_next = (form.goal_worries.data or "", form.goal_works.data or "",
                                                                  form.goal_next.data or "")
        draft.referred_on, draft.referred_by = form.referred_on.data, form.referred_by.data or ""
        consent, second_consent = _consents(form)
        had_certificate = {program.id: CERTIFICATE_STEP in program.required_steps}
        try:
            youth, _request = register_youth(
                get_db(), current_user, today(), first_name=form.first_name.data, last_name=form.last_name.data,
                birth_year=form.birth_year.data, gender=form.gender.data, profile=mentee, consent=consent,
                request=draft, guardian_name=form.guardian_name.data or "", guardian_phone=form.guardian_phone.data or "",
                guardian_email=form.guardian_email.data or "", school=form.school.data or "",
                no_trusted_adult=bool(form.no_trusted_adult.data), second_consent=second_consent,
                submit_key=form.submit_key.data,
            )
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("coordinator.youth", youth_id=done.result_id))
        except DomainError as error:
            get_db().rollback()
            field = {"need": "request-need", "program": "request-program", "complexity_reason": "request-complexity_reason"}
            if error.field in field:
                getattr(form.request, error.field).errors = [*getattr(form.request, error.field).errors, error_message(error)]
            else:
                apply_domain_error(form, error, error_message(error))
        else:
            flash(_("%(name)s is registered and waits for a match.", name=youth.first_name), "success")
            _flash_certificate_added([program], had_certificate)
            return redirect(url_for("coordinator.youth", youth_id=youth.id))
    return render_template("coordinator/intake_youth.html", form=form, language_errors=language_errors,
                           w=grid_context(mentee.availability, mentee.languages, mentee.interests, None)), (
        400 if request.method == "POST" else 200)


@bp.route("/familier/ny", methods=["GET", "POST"])
def new_household() -> str | Response:
    require_area("coordinator")
    programs = _programs("family")
    form = HouseholdIntakeForm()
    for sub in form.requests:
        sub.program.choices = [(p.id, p.name) for p in programs]
    mentee, language_errors = _mentee(form) if request.method == "POST" else (MenteeDraft(postcode=""), [])
    if form.validate_on_submit() and not language_errors:
        by_id = {p.id: p for p in programs}
        drafts = []
        for sub in form.requests:
            if (sub.need.data or "").strip():
                draft = _draft(sub, by_id[sub.program.data])
                draft.referred_on, draft.referred_by = form.referred_on.data, form.referred_by.data or ""
                drafts.append(draft)
        members = [(m.first_name.data, m.role.data, m.birth_year.data, m.gender.data) for m in form.members
                   if (m.first_name.data or "").strip() and m.birth_year.data]
        consent, second_consent = _consents(form)
        had_certificate = {d.program.id: CERTIFICATE_STEP in d.program.required_steps for d in drafts}
        try:
            household, created = register_household(
                get_db(), current_user, today(), family_name=form.family_name.data,
                contact_name=form.contact_name.data, contact_phone=form.contact_phone.data or "",
                contact_email=form.contact_email.data or "", wishes=form.wishes.data or "", members=members,
                profile=mentee, consent=consent, requests=drafts, second_consent=second_consent,
                submit_key=form.submit_key.data,
            )
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("coordinator.household", household_id=done.result_id))
        except DomainError as error:
            get_db().rollback()
            if error.field == "need":
                form.requests[0].need.errors = [*form.requests[0].need.errors, error_message(error)]
            elif error.field == "members":
                form.members[0].first_name.errors = [*form.members[0].first_name.errors, error_message(error)]
            else:
                apply_domain_error(form, error, error_message(error))
        else:
            flash(ngettext("%(name)s is registered with %(num)s request.", "%(name)s is registered with %(num)s requests.",
                           len(created), name=household.family_name), "success")
            _flash_certificate_added([d.program for d in drafts], had_certificate)
            return redirect(url_for("coordinator.household", household_id=household.id))
    return render_template("coordinator/intake_household.html", form=form, language_errors=language_errors,
                           w=grid_context(mentee.availability, mentee.languages, mentee.interests, None)), (
        400 if request.method == "POST" else 200)


