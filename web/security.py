"""Sign-in sessions, CSRF protection and the security headers of every response."""

from __future__ import annotations

from flask import Flask, Response, abort, jsonify, redirect, request, session, url_for
from flask.globals import request_ctx
from flask_login import LoginManager, current_user, login_user, logout_user, user_loaded_from_cookie
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError

from models.sessions import end_session, start_session, user_for_token
from models.users import User
from web.database import get_db
from web.links import public_adapter

login_manager = LoginManager()
csrf = CSRFProtect()

# Pages load nothing from third parties: the policy says so to the browser as well.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# Production is served over HTTPS only: browsers remember that for a year.
HSTS = "max-age=31536000; includeSubDomains"


def session_token() -> str | None:
    """The token of the current sign-in session (what the cookie carries)."""
    return session.get("_user_id")


def sign_in(user: User, remember: bool) -> None:
    """Start a new database session for ``user`` and put its token in the cookie."""
    token = start_session(get_db(), user, remember=remember)
    session.pop("csrf_token", None)  # a CSRF token seen before signing in is not valid after
    login_user(user, remember=remember)
    # Flask-Login stored user.get_id(); the cookie (and the remember cookie, written from the
    # same key at the end of the request) carries the revocable session token instead.
    session["_user_id"] = token


def sign_out() -> None:
    """End this session for real: its row goes, so a copied cookie opens nothing."""
    end_session(get_db(), session_token())
    logout_user()
    session.pop("csrf_token", None)


def refuse_untrusted_host() -> None:
    """A Host header outside TRUSTED_HOSTS is refused before any other work is done."""
    error = request.routing_exception
    if isinstance(error, SecurityError):
        # The error page still needs links: build them on the public address.
        request_ctx.url_adapter = public_adapter()
        raise error


def refuse_nul_bytes() -> None:
    """No person types a NUL byte; PostgreSQL refuses to store one. Refused as a bad request."""
    texts = [request.path, *(t for pair in request.args.items(multi=True) for t in pair)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        texts += [t for pair in request.form.items(multi=True) for t in pair]
        texts += [f.filename or "" for _name, f in request.files.items(multi=True)]
    if any("\x00" in text for text in texts):
        abort(400)


def load_signed_in_user() -> None:
    """Look the session up at the start of the request, before a view has changed anything.

    The lookup may write (a session's last use, at most every few minutes) and commit; done
    lazily in the middle of a view it would commit the view's unfinished work with it.
    """
    if request.endpoint != "static":
        current_user._get_current_object()


def init_app(app: Flask) -> None:
    app.before_request(refuse_untrusted_host)  # first: before CSRF, sessions and throttling
    app.before_request(refuse_nul_bytes)
    app.before_request(load_signed_in_user)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself
    login_manager.session_protection = "strong"
    csrf.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():  # noqa: ANN202
        if request.path.startswith("/api/"):
            return jsonify(error="Unauthorized", status=401), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # Flask-Login's "user id" in the cookie is our session token (see sign_in).
        return user_for_token(get_db(), token)

    @user_loaded_from_cookie.connect_via(app)
    def _remembered(_app: Flask, user: User) -> None:  # noqa: ARG001
        # Flask-Login does not mark a session restored from the remember cookie with the
        # client's identifier, so "strong" protection ended it on the very next request.
        session["_id"] = login_manager._session_identifier_generator()

    production = app.config["MAKKER_SETTINGS"].production

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            # Every answer but the static files may carry personal data (pages, CSV, PDF, JSON,
            # exports): it must not linger in a shared cache, a proxy or the back button.
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
