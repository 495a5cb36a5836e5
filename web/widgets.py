"""Form pieces used by several audiences: the weekly availability grid, languages with levels,
interests from the program's list. Parsed from the raw form so what the user ticked is kept."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from matching.profiles import DAYPARTS, WEEKDAYS, slot_bit
from matching.vocabulary import INTERESTS, LANGUAGE_LEVEL_LABELS, LANGUAGES
from web.i18n import label as vocab_label
from web.i18n import lazy_gettext as _l

LANGUAGE_ROWS = 3


def availability_from_form(formdata: MultiDict) -> int:
    mask = 0
    for d, day in enumerate(WEEKDAYS):
        for p, part in enumerate(DAYPARTS):
            if formdata.get(f"slot-{day}-{part}"):
                mask |= slot_bit(d, p)
    return mask


def languages_from_form(formdata: MultiDict) -> tuple[dict[str, int], list[str]]:
    """Languages with levels, and the errors to show (unknown language, missing level)."""
    out: dict[str, int] = {}
    errors = []
    for i in range(LANGUAGE_ROWS):
        code = (formdata.get(f"lang-{i}") or "").strip()
        level = (formdata.get(f"level-{i}") or "").strip()
        if not code:
            continue
        if code not in LANGUAGES:
            errors.append(str(_l("Choose a language from the list.")))
            continue
        if level not in ("1", "2", "3"):
            errors.append(str(_l("Choose how well for each language.")))
            continue
        out[code] = max(out.get(code, 0), int(level))
    return out, errors


def interests_from_form(formdata: MultiDict, allowed: list[str]) -> list[str]:
    return [tag for tag in formdata.getlist("interests") if tag in allowed]


def interest_choices(program_interests: list[str] | None) -> list[tuple[str, str]]:
    tags = program_interests or list(INTERESTS)
    return sorted(((t, vocab_label(INTERESTS[t])) for t in tags if t in INTERESTS), key=lambda kv: kv[1])


def language_choices() -> list[tuple[str, str]]:
    return sorted(((c, vocab_label(v)) for c, v in LANGUAGES.items()), key=lambda kv: kv[1])


def level_choices() -> list[tuple[str, str]]:
    return [(str(k), vocab_label(v)) for k, v in LANGUAGE_LEVEL_LABELS.items()]


def grid_context(mask: int, languages: dict[str, int], interests: list[str], program_interests: list[str] | None) -> dict:
    """What the widget macros need to draw the current values."""
    rows = list(languages.items()) + [("", 0)] * LANGUAGE_ROWS
    return {
        "slots": {f"{day}-{part}": bool(mask & slot_bit(d, p)) for d, day in enumerate(WEEKDAYS)
                  for p, part in enumerate(DAYPARTS)},
        "weekdays": WEEKDAYS,
        "dayparts": DAYPARTS,
        "language_rows": rows[:LANGUAGE_ROWS],
        "language_choices": language_choices(),
        "level_choices": level_choices(),
        "interest_choices": interest_choices(program_interests),
        "chosen_interests": set(interests),
    }
