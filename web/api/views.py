"""JSON API: the same domain operations as the pages, for integrations."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from web.database import get_db
from web.policy import public, require

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/health")
@public
def health() -> Response:
    """For load balancers: answers 200 when the database answers."""
    get_db().exec(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/me")
def me() -> Response:
    require("use", record_type="account")
    return jsonify(
        id=current_user.id,
        name=current_user.name,
        email=current_user.email,
        role=current_user.role,
        organisation_id=current_user.organisation_id,
        locale=current_user.locale,
    )
