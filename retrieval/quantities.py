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

from retrieval.glossary import keywords_in
from retrieval.quotes import Window
from retrieval.tokens import fold_accents, is_stopword, stem

__all__ = ["QuantityQuestion", "counting_spans", "counts", "quantities_first", "read_quantity"]

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
# best sentence 0.05 less similar to the question loses 1), and how many candidate chunks may
# count it before the clue is worthless. On the news QA set fact questions went from 0.923 to
# 1.000 at hit@1; on SQuAD-es --limit 600 hit@1 went from 0.787 to 0.788 and hit@3 from
# 0.903 to 0.902. Without the cap SQuAD lost 2 and 4 questions; lifting windows with any
# number at all lost on both sets (README).
COUNTS_WEIGHT = 1.0
MAX_COUNTING = 3


@dataclass(frozen=True)
class QuantityQuestion:
    """A how-many question; `thing` is the word for what it counts ("empleos"), or ""."""

    thing: str
    language: str

    def thing_terms(self, language: str) -> frozenset[str]:
        """The thing as index terms of text in `language`: "jobs" is "emple" in Spanish."""
        return frozenset(keywords_in(self.thing, self.language, language)) if self.thing else _NONE


_NONE: frozenset[str] = frozenset()


def read_quantity(question: str, language: str) -> QuantityQuestion | None:
    """The quantity a question asks for, or None when it asks for no number."""
    match = _ASKS.search(question)
    if match is None:
        return None
    words = [w.lower() for w in _WORD.findall(match["rest"])]
    content = [w for w in words if not is_stopword(w, language) and not _is_number(w)]
    return QuantityQuestion(content[0] if content else "", language)


def quantities_first(
    windows: Sequence[Window],
    articles: Mapping[int, tuple[str, str]],
    question: QuantityQuestion,
) -> list[Window]:
    """The windows rescored for a how-many question, best first; `articles` maps an article
    id to its text and language."""
    # Each chunk's text is read once, not each of its windows (nor the whole article).
    extent: dict[int, tuple[int, int, int]] = {}
    for w in windows:
        article, start, end = extent.get(w.chunk_id, (w.article_id, w.start, w.end))
        extent[w.chunk_id] = (article, min(start, w.start), max(end, w.end))
    spans: dict[int, list[tuple[int, int]]] = {}
    for chunk_id, (article, start, end) in extent.items():
        text, language = articles[article]
        found = counting_spans(text[start:end], question.thing_terms(language), language)
        spans[chunk_id] = [(start + a, start + b) for a, b in found]
    counting = [any(w.start <= a and b <= w.end for a, b in spans[w.chunk_id]) for w in windows]
    # A count tells the answer apart only when few passages give one: in a page of sports
    # statistics every paragraph counts yards, and lifting them all just reshuffles them.
    counting_chunks = {w.chunk_id for w, found in zip(windows, counting, strict=True) if found}
    if len(counting_chunks) > MAX_COUNTING:
        return list(windows)
    rescored = [
        replace(w, score=w.score + COUNTS_WEIGHT) if c else w
        for w, c in zip(windows, counting, strict=True)
    ]
    return sorted(rescored, key=lambda w: w.score, reverse=True)


def counts(text: str, things: frozenset[str], language: str) -> bool:
    """Whether `text` (in `language`) has a number followed closely by one of `things` (index
    terms)."""
    return bool(counting_spans(text, things, language))


def counting_spans(text: str, things: frozenset[str], language: str) -> list[tuple[int, int]]:
    """Where in `text` a number is followed closely by one of `things`: (number's start,
    thing's end) for each."""
    if not things:
        return []
    words = list(_WORD.finditer(text))
    return [
        (number.start(), word.end())
        for i, number in enumerate(words)
        if _is_number(number.group().lower())
        for word in words[i + 1 : i + 2 + NEAR]
        if fold_accents(stem(word.group().lower(), language)) in things
    ]


def _is_number(word: str) -> bool:
    return word[0].isdigit() or word in _NUMBER_WORDS
