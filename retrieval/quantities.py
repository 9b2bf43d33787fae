"""Questions that ask for a number, and quotes that give one.

"¿Cuántos empleos creará el centro de datos?" is answered by "creará 2.000 empleos", not by
the article's lead about the same project ("una inversión de 3.500 millones"). Both are close
to the question by meaning and by keywords; what tells them apart is a number counting the
thing asked about. So a how-many question lifts the windows that count it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from retrieval.quotes import Window
from retrieval.tokens import is_stopword, stem

__all__ = ["QuantityQuestion", "counts", "quantities_first", "read_quantity"]

_ASKS = re.compile(
    r"\b(?:cuánt[oa]s?|cuant[oa]s|how\s+many|how\s+much|qué\s+cantidad\s+de|what\s+number\s+of)"
    r"\s+(?P<rest>.*)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+|\d[\d.,]*", re.UNICODE)
_NUMBER_WORDS = frozenset(
    """dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta
    cuarenta cincuenta sesenta setenta ochenta noventa cien ciento cientos doscientos
    trescientos quinientos mil miles millón millones millar millares docena docenas decenas
    centenar centenares mitad two three four five six seven eight nine ten eleven twelve
    fifteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
    thousands million millions billion billions dozen dozens half""".split()
)
NEAR = 3  # words between a number and the thing it counts ("1,2 hectómetros cúbicos de agua")

# What a window gains when it counts the thing asked about (retrieval/quotes.py's units: a
# best sentence 0.05 less similar to the question loses 1). On the news QA set fact questions
# went from 0.923 to 1.000 at hit@1; SQuAD-es, whose every sports paragraph is full of
# numbers, lost 2 of 600 (README). Lifting windows with any number at all lost on both.
COUNTS_WEIGHT = 1.0


@dataclass(frozen=True)
class QuantityQuestion:
    """A how-many question; `thing` is the stem of what it counts ("emple"), or ""."""

    thing: str
    language: str


def read_quantity(question: str, language: str) -> QuantityQuestion | None:
    """The quantity a question asks for, or None when it asks for no number."""
    match = _ASKS.search(question)
    if match is None:
        return None
    words = [w.lower() for w in _WORD.findall(match["rest"])]
    content = [w for w in words if not is_stopword(w, language) and not _is_number(w)]
    return QuantityQuestion(stem(content[0], language) if content else "", language)


def quantities_first(
    windows: Sequence[Window], texts: Mapping[int, str], question: QuantityQuestion
) -> list[Window]:
    """The windows rescored for a how-many question, best first."""
    rescored = [
        replace(w, score=w.score + _gain(texts[w.article_id][w.start : w.end], question))
        for w in windows
    ]
    return sorted(rescored, key=lambda w: w.score, reverse=True)


def _gain(text: str, question: QuantityQuestion) -> float:
    return COUNTS_WEIGHT if question.thing and counts(text, question) else 0.0


def counts(text: str, question: QuantityQuestion) -> bool:
    """Whether `text` has a number followed closely by the thing the question counts."""
    words = [w.lower() for w in _WORD.findall(text)]
    return any(
        stem(w, question.language) == question.thing
        for i, number in enumerate(words)
        if _is_number(number)
        for w in words[i + 1 : i + 2 + NEAR]
    )


def _is_number(word: str) -> bool:
    return word[0].isdigit() or word in _NUMBER_WORDS
