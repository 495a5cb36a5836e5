"""Plain-data profiles the matching core works on: no Flask, no database.

``matching.run`` builds these from the tables; ``seed.pool`` generates them for benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Weekly availability is a 21-bit mask: 7 weekdays x 3 parts of the day.
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYPARTS: tuple[str, ...] = ("morning", "afternoon", "evening")
N_SLOTS = len(WEEKDAYS) * len(DAYPARTS)
ALL_SLOTS = (1 << N_SLOTS) - 1

# Language level: 1 = a little, 2 = conversational, 3 = fluent / mother tongue.
LANGUAGE_LEVELS: tuple[int, ...] = (1, 2, 3)

# Experience of a volunteer: 0 none, 1 some (e.g. sports coach), 2 experienced with
# vulnerable youths or families, 3 professional (social worker, teacher, pedagogue).
EXPERIENCE_LEVELS: tuple[int, ...] = (0, 1, 2, 3)

# Complexity of a request: 0 low, 1 moderate, 2 high, 3 very high (e.g. known crime,
# heavy problems). 8 of 10 Roskilde matches with known crime broke off.
COMPLEXITY_LEVELS: tuple[int, ...] = (0, 1, 2, 3)
# From this complexity on a request is a heavy case: it needs experience and counts against the
# cap on heavy cases per volunteer.
HEAVY_COMPLEXITY = 2
# The least experience per complexity (index = complexity): "Høj" needs a volunteer experienced
# with vulnerable youths or families, "Meget høj" a professional background (the youth intake:
# "Høj tyngde ... matches kun med erfarne frivillige").
DEFAULT_MIN_EXPERIENCE: tuple[int, int, int, int] = (0, 0, 2, 3)
# Children under this age may only meet volunteers with a børneattest (Danish law).
CHILD_CERTIFICATE_BELOW_AGE = 15

GENDERS: tuple[str, ...] = ("female", "male", "other")
KINDS: tuple[str, ...] = ("youth", "family")


def slot_bit(day: int, part: int) -> int:
    """The bit of one weekday (0 = Monday) and part of the day (0 = morning)."""
    if not (0 <= day < len(WEEKDAYS) and 0 <= part < len(DAYPARTS)):
        raise ValueError(f"no such slot: day {day}, part {part}")
    return 1 << (day * len(DAYPARTS) + part)


def slots_of(mask: int) -> list[tuple[int, int]]:
    """The (day, part) pairs set in an availability mask, in week order."""
    return [(i // len(DAYPARTS), i % len(DAYPARTS)) for i in range(N_SLOTS) if mask >> i & 1]


@dataclass(frozen=True, slots=True)
class VolunteerProfile:
    """What matching needs to know about one volunteer in one program's pool."""

    id: int
    birth_year: int
    gender: str  # one of GENDERS
    lat: float
    lon: float
    waiting_since: date  # approved / back in the pool since
    languages: dict[str, int] = field(default_factory=dict)  # ISO 639-1 code -> level
    interests: tuple[str, ...] = ()  # tags from matching.vocabulary.INTERESTS
    interests_text: str = ""  # the volunteer's own words
    availability: int = 0  # bitmask, see slot_bit
    capacity: int = 1  # mentees they can still take (capacity minus active matches)
    experience: int = 0  # one of EXPERIENCE_LEVELS
    supports: str = "either"  # "youth" | "family" | "either"
    age_min: int = 0  # wished age range of a youth mentee (soft)
    age_max: int = 99
    mentee_gender_wish: str | None = None  # soft wish for a youth's gender
    approved: bool = True  # every required screening step done and approved
    postcode: str = ""
    mentees: int = 0  # open matches now: one with a mentee is not waiting for a first one
    heavy_cases: int = 0  # open matches with a heavy case (complexity >= HEAVY_COMPLEXITY) already held
    # A børneattest received without remarks (models.pool reads it from the screening step; a
    # profile built without one, e.g. in a benchmark, is taken as screened like ``approved``).
    child_certificate: bool = True
    # False when the program asks for a børneattest and the volunteer's has run out (its renewal
    # date has passed): no new proposal until a new one is recorded.
    certificate_valid: bool = True


@dataclass(frozen=True, slots=True)
class RequestProfile:
    """One need of a youth or a household in one program."""

    id: int
    kind: str  # "youth" | "family"
    lat: float
    lon: float
    waiting_since: date  # referred / back in the pool since
    age: int | None = None  # the youth's age; None for a family request
    gender: str | None = None  # the youth's gender; None for a family request
    languages: dict[str, int] = field(default_factory=dict)
    interests: tuple[str, ...] = ()
    interests_text: str = ""
    availability: int = 0
    complexity: int = 0  # one of COMPLEXITY_LEVELS
    mentor_gender_required: str | None = None  # hard rule
    mentor_gender_preferred: str | None = None  # soft wish
    no_trusted_adult: bool = False  # no adult to confide in outside the system: weighs up
    sibling_group: str | None = None  # requests of siblings that should share a volunteer
    postcode: str = ""
    # A child of the household is under 15 (a youth's own age is read from ``age``).
    children_under_15: bool = False


DEFAULT_WEIGHTS: dict[str, float] = {
    "interests": 3.0,
    "languages": 2.0,
    "distance": 2.0,
    "availability": 2.0,
    "age": 1.0,
    "wishes": 1.0,
    "experience": 2.5,
    "waiting": 1.5,
}


@dataclass(frozen=True, slots=True)
class ProgramRules:
    """A program's matching rules: hard limits (masks) and soft weights."""

    serves: str = "both"  # "youth" | "family" | "both"
    min_age: int = 0  # eligible ages of a youth (hard)
    max_age: int = 99
    max_distance_km: float = 25.0  # hard
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # Minimum volunteer experience per request complexity (hard), index = complexity.
    min_experience_by_complexity: tuple[int, int, int, int] = DEFAULT_MIN_EXPERIENCE
    # Heavy cases (complexity >= HEAVY_COMPLEXITY) one volunteer may hold at once, counting the
    # open matches they already have (hard); None = no cap.
    max_high_complexity_per_volunteer: int | None = 1
    waiting_target_days: int = 90  # waiting past this weighs fully
    # "strict": past the target comes first (optimizer.tiers); "weighed": only the waiting
    # component of the score; "off": waiting does not count at all.
    waiting_priority: str = "strict"
    top_k: int = 50  # candidates kept per request for large pools
