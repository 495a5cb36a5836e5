"""Finding 5, kept true as the app grows: no path, query or form makes a server error.

A property-based fuzz over every rule of ``app.url_map`` (so routes added later are covered
without touching this file), each method, as every role. Path arguments are drawn from the
world's ids and from numbers too large for the database; queries use the parameter names the
code reads; forms start from the fields of the page's own form (or of every form in the app)
and spoil some of them with NUL bytes, huge and odd numbers, impossible dates and markup.

Bounded for CI: MAKKER_FUZZ_EXAMPLES examples per route (default 8), derandomized, so a run
is repeatable; set MAKKER_FUZZ_SEED to draw other examples (what an outside probe does).
Runs on SQLite and, with MAKKER_TEST_DATABASE_URL, on PostgreSQL (NUL bytes and huge numbers
fail differently there).
"""

from __future__ import annotations

import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_login.utils import _create_identifier
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from models.sessions import start_session

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("MAKKER_FUZZ_EXAMPLES", "8"))
SEED = os.environ.get("MAKKER_FUZZ_SEED", "")
ROLES = ("anonymous", "volunteer", "coordinator", "admin", "referrer")


def _rules() -> list[tuple[str, str, str]]:
    """(rule, endpoint, method) of every route of a freshly made app, static files aside."""
    from web import create_app

    folder = Path(tempfile.mkdtemp(prefix="makker-fuzz-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": folder, "ENVIRON": {"MAKKER_ENV": "testing"},
                      "DATABASE_URL": f"sqlite:///{folder / 'rules.sqlite3'}"})
    app.extensions["makker_engine"].dispose()
    return sorted((rule.rule, rule.endpoint, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"})


def _names_read_by_the_code() -> tuple[list[str], list[str]]:
    """Query and form parameter names that the views read directly (request.args / form)."""
    pattern = re.compile(r"(args|form)(?:\.get|\.getlist|\[)\(?\s*[\"']([A-Za-z0-9_.-]+)[\"']")
    query, form = {"side", "next", "q", "program", "status", "sort", "checkin", "id", "user"}, set()
    for path in (ROOT / "web").rglob("*.py"):
        for kind, name in pattern.findall(path.read_text(encoding="utf-8")):
            (query if kind == "args" else form).add(name)
    return sorted(query), sorted(form)


_FORM_NAMES: list[str] = []


def _form_names(app) -> list[str]:  # noqa: ANN001
    """Every input name of every FlaskForm in web/, and the names the views read themselves."""
    if not _FORM_NAMES:
        from tests.security.test_escaping import _all_form_classes, _names

        names = set(FORM_NAMES_IN_CODE) | {f"slot-{d}-{p}" for d in ("mon", "sat") for p in ("morning", "evening")}
        names |= {"lang-0", "level-0", "lang-1", "level-1"}
        with app.test_request_context("/", method="POST"):
            for form_class in _all_form_classes():
                names.update(_names(form_class(formdata=None, meta={"csrf": False})))
        _FORM_NAMES.extend(sorted(names))
    return _FORM_NAMES


RULES = _rules()
QUERY_NAMES, FORM_NAMES_IN_CODE = _names_read_by_the_code()

HUGE_IDS = [0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]
NASTY = [
    "", "0", "-1", "1", "2", "3", "9223372036854775807", "9223372036854775808", "1" * 400, "1e309", "nan",
    "inf", "-0", "1.5", "1,5", "\u0663", "\u00b2", "\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --",
    "%", "%00", "..", "../../etc/passwd", "\U0001f600", "9999-12-31", "0001-01-01", "31-12-9999", "2026-02-30",
    "00-00-0000", "y", "on", "true", "x" * 5000, "da", "youth", "household", "volunteer", "approved", "closed",
    "admin", "coordinator", "yes", "no", "resume", "step", "approve", "decline",
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=20), st.integers(-(2**70), 2**70).map(str))
texts_without_slash = st.one_of(st.sampled_from([v for v in NASTY if v and "/" not in v]),
                                st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
                                        min_size=1, max_size=20))


