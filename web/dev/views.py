"""The development mailbox: only when no mail server is configured and not in production."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlmodel import select

from models.outbox import OutboxMessage
from web.database import get_db
from web.pagination import paginate
from web.policy import public

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.get("/postkasse")
@public
def mailbox() -> str:
    if not current_app.config.get("DEV_MAILBOX"):
        abort(404)
    page = paginate(get_db(), select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page=20)
    return render_template("dev/mailbox.html", page=page)
