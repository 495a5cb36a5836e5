"""Signed, expiring links for password reset, e-mail confirmation and invitations."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from models.users import User

RESET_MAX_AGE = 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"makker-{purpose}")


def _fingerprint(user: User) -> str:
    # Changes when the password changes, so a reset link works once. (A confirmation link
    # works once because the address is then confirmed: see signup.confirm.)
    return hashlib.sha256((user.password_hash or "-").encode()).hexdigest()[:16]


def make_user_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


def read_user_token(token: str, purpose: str, max_age: int) -> tuple[int, str] | None:
    """The (user id, fingerprint) in a valid token, or None when it is forged or expired."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    return data["uid"], str(data.get("fp", ""))


def token_matches(user: User, fingerprint: str) -> bool:
    return hmac.compare_digest(_fingerprint(user), fingerprint)
