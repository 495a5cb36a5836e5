"""Interests as text: tags and free words in one TF-IDF space, for Danish.

A volunteer who writes "jeg spiller fodbold" should meet a youth tagged "fodbold", and
"boksning" should meet the tag "Kampsport og boksning". So each tag is written out as its slug
and its Danish label words, free text is lower-cased, stripped of Danish stop words and cut to a
crude stem (common Danish endings), and both sides share one vectoriser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.vocabulary import INTERESTS

STOP_WORDS = frozenset(
    ["og", "i", "jeg", "det", "at", "en", "den", "til", "er", "som", "på", "de", "med", "han", "af", "for", "ikke", "der", "var", "mig", "sig", "men", "et", "har", "om", "vi", "min", "havde", "ham", "hun", "nu", "over", "da", "fra", "du", "ud", "sin", "dem", "os", "op", "man", "hans", "hvor", "eller", "hvad", "skal", "selv", "her", "alle", "vil", "blev", "kunne", "ind", "når", "være", "dog", "noget", "ville", "jo", "deres", "efter", "ned", "skulle", "denne", "end", "dette", "mit", "også", "under", "have", "dig", "anden", "hende", "mine", "alt", "meget", "sit", "sine", "vor", "mod", "disse", "hvis", "din", "nogle", "hos", "blive", "mange", "ad", "bliver", "hendes", "været", "thi", "jer", "sådan", "gerne", "godt", "lidt", "rigtig", "kan", "lide", "laver", "lave", "går", "gå", "spiller", "spille", "elsker", "interesseret", "glad", "meget", "helst", "tit", "ofte", "nogle", "gange", "weekenden", "weekend"]
)
# Longest first, so "erne" is tried before "er" and "e".
SUFFIXES = ("erne", "ende", "ene", "heden", "hed", "er", "en", "et", "e", "s")
TOKEN = re.compile(r"[a-zæøåéü]+")


def stem(word: str) -> str:
    """A crude Danish stem: cut one common ending, keep at least four letters."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def analyse(text: str) -> list[str]:
    return [stem(w) for w in TOKEN.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def document(tags: Sequence[str], free_text: str) -> str:
    """One text per person: tag slugs and their Danish label words, then their own words."""
    return _document(tuple(tags), free_text or "")


@lru_cache(maxsize=65536)
def _document(tags: tuple[str, ...], free_text: str) -> str:
    # People share the same few tag sets: a pool builds each text once.
    parts = []
    for tag in tags:
        parts.append(f"tag_{tag}")
        label = INTERESTS.get(tag)
        if label:
            parts.append(label[0])
    parts.append(free_text)
    return " ".join(parts)


@lru_cache(maxsize=65536)
def _tokens_cached(doc: str) -> tuple[str, ...]:
    tags = [t for t in doc.split() if t.startswith("tag_")]
    rest = " ".join(t for t in doc.split() if not t.startswith("tag_"))
    return tuple(tags + analyse(rest))


def _tokens(doc: str) -> list[str]:
    # People write the same few phrases; caching the analysis makes large pools cheap.
    return list(_tokens_cached(doc))


class TextModel:
    """A TF-IDF space fitted on both sides of one pool; rows are L2-normalised."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.vectorizer = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True, norm="l2", min_df=1)
        self._fitted_rows: dict[str, int] = {}
        if any(d.strip() for d in documents):
            # Fitting vectorises every document anyway: keep those rows for the pool's own
            # documents, so that the pool's features need no second pass over the text.
            self._fitted_matrix = self.vectorizer.fit_transform(documents).tocsr()
            self._fitted_rows = {d: i for i, d in reversed(list(enumerate(documents)))}
            self.fitted = True
        else:
            self.fitted = False

    def transform(self, documents: Sequence[str]) -> csr_matrix:
        if not self.fitted:
            return csr_matrix((len(documents), 1))
        if len(documents) == 0:  # an empty side of a pool
            return csr_matrix((0, len(self.vectorizer.vocabulary_)))
        rows = [self._fitted_rows.get(d) for d in documents]
        if all(row is not None for row in rows):
            return self._fitted_matrix[rows]
        return self.vectorizer.transform(documents).tocsr()

    def terms(self, document_text: str) -> set[str]:
        return set(_tokens(document_text))
