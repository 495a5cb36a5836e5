"""Signing in and out, password reset, language choice."""

from web.auth.views import bp

__all__ = ["bp"]
