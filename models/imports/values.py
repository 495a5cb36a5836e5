"""Turning a cell's text into a stored value: dates, years, Ja/Nej, and vocabulary codes.

Vocabulary values (interests, languages, gender, status words) are looked up in the built-in
names first (the code, the Danish and the English name), then in the person's own value
mapping, which is asked once per distinct value ("Fodbold" -> fodbold).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

from matching.profiles import ALL_SLOTS, DAYPARTS, N_SLOTS, WEEKDAYS
from matching.vocabulary import INTERESTS, LANGUAGES

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d.%m.%y")
_LIST_SPLIT = re.compile(r"\s*(?:[,;/+]|\bog\b|\band\b|\n)\s*", re.IGNORECASE)
YES = {"ja", "j", "yes", "y", "x", "1", "sand", "true", "✓"}
NO = {"nej", "n", "no", "0", "falsk", "false", ""}


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, ae/oe/aa for æ/ø/å, single spaces: how two spellings of one word meet."""
    text = " ".join((text or "").strip().lower().split())
    return text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("é", "e")


def parse_date(text: str) -> date | None:
    """dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, or an Excel serial day number; None if none of them."""
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        serial = int(float(text))
        if 1 <= serial <= 80_000:
            return _EXCEL_EPOCH + timedelta(days=serial)
    text = text.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_int(text: str) -> int | None:
    text = (text or "").strip().replace(" ", "")
    if re.fullmatch(r"-?\d+(\.0+|,0+)?", text):
        return int(text.replace(",", ".").split(".")[0])
    return None


def parse_yes_no(text: str) -> bool | None:
    folded = fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None


def split_list(text: str) -> list[str]:
    return [part for part in (p.strip() for p in _LIST_SPLIT.split(text or "")) if part]


def _names(catalogue: dict[str, tuple[str, str]]) -> dict[str, str]:
    out = {}
    for code, (danish, english) in catalogue.items():
        for name in (code, danish, english):
            out[fold(name)] = code
            # "Fodbold og håndbold" is a list, but a catalogue name with "og" is one value too.
            out[fold(name.split(" og ")[0])] = out.get(fold(name.split(" og ")[0]), code)
    return out


BUILT_IN: dict[str, dict[str, str]] = {
    "interests": _names(INTERESTS),
    "languages": _names(LANGUAGES),
    "gender": {"female": "female", "kvinde": "female", "k": "female", "pige": "female", "f": "female",
               "woman": "female", "girl": "female", "male": "male", "mand": "male", "m": "male", "dreng": "male",
               "man": "male", "boy": "male", "other": "other", "andet": "other", "anden": "other", "a": "other"},
    "volunteer_status": {"approved": "approved", "godkendt": "approved", "aktiv": "approved", "klar": "approved",
                         "screening": "screening", "under screening": "screening", "ny": "screening",
                         "ansoeger": "screening", "afventer": "screening", "new": "screening"},
    "complexity": {"0": "0", "1": "1", "2": "2", "3": "3", "lav": "0", "low": "0", "moderat": "1", "middel": "1",
                   "moderate": "1", "hoej": "2", "high": "2", "meget hoej": "3", "very high": "3"},
    "consent_role": {"guardian": "guardian", "foraelder": "guardian", "foraeldre": "guardian", "mor": "guardian",
                     "far": "guardian", "vaerge": "guardian", "foraeldremyndighed": "guardian",
                     "self": "self", "selv": "self", "den unge": "self", "den unge selv": "self"},
    # A family sheet says "voksen/barn" (or mor, far, søn, datter); Makker's roles are parent/child/other.
    "member_role": {"voksen": "parent", "adult": "parent", "forælder": "parent", "foraelder": "parent",
                    "mor": "parent", "far": "parent", "parent": "parent", "v": "parent",
                    "barn": "child", "child": "child", "soen": "child", "son": "child", "datter": "child",
                    "daughter": "child", "b": "child", "andet": "other", "anden": "other", "other": "other",
                    "bedsteforaelder": "other", "mormor": "other", "farmor": "other"},
    "match_status": {"aktiv": "active", "active": "active", "igang": "active", "i gang": "active",
                     "koerer": "active", "kører": "active", "running": "active", "pause": "paused",
                     "paa pause": "paused", "paused": "paused", "afsluttet": "closed", "slut": "closed",
                     "ophoert": "closed", "closed": "closed", "ended": "closed"},
    "meeting_rhythm": {"ugentlig": "weekly", "hver uge": "weekly", "1 gang om ugen": "weekly", "weekly": "weekly",
                       "hver 14. dag": "biweekly", "hver anden uge": "biweekly", "14 dage": "biweekly",
                       "biweekly": "biweekly", "maanedlig": "monthly", "maanedligt": "monthly",
                       "hver maaned": "monthly", "monthly": "monthly", "efter aftale": "as_agreed",
                       "som aftalt": "as_agreed", "as agreed": "as_agreed"},
}
LIST_VOCABULARIES = ("interests", "languages")
_LEVEL_WORDS = {"lidt": 1, "a little": 1, "godt": 2, "good": 2, "conversational": 2, "flydende": 3, "fluent": 3,
                "modersmaal": 3, "mother tongue": 3}


