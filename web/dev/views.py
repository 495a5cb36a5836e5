"""The development mailbox: e-mails shown instead of sent, to the operator's own machine only.

On only in development without a mail server (docs/decisions/0007). Even then it answers only a
browser on this machine talking to the app directly: a loopback client, a loopback host name and
no sign of a proxy in between (a proxy on this machine would make every visitor look local).
Everyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Request, abort, current_app, render_template, request
from sqlmodel import select

from models.outbox import OutboxMessage
from web.database import get_db
from web.pagination import paginate
from web.policy import public

bp = Blueprint("dev", __name__, url_prefix="/dev")

PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "X-Client-IP", "CF-Connecting-IP")
LOOPBACK_NAMES = {"localhost"}


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def from_this_machine(req: Request) -> bool:
    """A browser on this machine, talking to the app directly (no proxy, no public name)."""
    if any(name in req.headers for name in PROXY_HEADERS):
        return False
    raw_host = req.environ.get("HTTP_HOST") or req.environ.get("SERVER_NAME") or ""
    hostname = raw_host.rsplit(":", 1)[0] if not raw_host.startswith("[") else raw_host.split("]", 1)[0] + "]"
    return _is_loopback(req.environ.get("REMOTE_ADDR")) and _is_loopback(hostname)


@bp.get("/postkasse")
@public
def mailbox() -> str:
    if not current_app.config.get("DEV_MAILBOX") or not from_this_machine(request):
        abort(404)
    page = paginate(get_db(), select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page=20)
    return render_template("dev/mailbox.html", page=page)
