"""Profiles turned into arrays once per pool: coordinates, ages, languages, slots, text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix

from matching.profiles import (
    CHILD_CERTIFICATE_BELOW_AGE,
    GENDERS,
    N_SLOTS,
    RequestProfile,
    VolunteerProfile,
)
from matching.text import TextModel, document
from matching.vocabulary import LANGUAGES

LANGUAGE_CODES: tuple[str, ...] = tuple(LANGUAGES)
_GENDER_CODE = {g: i for i, g in enumerate(GENDERS)}
NO_GENDER = -1


def gender_code(value: str | None) -> int:
    return _GENDER_CODE.get(value or "", NO_GENDER)


def _languages(profiles: Sequence) -> np.ndarray:
    """n x languages matrix of levels 0..3 (0 = does not speak it)."""
    out = np.zeros((len(profiles), len(LANGUAGE_CODES)), dtype=np.float32)
    index = {c: i for i, c in enumerate(LANGUAGE_CODES)}
    for row, p in enumerate(profiles):
        for code, level in (p.languages or {}).items():
            if code in index:
                out[row, index[code]] = max(0, min(3, int(level)))
    return out


def _language_sets(levels: np.ndarray) -> np.ndarray:
    """n x 3 bitmasks: bit l of column t is set where language l is spoken at level t + 1 or better.

    Two people share a language at level t or better exactly when their column t has a common
    bit, so the best shared level of any pair is three AND-s, whatever the number of languages.
    """
    kind = np.int32 if levels.shape[1] < 31 else np.int64  # narrow: fewer bytes per pair to AND
    bits = (1 << np.arange(levels.shape[1], dtype=np.int64))
    out = np.zeros((levels.shape[0], 3), dtype=kind)
    for t in range(3):
        out[:, t] = ((levels >= t + 1) * bits).sum(axis=1)
    return out


def _take(features: object, index: np.ndarray) -> dict:
    return {k: v[index] for k, v in vars(features).items()}


def _slots(masks: np.ndarray) -> np.ndarray:
    """Availability bitmasks limited to the 21 weekly slots."""
    return (masks.astype(np.int64) & ((1 << N_SLOTS) - 1)).astype(np.int32)


def _days(since: Sequence[date], today: date) -> np.ndarray:
    return np.array([max(0, (today - d).days) for d in since], dtype=np.float32)


@dataclass
class VolunteerFeatures:
    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    languages: np.ndarray
    language_sets: np.ndarray  # see _language_sets
    slot_mask: np.ndarray
    text: csr_matrix
    capacity: np.ndarray
    experience: np.ndarray
    supports: np.ndarray  # 0 youth, 1 family, 2 either
    age_min: np.ndarray
    age_max: np.ndarray
    mentee_gender_wish: np.ndarray
    approved: np.ndarray
    waiting_days: np.ndarray
    heavy_cases: np.ndarray  # heavy cases already held (open matches)
    child_certificate: np.ndarray
    certificate_valid: np.ndarray

    def take(self, index: np.ndarray) -> VolunteerFeatures:
        """The rows ``index``, in that order (a block of candidates)."""
        return VolunteerFeatures(**_take(self, index))


@dataclass
class RequestFeatures:
    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    is_youth: np.ndarray
    age: np.ndarray  # NaN for families
    gender: np.ndarray
    languages: np.ndarray
    language_sets: np.ndarray  # see _language_sets
    slot_mask: np.ndarray
    text: csr_matrix
    complexity: np.ndarray
    required_gender: np.ndarray
    preferred_gender: np.ndarray
    waiting_days: np.ndarray
    no_trusted_adult: np.ndarray
    children_under_15: np.ndarray  # the youth or a child of the household: a børneattest is needed

    def __len__(self) -> int:
        return len(self.ids)

    def block(self, start: int, stop: int) -> RequestFeatures:
        """Rows start..stop, for scoring a pool in blocks."""
        cut = slice(start, stop)
        return RequestFeatures(**{k: (v[cut] if k != "text" else v[start:stop]) for k, v in vars(self).items()})

    def take(self, index: np.ndarray) -> RequestFeatures:
        """The rows ``index``, in that order (a block of requests)."""
        return RequestFeatures(**_take(self, index))


_SUPPORTS = {"youth": 0, "family": 1, "either": 2}


def text_model(requests: Sequence[RequestProfile], volunteers: Sequence[VolunteerProfile]) -> TextModel:
    docs = [document(p.interests, p.interests_text) for p in requests] + [
        document(p.interests, p.interests_text) for p in volunteers
    ]
    return TextModel(docs)


def volunteer_features(volunteers: Sequence[VolunteerProfile], today: date, model: TextModel) -> VolunteerFeatures:
    levels = _languages(volunteers)
    return VolunteerFeatures(
        ids=np.array([v.id for v in volunteers], dtype=np.int64),
        lat=np.array([v.lat for v in volunteers], dtype=np.float64),
        lon=np.array([v.lon for v in volunteers], dtype=np.float64),
        age=np.array([today.year - v.birth_year for v in volunteers], dtype=np.float32),
        gender=np.array([gender_code(v.gender) for v in volunteers], dtype=np.int8),
        languages=levels,
        language_sets=_language_sets(levels),
        slot_mask=_slots(np.array([v.availability for v in volunteers], dtype=np.int64)),
        text=model.transform([document(v.interests, v.interests_text) for v in volunteers]),
        capacity=np.array([v.capacity for v in volunteers], dtype=np.int64),
        experience=np.array([v.experience for v in volunteers], dtype=np.int8),
        supports=np.array([_SUPPORTS.get(v.supports, 2) for v in volunteers], dtype=np.int8),
        age_min=np.array([v.age_min for v in volunteers], dtype=np.float32),
        age_max=np.array([v.age_max for v in volunteers], dtype=np.float32),
        mentee_gender_wish=np.array([gender_code(v.mentee_gender_wish) for v in volunteers], dtype=np.int8),
        approved=np.array([v.approved for v in volunteers], dtype=bool),
        waiting_days=_days([v.waiting_since for v in volunteers], today),
        heavy_cases=np.array([v.heavy_cases for v in volunteers], dtype=np.int16),
        child_certificate=np.array([v.child_certificate for v in volunteers], dtype=bool),
        certificate_valid=np.array([v.certificate_valid for v in volunteers], dtype=bool),
    )


def request_features(requests: Sequence[RequestProfile], today: date, model: TextModel) -> RequestFeatures:
    levels = _languages(requests)
    return RequestFeatures(
        ids=np.array([r.id for r in requests], dtype=np.int64),
        lat=np.array([r.lat for r in requests], dtype=np.float64),
        lon=np.array([r.lon for r in requests], dtype=np.float64),
        is_youth=np.array([r.kind == "youth" for r in requests], dtype=bool),
        age=np.array([np.nan if r.age is None else r.age for r in requests], dtype=np.float32),
        gender=np.array([gender_code(r.gender) for r in requests], dtype=np.int8),
        languages=levels,
        language_sets=_language_sets(levels),
        slot_mask=_slots(np.array([r.availability for r in requests], dtype=np.int64)),
        text=model.transform([document(r.interests, r.interests_text) for r in requests]),
        complexity=np.array([r.complexity for r in requests], dtype=np.int8),
        required_gender=np.array([gender_code(r.mentor_gender_required) for r in requests], dtype=np.int8),
        preferred_gender=np.array([gender_code(r.mentor_gender_preferred) for r in requests], dtype=np.int8),
        waiting_days=_days([r.waiting_since for r in requests], today),
        no_trusted_adult=np.array([r.no_trusted_adult for r in requests], dtype=bool),
        children_under_15=np.array([r.children_under_15 or (r.kind == "youth" and r.age is not None
                                                            and r.age < CHILD_CERTIFICATE_BELOW_AGE)
                                    for r in requests], dtype=bool),
    )
