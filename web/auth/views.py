"""Sign-in, sign-out, password reset and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from models.clock import utcnow
from models.emails import send
from models.errors import DomainError
from models.users import SignInLocked, User, authenticate, get_user_by_email, set_password
from web.auth.forms import LoginForm, NewPasswordForm, ResetRequestForm
from web.database import get_db
from web.i18n import LANGUAGES, current_locale, error_message
from web.policy import public, require
from web.tokens import (
    CONFIRM_MAX_AGE,
    RESET_MAX_AGE,
    make_user_token,
    read_user_token,
    token_matches,
)

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {"volunteer": "volunteer.home", "coordinator": "coordinator.home", "admin": "admin.home",
                "referrer": "referrer.home"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: a sign-in link must not send people elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_url(user: User) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "auth.login"))


@bp.get("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/log-ind", methods=["GET", "POST"])
@public
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(get_db(), form.email.data, form.password.data)
        except SignInLocked as locked:
            form.form_errors.append(error_message(locked))
            return render_template("auth/login.html", form=form), 429
        except DomainError as not_confirmed:
            form.form_errors.append(error_message(not_confirmed))
            return render_template("auth/login.html", form=form), 200
        if user is None:
            # One message, whether or not the account exists.
            form.form_errors.append(_("Wrong e-mail or password."))
            return render_template("auth/login.html", form=form), 200
        login_user(user, remember=bool(form.remember.data))
        return redirect(_safe_next(request.args.get("next")) or home_url(user))
    return render_template("auth/login.html", form=form)


@bp.post("/log-ud")
def logout() -> Response:
    require("use", record_type="account")
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
@public
def forgot_password() -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        db = get_db()
        user = get_user_by_email(db, form.email.data)
        if user is not None and user.active:
            link = url_for("auth.reset_password", token=make_user_token(user, "reset"), _external=True)
            send(db, "password_reset", to=user.email, locale=user.locale, organisation_id=user.organisation_id,
                 name=user.name, link=link)
            db.commit()
        # The same answer either way: the page must not tell whether an account exists.
        flash(_("If the address belongs to an account, we have sent a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/nulstil/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | str:
    return _choose_password(token, "reset", RESET_MAX_AGE, accepting_invite=False)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invite(token: str) -> Response | str:
    """An invited coordinator or admin chooses a password; the link proves the e-mail is theirs."""
    return _choose_password(token, "invite", CONFIRM_MAX_AGE, accepting_invite=True)


def _choose_password(token: str, purpose: str, max_age: int, accepting_invite: bool) -> Response | str:
    data = read_user_token(token, purpose, max_age)
    db = get_db()
    user = db.get(User, data[0]) if data else None
    if user is None or not user.active or not token_matches(user, data[1]):
        flash(_("The link is no longer valid. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        if accepting_invite and user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
        db.add(user)
        db.commit()
        flash(_("Your password has been changed. You can sign in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.get("/sprog/<code>")
@public
def set_language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("auth.index"))


@bp.app_context_processor
def _languages() -> dict:
    return {"other_languages": [(c, n) for c, n in LANGUAGES.items() if c != current_locale()]}
