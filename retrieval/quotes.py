"""Pick what to quote: the best window of one to three sentences inside the best chunks.

A window is scored by how much of the question's keyword weight (IDF) it contains, plus how
relevant its chunk is as a whole, minus a little for length so short quotes win ties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus.models import Chunk, Span
from corpus.sentences import sentence_spans
from retrieval.tokens import analyze


@dataclass(frozen=True)
class QuoteWeights:
    chunk: float = 1.0  # weight of the chunk's fused relevance (0..1)
    keywords: float = 1.0  # weight of the window's share of the question's keyword IDF (0..1)
    chunk_keywords: float = 0.0  # the same share over the whole chunk: context agrees too
    dense: float = 0.0  # the chunk's dense similarity minus the best chunk's (≤ 0)
    length_penalty: float = 0.15  # subtracted per `length_unit` characters of quote
    length_unit: int = 400


@dataclass(frozen=True)
class Window:
    chunk_id: int
    article_id: int
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class ChunkCandidate:
    chunk: Chunk
    language: str
    relevance: float  # fused relevance normalised so the best chunk has 1.0
    dense_gap: float = 0.0  # dense similarity minus the best chunk's; 0 for the best


def best_windows(
    candidates: Sequence[ChunkCandidate],
    article_texts: dict[int, str],
    question_terms: dict[str, float],
    max_sentences: int,
    max_chars: int,
    weights: QuoteWeights,
) -> list[Window]:
    """Every candidate window of every chunk, scored, best first."""
    total_weight = sum(question_terms.values()) or 1.0
    windows = []
    for candidate in candidates:
        chunk = candidate.chunk
        text = article_texts[chunk.article_id]
        sentences = sentence_spans(text, chunk.start, chunk.end)
        sentence_terms = [
            set(analyze(text[s.start : s.end], candidate.language)) for s in sentences
        ]
        chunk_terms = set().union(*sentence_terms) if sentence_terms else set()
        chunk_coverage = sum(w for t, w in question_terms.items() if t in chunk_terms) / total_weight
        chunk_score = (
            weights.chunk * candidate.relevance
            + weights.chunk_keywords * chunk_coverage
            + weights.dense * candidate.dense_gap
        )
        for first in range(len(sentences)):
            covered: set[str] = set()
            for last in range(first, min(first + max_sentences, len(sentences))):
                span = Span(sentences[first].start, sentences[last].end)
                if last > first and len(span) > max_chars:
                    break
                covered |= sentence_terms[last]
                coverage = sum(w for t, w in question_terms.items() if t in covered) / total_weight
                score = (
                    chunk_score
                    + weights.keywords * coverage
                    - weights.length_penalty * len(span) / weights.length_unit
                )
                windows.append(Window(chunk.id, chunk.article_id, span.start, span.end, score))
    windows.sort(key=lambda w: w.score, reverse=True)
    return windows


def select_quotes(windows: Sequence[Window], k: int, per_article: int) -> list[Window]:
    """Best windows, at most `per_article` from one article, overlapping windows merged."""
    chosen: list[Window] = []
    for window in windows:
        overlapping = next((c for c in chosen if _overlaps(c, window)), None)
        if overlapping is not None:
            continue  # a better window already covers this text
        if sum(c.article_id == window.article_id for c in chosen) >= per_article:
            continue
        chosen.append(window)
        if len(chosen) == k:
            break
    return _merge_adjacent(chosen)


def question_weights(terms: Sequence[str], idf: Callable[[str], float]) -> dict[str, float]:
    return {term: idf(term) for term in dict.fromkeys(terms)}


def _overlaps(a: Window, b: Window) -> bool:
    return a.article_id == b.article_id and a.start < b.end and b.start < a.end


def _merge_adjacent(windows: list[Window]) -> list[Window]:
    # Windows never overlap after selection; nothing to merge beyond that, keep relevance order.
    return windows
