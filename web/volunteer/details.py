"""Turning the profile form into the domain's VolunteerDetails, and errors back onto the form."""

from __future__ import annotations

from flask import request

from models.errors import DomainError
from models.signup import VolunteerDetails
from models.volunteers import Volunteer
from web.forms import apply_domain_error
from web.i18n import error_message
from web.params import whole_number
from web.widgets import (
    availability_from_form,
    grid_context,
    interest_choices,
    interests_from_form,
    languages_from_form,
)


def details_from(form, program_interests: list[str] | None) -> tuple[VolunteerDetails, list[str]]:  # noqa: ANN001
    languages, errors = languages_from_form(request.form)
    allowed = [tag for tag, _label in interest_choices(program_interests)]
    details = VolunteerDetails(
        first_name=(form.first_name.data or "").strip(), last_name=(form.last_name.data or "").strip(),
        phone=(form.phone.data or "").strip(), birth_year=form.birth_year.data or 0, gender=form.gender.data,
        postcode=(form.postcode.data or "").strip(), languages=languages,
        interests=interests_from_form(request.form, allowed), interests_text=form.interests_text.data or "",
        availability=availability_from_form(request.form), supports=form.supports.data,
        age_min=form.age_min.data or 0, age_max=form.age_max.data or 0, capacity=form.capacity.data or 1,
        mentee_gender_wish=form.mentee_gender_wish.data or None, experience=whole_number(form.experience.data, 0),
        experience_text=form.experience_text.data or "", motivation=form.motivation.data or "",
    )
    return details, errors


def widgets_for(details: VolunteerDetails | None, volunteer: Volunteer | None, program_interests: list[str] | None) -> dict:
    if details is not None:
        return grid_context(details.availability, details.languages, details.interests, program_interests)
    if volunteer is not None:
        return grid_context(volunteer.availability, volunteer.languages, volunteer.interests, program_interests)
    return grid_context(0, {}, [], program_interests)


def show_error(form, error: DomainError, extra: dict[str, list[str]]) -> None:  # noqa: ANN001
    """Domain errors about the grid or languages go next to those widgets."""
    message = error_message(error)
    if error.field in ("availability", "languages"):
        extra.setdefault(error.field, []).append(message)
    else:
        apply_domain_error(form, error, message)
