"""A small HTTP browser for the gunicorn harness: cookies, forms as the page renders them.

Standard library only. Cookies are kept by hand because production cookies are ``Secure`` and
the harness talks plain HTTP to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit


@dataclass
class Reply:
    status: int
    body: str
    location: str = ""


class _Forms(HTMLParser):
    """Every <form> of a page as (action, fields), with the values a browser would send back."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                fields.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None and self.forms:
                self.forms[-1][1].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea and self.forms:
            self.forms[-1][1].append((self._textarea, "".join(self._text)))
            self._textarea = None


@dataclass
class Browser:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _request(self, method: str, path: str, body: str | None = None) -> Reply:
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        headers = {"Host": parts.netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Reply(response.status, response.read().decode("utf-8", "replace"),
                         response.getheader("Location") or "")
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        return self._request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]] | dict[str, str]) -> Reply:
        items = list(fields.items()) if isinstance(fields, dict) else fields
        return self._request("POST", path, urlencode(items))

    def form(self, path: str, action: str | None = None, index: int = 0) -> list[tuple[str, str]]:
        """The fields of a form on ``path`` (the one posting to ``action``, or the index-th)."""
        reply = self.get(path)
        assert reply.status == 200, f"GET {path}: {reply.status}"
        parser = _Forms()
        parser.feed(reply.body)
        forms = [f for f in parser.forms if action is None or f[0] == action]
        assert forms, f"no form posting to {action} on {path}"
        return list(forms[index][1])

    def csrf(self, page: str) -> str:
        """The CSRF token of this browser's session, read from any page with a form."""
        import re

        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(page).body)
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def sign_in(self, email: str, password: str) -> None:
        fields = dict(self.form("/log-ind", index=-1))
        fields.update(email=email, password=password)
        reply = self.post("/log-ind", fields)
        assert reply.status == 302, f"sign-in of {email}: {reply.status} {reply.body[:300]}"


def with_values(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The form's fields with some replaced (or added)."""
    names = {k.replace("__", "-") for k in values}
    kept = [(k, v) for k, v in fields if k not in names]
    return kept + [(k.replace("__", "-"), v) for k, v in values.items()]


class Server:
    """gunicorn serving the app in production mode on ``database_url``."""

    def __init__(self, database_url: str, port: int, workers: int, threads: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
                   "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "5"]
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        command.append("web:create_app()")
        env = {"PATH": "/usr/bin:/bin", "MAKKER_ENV": "production", "SECRET_KEY": "h" * 48,
               "DATABASE_URL": database_url, "MAKKER_BASE_URL": self.base, "PYTHONPATH": str(Path.cwd())}
        self._log_file = log.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        cwd=Path(__file__).resolve().parents[2])

    def wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("gunicorn stopped:\n" + self.log.read_text()[-3000:])
            try:
                if Browser(self.base).get("/api/v1/health").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log_file.close()
