"""Sign-in, sign-out, password reset and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models.emails import send
from models.errors import DomainError
from models.links import choose_password_from_link
from models.sessions import sign_out_everywhere
from models.users import (
    SignInLocked,
    User,
    authenticate,
    change_password,
    get_user_by_email,
)
from models.writes import begin_write
from web.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    SignOutEverywhereForm,
)
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import LANGUAGES, current_locale, error_message
from web.links import public_url
from web.params import optional_record_id
from web.policy import public, require
from web.security import session_token, sign_in, sign_out
from web.throttle import client_address
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
            user = authenticate(get_db(), form.email.data, form.password.data, client=client_address())
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
        sign_in(user, remember=bool(form.remember.data))
        return redirect(_safe_next(request.args.get("next")) or home_url(user))
    return render_template("auth/login.html", form=form)


@bp.post("/log-ud")
def logout() -> Response:
    require("use", record_type="account")
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/konto")
def account() -> str:
    """The signed-in person's account: change the password, sign out on every device."""
    require("use", record_type="account")
    return render_template("auth/account.html", form=ChangePasswordForm(), sign_out_form=SignOutEverywhereForm())


@bp.post("/konto/adgangskode")
def change_password_view() -> Response | str:
    require("use", record_type="account")
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_db()
        user = db.get(User, current_user.id)
        try:
            change_password(db, user, form.current.data, form.password.data, keep_token=session_token())
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("Your password is changed. You are signed out on your other devices."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, sign_out_form=SignOutEverywhereForm()), 400


@bp.post("/konto/log-ud-alle")
def sign_out_everywhere_view() -> Response:
    require("use", record_type="account")
    if SignOutEverywhereForm().validate_on_submit():
        db = get_db()
        sign_out_everywhere(db, db.get(User, current_user.id))
        sign_out()
        flash(_("You are signed out on all devices, this one included."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
@public
def forgot_password() -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        db = get_db()
        user = get_user_by_email(db, form.email.data)
        if user is not None and user.active:
            begin_write(db)
            link = public_url("auth.reset_password", token=make_user_token(user, "reset"))
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
    user = db.get(User, optional_record_id(data[0])) if data and optional_record_id(data[0]) else None
    if user is None or not user.active or not token_matches(user, data[1]):
        flash(_("The link is no longer valid. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            # The link is checked again on the locked user: two tabs cannot both spend it.
            choose_password_from_link(db, user.id, lambda fresh: token_matches(fresh, data[1]), form.password.data,
                                      confirm_email=accepting_invite)
        except DomainError as error:
            if error.field == "password":
                form.password.errors = [*form.password.errors, error_message(error)]
                return render_template("auth/reset.html", form=form), 400
            flash(error_message(error), "error")
            return redirect(url_for("auth.forgot_password"))
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
