"""Danish by default, English second; dates as dd-mm-yyyy in both."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request, session
from flask_babel import Babel, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from matching.vocabulary import INTERESTS
from models.errors import DomainError

LANGUAGES: dict[str, str] = {"da": "Dansk", "en": "English"}
LOCAL_TZ = ZoneInfo("Europe/Copenhagen")

babel = Babel()


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    user_locale = getattr(current_user, "locale", None) if getattr(current_user, "is_authenticated", False) else None
    if user_locale in LANGUAGES:
        return user_locale
    return "da"


def current_locale() -> str:
    try:
        return select_locale()
    except RuntimeError:  # outside a request
        return "da"


def format_date(value: date | datetime | None) -> str:
    """dd-mm-yyyy, the Danish way, in both languages."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _aware(value).astimezone(LOCAL_TZ).date()
    return value.strftime("%d-%m-%Y")


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number the way the reader writes it: "6,0" and "1.234" in Danish, "6.0" and "1,234" in English."""
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(round(float(value), digits) if digits else round(float(value)), format=pattern,
                          locale=current_locale())


def format_percent(share: float | None) -> str:
    """A share 0..1 as whole percent with a space before the sign: "63 %"."""
    return "—" if share is None else f"{format_number(share * 100)} %"


def format_datetime(value: datetime | None) -> str:
    """dd-mm-yyyy HH:MM in Danish local time (stored times are UTC)."""
    if value is None:
        return ""
    return _aware(value).astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo("UTC"))


def parse_date(text: str) -> date:
    """Read dd-mm-yyyy (what people type) or yyyy-mm-dd (what date inputs send)."""
    text = (text or "").strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class LazyText(LazyString):
    """A lazily translated message that is text, not markup.

    flask_babel's LazyString answers ``__html__`` with itself, so Jinja would print whatever it
    carries unescaped, including user input formatted into it (``%(code)s``). This one is
    escaped like any other string; it is what ``_l`` is everywhere in the app.
    """

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables: Any) -> LazyText:
    """Like flask_babel.lazy_gettext, but the result is escaped when a template prints it."""
    return LazyText(gettext, string, **variables)


def error_message(error: DomainError) -> str:
    """A domain error in the user's language; status codes among its parameters get labels."""
    from web.labels import label

    params = dict(error.params)
    for key, value in params.items():
        if key == "status" and isinstance(value, str):
            params[key] = label("proposal_status", value).lower()
        elif key.endswith("status") and isinstance(value, str):
            params[key] = label("match_status", value).lower()
        elif key == "rule" and isinstance(value, str):
            params[key] = gettext(value)  # the rule's own message, translated too
    # Parameters are plain text (user input among them): never let one pass as markup.
    text_params = {k: str(v) if hasattr(v, "__html__") else v for k, v in params.items()}
    return str(gettext(error.msgid, **text_params))  # type: ignore[arg-type]


def label(pair: tuple[str, str]) -> str:
    """Pick the Danish or English label of a vocabulary entry."""
    return pair[1] if current_locale() == "en" else pair[0]


class _WTFormsMessages:
    """WTForms' own messages ("Not a valid choice.") read from our catalogue: WTForms ships no
    Danish, and Flask-WTF takes the request's ``wtforms_translations`` when one is set."""

    def ugettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _wtforms_in_our_language() -> None:
        request.wtforms_translations = _WTFormsMessages()  # type: ignore[attr-defined]

    app.jinja_env.filters["dkdate"] = format_date
    app.jinja_env.filters["dkdatetime"] = format_datetime
    app.jinja_env.filters["num"] = format_number
    app.jinja_env.filters["pct"] = format_percent
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["vocab_label"] = label
    app.jinja_env.globals["label_interest"] = lambda tag: label(INTERESTS[tag]) if tag in INTERESTS else tag

    @app.context_processor
    def _inject() -> dict:
        return {"request_path": request.full_path if request else "/"}
