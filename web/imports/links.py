"""The link in an imported volunteer's welcome e-mail (built in the job, on the public address)."""

from __future__ import annotations

from models.users import User
from web.links import public_url
from web.tokens import make_user_token

WELCOME_MAX_AGE = 30 * 24 * 3600
PURPOSE = "imported"


def welcome_link(user: User) -> str:
    return public_url("imports_welcome.welcome", token=make_user_token(user, PURPOSE))