class _Forms(HTMLParser):
    """The post forms of a page: action -> {name: value} (first option, checked or given value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append((a.get("action", ""), self._current))
        elif self._current is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            self._current.setdefault(a["name"], a.get("value", "y" if a.get("type") == "checkbox" else "x"))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and self._select not in self._current:
            self._current[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # noqa: ANN201
    """The suite's app, with the throttle off (it would answer 429 before the views run) and
    exceptions raised, so a failure shows its traceback."""
    from web import create_app

    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / "instance",
        "ENVIRON": {"MAKKER_ENV": "testing"}, "WTF_CSRF_ENABLED": False, "SERVER_NAME": "makker.test",
        "MAKKER_BASE_URL": "http://makker.test", "RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": True,
    })
    yield app
    app.extensions["makker_engine"].dispose()


def _client(app, session, world, role: str):  # noqa: ANN001, ANN202
    """A test client signed in as ``role`` through a session row (no slow password check)."""
    client = app.test_client()
    if role == "anonymous":
        return client
    user = {"volunteer": world.volunteer_user, "coordinator": world.coordinator, "admin": world.admin,
            "referrer": world.referrer}[role]
    token = start_session(session, user, remember=False)
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's "strong" protection expects
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"], cookie["_id"] = token, True, identifier
    return client


@st.composite
def _path_values(draw, converters: dict) -> dict:  # noqa: ANN001
    out = {}
    for name, converter in converters.items():
        if isinstance(converter, IntegerConverter):
            out[name] = draw(st.one_of(st.integers(1, 12), st.sampled_from(HUGE_IDS)))
        elif isinstance(converter, AnyConverter):
            out[name] = draw(st.sampled_from(sorted(converter.items)))
        elif isinstance(converter, PathConverter):
            out[name] = draw(st.one_of(texts_without_slash, st.just("a/b")))
        else:
            out[name] = draw(texts_without_slash)
    return out


@pytest.mark.parametrize(("rule", "endpoint", "method"), RULES, ids=[f"{m} {r}" for r, _e, m in RULES])
def test_no_malformed_input_makes_a_server_error(app, session, world, rule, endpoint, method):
    url_rule = next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint)
    adapter = app.url_map.bind("makker.test")
    form_names = _form_names(app)
    page_forms: dict[tuple[str, str], dict[str, str]] = {}

    def own_form(role: str, client, url: str) -> dict[str, str]:  # noqa: ANN001
        """The fields of the form on the page itself (GET the same address), if it has one."""
        key = (role, url)
        if key not in page_forms:
            page_forms[key] = {}
            if "GET" in url_rule.methods:
                response = client.get(url)
                if response.status_code == 200 and response.mimetype == "text/html":
                    parser = _Forms()
                    parser.feed(response.get_data(as_text=True))
                    path = url.split("?", 1)[0]
                    for action, fields in parser.forms:
                        if action in ("", path) or action.split("?", 1)[0].endswith(path):
                            page_forms[key] = fields
                            break
        return page_forms[key]

    @settings(max_examples=EXAMPLES, derandomize=not SEED, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data) -> None:  # noqa: ANN001
        role = data.draw(st.sampled_from(ROLES), label="role")
        args = data.draw(_path_values(url_rule._converters), label="path")
        path = adapter.build(endpoint, args)
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=3), label="query")
        client = _client(app, session, world, role)
        if method == "GET":
            response = client.get(path, query_string=query)
        else:
            form = dict(own_form(role, client, path))
            names = sorted(form) or form_names
            spoiled = data.draw(st.lists(st.sampled_from(names), max_size=4, unique=True), label="spoiled")
            extra = data.draw(st.lists(st.sampled_from(form_names), max_size=2, unique=True), label="extra")
            for name in [*spoiled, *extra]:
                form[name] = data.draw(values, label=name)
            response = client.open(path, method=method, query_string=query, data=form)
        assert response.status_code < 500, f"{method} {path} {query} as {role}: {response.status_code}"

    if SEED:
        one_request = seed(int(SEED))(one_request)
    one_request()
