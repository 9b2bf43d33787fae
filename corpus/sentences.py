"""Sentence and paragraph splitting that knows Spanish punctuation and abbreviations.

Returns spans, never rewritten text, so every piece is an exact slice of the input.
"""

from __future__ import annotations

import re

from corpus.models import Span

# Abbreviations after which a period never ends a sentence (compared case-insensitively).
_ABBREVIATIONS = frozenset(
    """
    sr sra srta sres sras dr dra dres drs d dña ud uds vd vds lic ing arq prof profa
    núm num nº art arts pág págs pag p pp cap caps vol vols fig figs ed eds etc
    av avda c cía ltda s.a s.l a.m p.m a.c d.c aprox apdo dpto depto tel ej p.ej
    mr mrs ms st jr gen gral cnel tte sgto mons sto sta vs approx no
    ene feb mar abr may jun jul ago sep sept oct nov dic
    """.split()
)
# Dotted acronyms such as EE.UU. or U.S.A.: internal periods never end a sentence.
_DOTTED_ACRONYM = re.compile(r"^(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}\.$")
_CANDIDATE_END = re.compile(r"[.!?…]+[\"'”»’)\]]*")
_OPENERS = "¿¡«“\"'([—–-"
_PARAGRAPH = re.compile(r"[^\n]+")


def paragraph_spans(text: str) -> list[Span]:
    """Non-blank lines, trimmed: a news article's paragraphs."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        span = _trim(text, match.start(), match.end())
        if span is not None:
            spans.append(span)
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of `text[start:end]` as spans into `text`; paragraphs always end a sentence."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for paragraph in paragraph_spans(text[start:end]):
        spans += _split_paragraph(text, start + paragraph.start, start + paragraph.end)
    return spans


def _split_paragraph(text: str, start: int, end: int) -> list[Span]:
    spans = []
    sentence_start = start
    for match in _CANDIDATE_END.finditer(text, start, end):
        boundary = match.end()
        if boundary >= end or not _ends_sentence(text, match.start(), boundary, end):
            continue
        span = _trim(text, sentence_start, boundary)
        if span is not None:
            spans.append(span)
        sentence_start = boundary
    last = _trim(text, sentence_start, end)
    if last is not None:
        spans.append(last)
    return spans


def _ends_sentence(text: str, punct_start: int, boundary: int, limit: int) -> bool:
    if not text[boundary].isspace():
        return False  # "3.5", "EE.UU.", "www.example.com", "¿sí?»," …
    following = boundary
    while following < limit and text[following].isspace():
        following += 1
    if following >= limit:
        return True
    next_char = text[following]
    if not (next_char.isupper() or next_char.isdigit() or next_char in _OPENERS):
        return False  # a lowercase continuation: "dijo el Sr. García", "¡Ay! dijo él"
    if text[punct_start] != ".":
        return True  # ! ? … before a capital: a real end
    word = _word_before(text, punct_start)
    if word.casefold() in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. K. Rowling"
    # "EE.UU. El" is ambiguous; keeping the acronym inside its sentence is the safer error.
    return not _DOTTED_ACRONYM.match(word + ".")


def _word_before(text: str, position: int) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1
    return text[start:position]


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None
