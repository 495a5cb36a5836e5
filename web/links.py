"""Absolute links for e-mails, always on the configured public address (MAKKER_BASE_URL).

A link built from the request (``url_for`` with ``_external``) would carry whatever Host header
the request named, so a forged one could send a reset link to someone else's site. These work
in a request, in a command and in a background job alike.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def public_adapter() -> MapAdapter:
    """A URL adapter bound to the public address instead of the request's host."""
    base = urlsplit(current_app.config["MAKKER_BASE_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on the public address, e.g. for a link in an e-mail."""
    return public_adapter().build(endpoint, values, force_external=True)


def public_base_url() -> str:
    """The public address without a trailing slash, for links that domain code builds itself."""
    return current_app.config["MAKKER_BASE_URL"].rstrip("/")
