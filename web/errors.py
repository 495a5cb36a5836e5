"""Error pages for 400, 403, 404, 405, 409, 413, 429 and 500 in the user's language; JSON for the API.

Before any error page is drawn the request's database session is rolled back: the page (its
menu reads the signed-in user) must never fail because the error left a broken transaction.
A domain error or a database refusal that no view caught becomes a 409/404/400 page with a
clear message, never a 500 (docs/decisions/0008-concurrency.md).
"""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from models.errors import Conflict, DomainError, NotFound
from models.writes import CONFLICT_MESSAGE

HANDLED = (400, 403, 404, 405, 409, 413, 429, 500)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _rollback(app: Flask) -> None:
    session = g.get("db")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection: the page is drawn without it
            app.logger.exception("rollback before the error page failed")
            g.pop("db", None)


def init_app(app: Flask) -> None:
    def page(code: int, **context: object):  # noqa: ANN202
        _rollback(app)
        try:
            return render_template("errors/error.html", code=code, **context), code
        except Exception:  # noqa: BLE001 - the error page itself must answer
            app.logger.exception("the error page failed")
            message = escape(context.get("message") or "Error")
            return f"<!doctype html><title>{code}</title><h1>{code}</h1><p>{message}</p>", code

    def render(error: HTTPException):  # noqa: ANN202
        code = error.code or 500
        if _wants_json():
            _rollback(app)
            return jsonify(error=error.name, status=code), code
        return page(code)

    def domain_answer(error: DomainError):  # noqa: ANN202
        from web.i18n import error_message

        code = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 400
        message = error_message(error)
        if _wants_json():
            _rollback(app)
            return jsonify(error=message, status=code), code
        return page(code, message=message)

    for code in HANDLED:
        app.register_error_handler(code, render)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        if _wants_json():
            return jsonify(error="CSRF", status=400), 400
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(DomainError)
    def uncaught_domain_error(error: DomainError):  # noqa: ANN202
        return domain_answer(error)

    @app.errorhandler(DBAPIError)
    def database_refused(error: DBAPIError):  # noqa: ANN202
        # A write outside a domain operation lost a race: the same answer a lost race gets.
        app.logger.warning("database refused a request: %s", error.orig)
        return domain_answer(Conflict(CONFLICT_MESSAGE))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        if isinstance(error, HTTPException):
            return render(error)
        _rollback(app)
        app.logger.exception("unhandled error")
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render(InternalServerError())
