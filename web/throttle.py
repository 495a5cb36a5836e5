"""Throttling per client address with Flask-Limiter, for the routes a guesser or spammer uses.

The counters live in RATELIMIT_STORAGE_URI (memory:// by default: one process; Redis when
REDIS_URL or RATELIMIT_STORAGE_URI names one, so several web instances share them). The
per-account back-off of sign-in is in the database (models.users.authenticate); this module
slows down one client trying many accounts (password spraying), many resets or many sign-ups.

The limits are listed in one table below and applied to the views after the blueprints are
registered, so the views stay free of throttling code.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from flask import Flask, Response, request
from flask_limiter import Limiter

# endpoint -> (limit, which methods, counted only when the response says so)
_FAILED = "failed"
LIMITS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    # Wrong sign-ins per client: a spray over many addresses is stopped after ten in a minute.
    # Successful sign-ins (a redirect) are not counted, so an office behind one address is fine.
    "auth.login": ("10 per minute; 60 per hour", ("POST",), _FAILED),
    "auth.forgot_password": ("5 per minute; 30 per hour", ("POST",), None),
    "auth.reset_password": ("10 per minute", ("POST",), None),
    "auth.accept_invite": ("10 per minute", ("POST",), None),
    "signup.form": ("5 per minute; 30 per hour", ("POST",), None),
    "signup.confirm": ("20 per minute", ("GET",), None),
    "auth.change_password_view": ("10 per minute", ("POST",), _FAILED),
}


def client_address() -> str:
    """The client's address as a throttling key; IPv6 by its /64 (one household or host)."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _failed(response: Response) -> bool:
    # A sign-in or password change that worked answers with a redirect.
    return response.status_code != 302


def init_app(app: Flask) -> Limiter:
    """Create the app's limiter and wrap the views of LIMITS (call after the blueprints)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "makker")
    # If Redis is down, throttle in memory for a while rather than fail every sign-in.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    for endpoint, (limit, methods, deduct) in LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        deduct_when: Callable[[Response], bool] | None = _failed if deduct == _FAILED else None
        app.view_functions[endpoint] = limiter.limit(limit, methods=list(methods), deduct_when=deduct_when)(view)
    app.extensions["makker_limiter"] = limiter
    return limiter
