"""A cookie policy for load tests against this machine over plain http."""

from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlparse

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackIsSecure(DefaultCookiePolicy):
    """Production cookies are Secure-only; like a browser, treat plain http to 127.0.0.1 as secure."""

    def return_ok_secure(self, cookie, request) -> bool:  # noqa: ANN001
        if urlparse(request.get_full_url()).hostname in LOOPBACK:
            return True
        return super().return_ok_secure(cookie, request)
