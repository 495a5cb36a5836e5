"""The label catalogue, numbers with a decimal comma, and the survival chart's lines."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.profiles import DAYPARTS, WEEKDAYS, slot_bit
from matching.vocabulary import INTERESTS, LANGUAGES
from models.stats import kaplan_meier, survival_at
from web.charts import Curve, curve_lines
from web.labels import (
    LABELS,
    audit_detail,
    availability_text,
    interests_text,
    languages_text,
    run_progress_text,
)


@pytest.fixture
def danish(app):  # noqa: ANN001, ANN201
    with app.test_request_context("/"):
        yield


@pytest.fixture
def english(app):  # noqa: ANN001, ANN201
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        yield


numbers = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False)


# The app is only read by the examples, never changed: one app for all of them is right.
ONE_APP = [HealthCheck.function_scoped_fixture]


@settings(max_examples=200, deadline=None, suppress_health_check=ONE_APP)
@given(value=numbers, digits=st.integers(0, 3))
def test_a_danish_number_has_a_decimal_comma_and_dots_between_thousands(app, value, digits):
    from web.i18n import format_number

    with app.test_request_context("/"):
        text = format_number(value, digits)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*" + (rf",\d{{{digits}}}" if digits else ""), text), text
    back = float(text.replace(".", "").replace(",", "."))
    assert back == pytest.approx(round(value, digits), abs=10 ** -digits)


def test_an_english_number_has_a_decimal_point(english):
    from web.i18n import format_number, format_percent

    assert format_number(1234.5, 1) == "1,234.5" and format_percent(0.634) == "63 %"


def test_languages_are_named_with_their_level_best_known_first(danish):
    assert languages_text({"da": 1, "ar": 3}) == "arabisk (flydende / modersmål), dansk (lidt)"
    assert languages_text({}) == ""


@given(chosen=st.dictionaries(st.sampled_from(sorted(LANGUAGES)), st.integers(1, 3), max_size=5))
@settings(max_examples=60, deadline=None, suppress_health_check=ONE_APP)
def test_no_language_code_is_ever_shown(app, chosen):
    with app.test_request_context("/"):
        text = languages_text(chosen)
    for code in chosen:
        assert not re.search(rf"\b{code}\b \(", text), text
    assert text.count("(") == len(chosen)


def test_interests_are_shown_by_their_danish_names(danish):
    assert interests_text(["loeb", "laesning", "dansk_sprog"]) == "Løb, Læsning og bøger, Dansk sprog"
    assert all("_" not in interests_text([tag]) for tag in INTERESTS)


@given(mask=st.integers(0, (1 << (len(WEEKDAYS) * len(DAYPARTS))) - 1))
@settings(max_examples=80, deadline=None, suppress_health_check=ONE_APP)
def test_the_times_of_the_week_are_said_in_words_one_day_at_a_time(app, mask):
    with app.test_request_context("/"):
        text = availability_text(mask)
    days = [d for d in range(len(WEEKDAYS)) if any(mask & slot_bit(d, p) for p in range(len(DAYPARTS)))]
    assert (text == "") == (not days)
    assert text.count(",") == max(0, len(days) - 1) + sum(
        1 for d in days if sum(bool(mask & slot_bit(d, p)) for p in range(len(DAYPARTS))) == 3)
    assert not re.search(r"\b(mon|tue|wed|thu|fri|sat|sun|morning|afternoon|evening)\b", text)


def test_a_runs_progress_is_said_in_words(danish):
    assert run_progress_text("scoring 12 x 40") == "beregner 12 anmodninger mod 40 frivillige"
    assert run_progress_text("loading") == "læser ventelisterne"
    assert run_progress_text("storing") == "gemmer forslagene"


def test_audit_details_use_labels_for_every_code(danish):
    text = audit_detail("Volunteer", {"screening": "interview", "status": "approved"})
    assert text == "godkendelsestrin: Samtale; status: Godkendt"
    assert audit_detail("Match", {"status": "closed", "reason": "moved"}) == "status: Afsluttet; årsag: Flyttet"
    assert audit_detail("User", {"role": ["coordinator", "admin"]}) == "rolle: Koordinator, Administrator"
    assert audit_detail("Volunteer", {"signup": True}) == "tilmeldt"


# Words that are the same in Danish and English.
SAME_IN_BOTH = {"Program", "status", "note", "Note", "Organisation", "Status", "Administrator"}


def test_every_code_in_the_catalogue_has_a_danish_label(danish):
    untranslated = [(kind, code, str(text)) for kind, vocabulary in LABELS.items() for code, text in vocabulary.items()
                    if str(text) == text._args[0] and text._args[0] not in SAME_IN_BOTH]  # type: ignore[attr-defined]
    assert not untranslated


# --- the survival curve -------------------------------------------------------------------

durations = st.lists(st.tuples(st.integers(0, 900), st.booleans()), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(observed=durations, few=st.integers(0, 10))
def test_the_survival_curve_stops_at_the_longest_observation_and_marks_the_censored(observed, few):
    days = [d for d, _c in observed]
    closed = [c for _d, c in observed]
    steps = kaplan_meier(days, closed)
    longest = max(days)
    censored = [d for d, c in observed if not c]
    followed = sorted(days, reverse=True)
    few_after = followed[few - 1] if few and len(followed) >= few else None
    lines = curve_lines(Curve("t", "x", "y", [s.day for s in steps], [s.survival for s in steps],
                              [(91, "3"), (182, "6"), (365, "12")], observed_until=longest,
                              censored=[(d, survival_at(steps, d)) for d in censored], few_after=few_after))
    drawn = lines.solid + lines.dashed
    assert lines.last == max(longest, 1)
    assert all(x <= lines.last for x, _y in drawn) and drawn[-1][0] == lines.last
    assert [x for x, _y in drawn] == sorted(x for x, _y in drawn)
    assert all(b <= a for (_xa, a), (_xb, b) in pairwise(drawn)), "a survival curve never rises"
    assert drawn[0] == (0, 1.0)
    for x, y in lines.marks:  # every censoring mark sits on the curve
        assert y == pytest.approx(survival_at(steps, x))
    assert len(lines.marks) == len(censored)
    if lines.dashed:
        assert lines.solid[-1] == lines.dashed[0]


# --- the wording the issue asked for (Danish) ----------------------------------------------

@pytest.mark.parametrize(("kind", "code", "danish_text"), [
    ("youth_gender", "female", "Pige"),
    ("youth_gender", "male", "Dreng"),
    ("step", "training", "Introkursus"),
    ("step_status", "booked", "Aftalt"),
    ("risk", "falling_ratings", "Møderne får lavere karakterer"),
    ("closure_reason", "volunteer_time", "Den frivillige har ikke længere tid"),
])
def test_the_words_coordinators_asked_for_are_the_ones_shown(danish, kind, code, danish_text):
    from web.labels import label

    assert label(kind, code) == danish_text


def test_no_danish_text_keeps_the_words_that_confused_coordinators():
    """One word for a request, no "Booket", no training step called "Uddannelse" (it clashes with
    the outcome "I uddannelse eller job"), and nowhere "Svar din koordinator"."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "web" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        texts = [s for m in read_po(f) if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    assert texts
    for banned in ("forespørgsel", "Booket", "Svar din koordinator", "vurderes lavere"):
        assert not [t for t in texts if banned.lower() in t.lower()], banned
    # "416 over mål" says neither days nor which target: days over the target say "dage".
    assert not [t for t in texts if re.search(r"(\d|\)s) over mål", t)]
    assert "Uddannelse" not in texts


def test_the_meeting_reminder_asks_the_volunteer_to_contact_the_coordinator():
    from models.emails import compose

    _subject, body = compose("meeting_reminder", "da", name="Anna", mentee="Mads", link="https://x", coordinator="Eva")
    assert "Kontakt din koordinator, Eva." in body and "Svar din koordinator" not in body
