"""Sign up for a program, confirm the e-mail, and move into screening."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select
from werkzeug.wrappers import Response

from models.clock import today
from models.emails import send
from models.errors import AlreadyDone, DomainError
from models.organisations import Organisation, Program
from models.signup import (
    AddressTaken,
    confirm_email,
    register_volunteer,
    tell_owner_of_address,
    volunteer_consent_text,
)
from models.users import User, normalise_email
from web.database import get_db
from web.i18n import current_locale
from web.links import public_url
from web.params import optional_record_id
from web.policy import public
from web.tokens import CONFIRM_MAX_AGE, make_user_token, read_user_token
from web.volunteer.details import details_from, show_error, widgets_for
from web.volunteer.forms import SignupForm

bp = Blueprint("signup", __name__, url_prefix="/bliv-frivillig")


def _confirm_link(user: User) -> str:
    return public_url("signup.confirm", token=make_user_token(user, "confirm"))


@bp.get("/")
@public
def programs() -> str:
    db = get_db()
    rows = db.exec(select(Program, Organisation).join(Organisation, Organisation.id == Program.organisation_id)
                   .where(Program.active).order_by(Organisation.name, Program.name)).all()
    return render_template("signup/programs.html", rows=rows)


@bp.route("/<org_slug>/<program_slug>", methods=["GET", "POST"])
@public
def form(org_slug: str, program_slug: str) -> str | Response:
    db = get_db()
    found = db.exec(select(Program, Organisation).join(Organisation, Organisation.id == Program.organisation_id)
                    .where(Organisation.slug == org_slug, Program.slug == program_slug, Program.active)).first()
    if found is None:
        abort(404)
    program, organisation = found
    form = SignupForm()
    extra: dict[str, list[str]] = {}
    details = None
    if request.method == "POST":
        details, language_errors = details_from(form, program.interests)
        if language_errors:
            extra["languages"] = language_errors
    if form.validate_on_submit() and not extra:
        try:
            volunteer, user = register_volunteer(db, program, form.email.data, form.password.data, details, today(),
                                                 locale=current_locale(), submit_key=form.submit_key.data)
            link = _confirm_link(user)
            send(db, "confirm_email", to=user.email, locale=user.locale, organisation_id=organisation.id,
                 name=details.first_name, program=program.name, organisation=organisation.name, link=link)
            db.commit()
        except AlreadyDone:
            # The same form sent twice: the first is saved and its e-mail is on its way.
            db.rollback()
            return redirect(url_for("signup.thanks", email=normalise_email(form.email.data)))
        except AddressTaken as taken:
            # The same answer as for a new address; the owner of the address is told by e-mail.
            db.rollback()
            tell_owner_of_address(db, program, taken.email, today(), current_locale(),
                                  sign_in_link=public_url("auth.login"), reset_link=public_url("auth.forgot_password"),
                                  confirm_link_for=_confirm_link)
            return redirect(url_for("signup.thanks", email=taken.email))
        except DomainError as error:
            db.rollback()
            show_error(form, error, extra)
        else:
            return redirect(url_for("signup.thanks", email=user.email))
    status = 400 if request.method == "POST" else 200
    return render_template("signup/form.html", form=form, program=program, organisation=organisation, extra=extra,
                           consent_text=volunteer_consent_text(get_db(), program),
                           w=widgets_for(details, None, program.interests)), status


@bp.get("/tak")
@public
def thanks() -> str:
    return render_template("signup/thanks.html", email=request.args.get("email", "")[:254])


@bp.get("/bekraeft/<token>")
@public
def confirm(token: str) -> Response:
    data = read_user_token(token, "confirm", CONFIRM_MAX_AGE)
    db = get_db()
    user = db.get(User, optional_record_id(data[0])) if data and optional_record_id(data[0]) else None
    if user is not None and user.active and user.email_confirmed_at is not None:
        # Used once already: it changes nothing again.
        flash(_("This confirmation link has been used already. Sign in with your e-mail and password."), "info")
        return redirect(url_for("auth.login"))
    if user is None or not user.active:
        flash(_("The confirmation link is not valid any more. Sign up again or contact the association."), "error")
        return redirect(url_for("auth.login"))
    confirm_email(db, user)
    flash(_("Thank you, your e-mail is confirmed. Sign in to follow your screening."), "success")
    return redirect(url_for("auth.login"))
