"""Every page of the demo, as every role sees it in Danish: no stored code shown raw, no common
English word, and numbers with a decimal comma.

The codes come from the label catalogue itself (web/labels.py and the vocabularies), so a code
added there is checked on every page at once.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from matching.vocabulary import INTERESTS, LANGUAGES
from models.clock import today
from tests.site_pages import (
    CRAWL_ROLES,
    DEMO_PASSWORD,
    ERROR_FORMS,
    ROLE_EMAILS,
    build_crawl_world,
    crawl_urls,
)
from web.labels import LABELS

# Codes that are also ordinary Danish words, and may therefore appear in Danish text.
DANISH_WORDS = frozenset({
    "fri", "sat", "program", "distance", "note", "match", "under", "to", "for", "is", "by", "alle", "hold",
    "kind", "art", "dame", "bare", "fire", "dans", "film", "musik", "natur", "foto", "fitness", "gaming",
    "basketball", "cykling", "fodbold", "kampsport", "dyr", "mode", "kultur", "samfund", "tro", "udflugter",
    "matematik", "lektiehjaelp", "programmering", "tegning", "madlavning", "mekanik", "haandvaerk",
    "foreningsliv", "familieliv", "extra", "have", "status", "score", "matches", "start", "alder", "team",
    "genoptaget", "organisation",
    "ssp", "jobcenter",  # referrals (issue 13): SSP (skole, socialforvaltning, politi) is how Danes name the unit
})
# Common English words that have no place on a Danish page (and are not Danish words).
_ENGLISH = """
the and of with from this that these those which what when where who how why your you our their they
is are was were been being have has had do does did done doing will would should could can may must
not none null true false nan yes no ok please thanks
running loading storing scoring queued failed pending booked requested approved rejected superseded
proposed waiting matched closed withdrawn introduced active paused declined applicant screening inactive
parent child guardian self custody youth household volunteer coordinator admin referrer family families
view create update delete export erase anonymise anonymised viewed created changed deleted
interview references training proposal request requests match matches record records step steps
score weight value part rule rules reason status kind date name email phone
female male girl boy morning afternoon evening monday tuesday wednesday thursday friday saturday sunday
low moderate high very some experience experienced professional background
page next previous back save cancel submit search filter show sign out login logout password
"""
ENGLISH_WORDS = frozenset(_ENGLISH.split()) - DANISH_WORDS


def _codes() -> set[str]:
    codes: set[str] = set()
    for vocabulary in LABELS.values():
        codes |= {str(code).lower() for code in vocabulary if isinstance(code, str)}
    danish_label_words = {w for da, _en in INTERESTS.values() for w in re.findall(r"\w+", da.lower())}
    codes |= {slug for slug in INTERESTS if slug not in danish_label_words}
    return codes - DANISH_WORDS


CODES = _codes()
LANGUAGE_CODE_WITH_LEVEL = re.compile(r"\b(" + "|".join(LANGUAGES) + r") \(\d\)")
# A decimal point (0.333, 6.0) where Danish writes a comma; 1.234 (thousands) and dates pass.
DECIMAL_POINT = re.compile(r"(?<![\d.,-])(\d+\.\d+)(?![\d.,-]*\d)")
THOUSANDS = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.-]+")


class _Visible(HTMLParser):
    """The text a person reads or hears: text nodes and the labelling attributes, outside other
    languages (lang="en" links) and outside what the user typed into fields."""

    SKIP = {"script", "style", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        skip = tag in self.SKIP or (a.get("lang") not in (None, "da"))
        if not self._skipping() and not skip:
            for key in ("aria-label", "title", "placeholder", "alt"):
                if a.get(key):
                    self.parts.append(a[key])
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.parts.append(a["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        while self.stack:
            open_tag, _skip = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if not self._skipping() and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems_in(text: str) -> list[str]:
    found = []
    words = re.findall(r"[\w]+", NOT_WORDS.sub(" ", text))
    for word in sorted({w for w in words}):
        low = word.lower()
        if low in CODES:
            found.append(f"raw code {word!r}")
        elif low in ENGLISH_WORDS and word not in ("OK",):
            found.append(f"English word {word!r}")
    for m in LANGUAGE_CODE_WITH_LEVEL.finditer(text):
        found.append(f"language code {m.group(0)!r}")
    for m in DECIMAL_POINT.finditer(text):
        if not THOUSANDS.match(m.group(1)):
            found.append(f"decimal point in {m.group(1)!r}")
    return found


def _context(text: str, needle: str) -> str:
    i = text.find(needle.strip("'").split("'")[-1])
    return text[max(0, i - 60):i + 60] if i >= 0 else ""


def test_the_checker_finds_codes_english_and_decimal_points():
    assert problems_in("Status: done · Rania — parent · 6.0 point · ar (3)")
    assert not problems_in("Status: Afsluttet · Rania — forælder · 6,0 point · 1.234 kr · 22-11-2026 kl. 10:30")
    assert visible_text('<p>Hej <a lang="en" href="/x">English</a><input value="done"></p>') == "Hej"


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_danish_page_of_the_demo_shows_labels_not_codes_or_english(app, engine, role):
    build_crawl_world(engine, today())
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/log-ind", data={"email": ROLE_EMAILS[role], "password": DEMO_PASSWORD})
        assert response.status_code == 302
    found = []
    urls = list(crawl_urls(app, engine, role))
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.mimetype != "text/html":
            continue
        text = visible_text(response.get_data(as_text=True))
        for problem in dict.fromkeys(problems_in(text)):
            found.append(f"{url} ({endpoint}): {problem} … {_context(text, problem)}")
    # The same forms sent back empty: what a person reads when something is missing.
    for endpoint, url in urls:
        if endpoint not in ERROR_FORMS:
            continue
        response = client.post(url, data={})
        assert response.status_code < 500, f"POST {url} answered {response.status_code}"
        if response.status_code not in (200, 400):
            continue  # sent on elsewhere (signed in already, a link no longer valid)
        text = visible_text(response.get_data(as_text=True))
        for problem in dict.fromkeys(problems_in(text)):
            found.append(f"POST {url} ({endpoint}): {problem} … {_context(text, problem)}")
    assert not found, f"{len(found)} problems on {len(urls)} Danish pages as {role}:\n" + "\n".join(found)


def test_an_organisation_with_nothing_yet_says_so_instead_of_showing_bare_table_headers(app, session):
    """A new organisation: every list page either has no table or a row saying what is missing."""
    from seed import builders as b
    from tests.conftest import PASSWORD, login
    from tests.site_pages import SAMPLES, page_endpoints

    org = b.make_organisation(session, name="Ny Forening", slug="ny")
    b.make_program(session, org, name="Mentorer", slug="mentorer")
    admin = b.make_user(session, org, "admin", email="admin@ny.example.org", password=PASSWORD)
    session.commit()
    client = app.test_client()
    login(client, admin.email)
    bare = []
    with app.test_request_context():
        from flask import url_for

        lists = [url_for(e) for e in sorted(page_endpoints(app)) if SAMPLES.get(e) is SAMPLES["auth.index"]]
    for url in lists:
        response = client.get(url)
        if response.status_code != 200:
            continue
        for body in re.findall(r"<tbody[^>]*>(.*?)</tbody>", response.get_data(as_text=True), re.S):
            if not visible_text(body):
                bare.append(url)
    assert len(lists) > 10 and not bare, f"tables with headers and no words: {bare}"
