"""The simulated users of ``makker loadtest``: admins, coordinators and volunteers (2 : 4 : 4).

Each signs in once, then opens the pages of their role with 1–5 s of thinking in between, as a
person would. Requests are named by page (ids replaced by ``[id]``) so the figures group by page.
Run by ``makker loadtest``, which writes the plan (logins, match ids) and points
``MAKKER_LOADTEST_PLAN`` at it; only ever against 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlparse

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

from models import clock
from web.loadtest.cookies import LOOPBACK, LoopbackIsSecure

PLAN = json.loads(Path(os.environ["MAKKER_LOADTEST_PLAN"]).read_text(encoding="utf-8"))
SECONDS = float(os.environ.get("MAKKER_LOADTEST_SECONDS", "0"))  # measured after everyone has signed in
_turns = {role: itertools.count() for role in ("admin", "coordinator", "volunteer")}
_signed_in = itertools.count(1)
SIGN_IN_ATTEMPTS = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
IMAGE = re.compile(r'<img[^>]+src="(/admin/[^"]+)"')
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S)


@events.test_start.add_listener
def _only_loopback(environment, **_kwargs) -> None:  # noqa: ANN001
    host = urlparse(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"The load test runs only against this machine (127.0.0.1), not {host!r}.")


class _Person(FastHttpUser):
    abstract = True
    wait_time = between(1, 5)
    role = ""

    def login_as(self) -> str:
        people = PLAN[f"{self.role}s"]
        return people[next(_turns[self.role]) % len(people)]

    def page(self, url: str, name: str):  # noqa: ANN201
        """A page as a signed-in person sees it: the sign-in page instead counts as a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if "/log-ind" in (response.url or ""):
                response.failure("signed out: got the sign-in page")
        return response

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(LoopbackIsSecure())
        email = self.login_as()
        # While a hundred people sign in at once a sign-in can time out; like a person, try again
        # (a user still signed out later shows as failures on every page).
        for _attempt in range(SIGN_IN_ATTEMPTS):
            form = self.client.get("/log-ind", name="sign in (form)")
            token = CSRF.search(form.text or "")
            with self.client.post("/log-ind", data={"email": email, "password": PLAN["password"],
                                                    "csrf_token": token.group(1) if token else ""},
                                  name="sign in", catch_response=True) as response:
                if "/log-ind" not in (response.url or "") and 0 < response.status_code < 400:
                    break
                response.failure(f"could not sign in as {email}")
        if next(_signed_in) == self.environment.runner.target_user_count:
            # Everyone is in: the figures start now (signing in is not a page anyone waits for
            # twice) and run for the asked time.
            self.environment.stats.reset_all()
            if os.environ.get("MAKKER_LOADTEST_MARK"):
                Path(os.environ["MAKKER_LOADTEST_MARK"]).write_text("measuring")  # the runner notes the CPU now
            if SECONDS:
                gevent.spawn_later(SECONDS, self.environment.runner.quit)


def _refusal(html: str | None) -> str:
    """What the form said when it came back instead of saving (the reason belongs in the figures)."""
    said = ALERT.search(html or "")
    return ": " + " ".join(re.sub(r"<[^>]+>", " ", said.group(1)).split())[:160] if said else ""


class Admin(_Person):
    weight = 2
    role = "admin"

    def on_start(self) -> None:
        super().on_start()
        self.cached: set[str] = set()

    @task
    def dashboard(self) -> None:
        page = self.page("/admin/oversigt", name="/admin/oversigt")
        # The browser then fetches the chart images the page refers to (data: URIs need nothing),
        # except those it has kept: they are marked immutable, as a browser's cache honours.
        for src in IMAGE.findall(page.text or ""):
            if src not in self.cached:
                image = self.page(src, name="/admin/oversigt chart image")
                if "immutable" in (image.headers.get("Cache-Control") or ""):
                    self.cached.add(src)

    @task
    def at_risk(self) -> None:
        self.page("/admin/makkerpar?risk=1", name="/admin/makkerpar?risk=1")


class Coordinator(_Person):
    weight = 4
    role = "coordinator"

    @task
    def home(self) -> None:
        self.page("/koordinator/", name="/koordinator/")

    @task
    def followup(self) -> None:
        self.page("/koordinator/forloeb", name="/koordinator/forloeb")

    @task
    def match(self) -> None:
        match_id = random.choice(PLAN["match_ids"])
        self.page(f"/koordinator/makkerpar/{match_id}", name="/koordinator/makkerpar/[id]")


class Volunteer(_Person):
    weight = 4
    role = "volunteer"

    def login_as(self) -> str:
        person = PLAN["volunteers"][next(_turns["volunteer"]) % len(PLAN["volunteers"])]
        self.match_id = person["match_id"]
        return person["email"]

    @task(4)
    def home(self) -> None:
        self.page("/frivillig/", name="/frivillig/")

    @task(1)
    def log_meeting(self) -> None:
        """The most common write: a meeting logged in under a minute (form, then save)."""
        form = self.page(f"/frivillig/moede/{self.match_id}", name="/frivillig/moede/[id] (form)")
        token = CSRF.search(form.text or "")
        with self.client.post(f"/frivillig/moede/{self.match_id}", name="/frivillig/moede/[id] (save)",
                              data={"csrf_token": token.group(1) if token else "", "met_on": clock.today().isoformat(),
                                    "minutes": "60", "rating": str(random.randint(2, 5)), "note": "",
                                    "activities": "talk"}, catch_response=True) as response:
            if response.status_code != 200 or "/frivillig/moede" in (response.url or ""):
                response.failure(f"the meeting was not saved ({response.status_code}{_refusal(response.text)})")