def _language_and_level(text: str) -> tuple[str, int]:
    """"Arabisk (flydende)", "arabisk: 2" -> ("arabisk", level); no level named = fluent."""
    match = re.fullmatch(r"(.+?)\s*(?:\((.+)\)|:\s*(.+))", text.strip())
    if not match:
        return text, 3
    name, word = match.group(1), (match.group(2) or match.group(3) or "")
    word = fold(word)
    level = int(word) if word in ("1", "2", "3") else _LEVEL_WORDS.get(word, 3)
    return name, level


def distinct_values(vocabulary: str, cells: list[str]) -> list[str]:
    """The distinct values of a column as written (first spelling kept), in the order they appear."""
    seen: dict[str, str] = {}
    for cell in cells:
        parts = split_list(cell) if vocabulary in LIST_VOCABULARIES else ([cell.strip()] if cell.strip() else [])
        for part in parts:
            if vocabulary == "languages":
                part = _language_and_level(part)[0]
            seen.setdefault(fold(part), part)
    return list(seen.values())


def lookup(vocabulary: str, value: str, mapping: dict[str, str] | None) -> str | None:
    """The code for one written value: the person's mapping first, then the built-in names.

    "" in the mapping means "leave this value out"; None means unknown.
    """
    key = fold(value)
    if mapping and key in mapping:
        return mapping[key]
    return BUILT_IN.get(vocabulary, {}).get(key)


def map_list(vocabulary: str, cell: str, mapping: dict[str, str] | None) -> tuple[list[str] | dict[str, int], list[str]]:
    """Codes of a list cell and the values nobody has mapped yet."""
    unknown: list[str] = []
    if vocabulary == "languages":
        languages: dict[str, int] = {}
        for part in split_list(cell):
            name, level = _language_and_level(part)
            code = lookup(vocabulary, name, mapping)
            if code is None:
                unknown.append(name)
            elif code:
                languages[code] = max(level, languages.get(code, 0))
        return languages, unknown
    codes: list[str] = []
    for part in split_list(cell):
        code = lookup(vocabulary, part, mapping)
        if code is None:
            unknown.append(part)
        elif code and code not in codes:
            codes.append(code)
    return codes, unknown


_DAY_WORDS = {"man": [0], "mandag": [0], "tir": [1], "tirsdag": [1], "ons": [2], "onsdag": [2], "tor": [3],
              "torsdag": [3], "fre": [4], "fredag": [4], "loer": [5], "loerdag": [5], "soen": [6], "soendag": [6],
              "hverdage": [0, 1, 2, 3, 4], "weekend": [5, 6], "weekenden": [5, 6], "alle dage": list(range(7)),
              "mon": [0], "tue": [1], "wed": [2], "thu": [3], "fri": [4], "sat": [5], "sun": [6],
              "weekdays": [0, 1, 2, 3, 4]}
_PART_WORDS = {"formiddag": [0], "morgen": [0], "morning": [0], "eftermiddag": [1], "afternoon": [1],
               "aften": [2], "aftener": [2], "evening": [2], "evenings": [2]}


def parse_availability(text: str) -> int | None:
    """"hverdage aften", "lør, søn eftermiddag", "altid" -> the weekly mask; None if not understood."""
    folded = fold(text)
    if not folded:
        return 0
    if folded in ("altid", "always", "alle", "all", "fleksibel", "flexible"):
        return ALL_SLOTS
    words = re.split(r"[\s,;/+]+|\bog\b", folded)
    days: list[int] = []
    parts: list[int] = []
    phrase = folded
    if "alle dage" in phrase:
        days += list(range(7))
    for word in words:
        if not word or word in ("og", "and", "alle", "dage"):
            continue
        if word in _DAY_WORDS:
            days += _DAY_WORDS[word]
        elif word in _PART_WORDS:
            parts += _PART_WORDS[word]
        else:
            return None
    days = sorted(set(days)) or list(range(len(WEEKDAYS)))
    parts = sorted(set(parts)) or list(range(len(DAYPARTS)))
    mask = 0
    for day in days:
        for part in parts:
            mask |= 1 << (day * len(DAYPARTS) + part)
    return mask & ((1 << N_SLOTS) - 1)
