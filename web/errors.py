"""Error pages for 400, 403, 404, 405, 413, 429 and 500 in the user's language; JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

HANDLED = (400, 403, 404, 405, 413, 429, 500)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    def render(error: HTTPException):  # noqa: ANN202
        code = error.code or 500
        if _wants_json():
            return jsonify(error=error.name, status=code), code
        return render_template("errors/error.html", code=code), code

    for code in HANDLED:
        app.register_error_handler(code, render)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        if _wants_json():
            return jsonify(error="CSRF", status=400), 400
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        if isinstance(error, HTTPException):
            return render(error)
        app.logger.exception("unhandled error")
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render(InternalServerError())
