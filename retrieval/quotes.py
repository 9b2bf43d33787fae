"""Pick what to quote: the best window of one to three sentences inside the best chunks.

A window is scored by three signals, each measured against the best candidate so that
weights mean the same for every question: how close its best sentence is to the question
(dense, per sentence), how close its chunk is (dense, pooled), and how much of the question's
keyword weight (IDF) it contains. The weights were fitted on our Spanish benchmark (README).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from corpus.models import Chunk, Span
from corpus.sentences import sentence_spans
from retrieval.tokens import analyze


@dataclass(frozen=True)
class QuoteWeights:
    sentence: float = 20.0  # window's best sentence similarity minus the best sentence's (≤ 0)
    dense: float = 5.0  # chunk's dense similarity minus the best chunk's (≤ 0)
    keywords: float = 1.0  # window's share of the question's keyword IDF (0..1)


@dataclass(frozen=True)
class Window:
    chunk_id: int
    article_id: int
    start: int
    end: int
    score: float
    # How much less similar to the question than the best candidate its best sentence and its
    # chunk are (≤ 0): what says whether this quote is, by itself, about the question.
    sentence_gap: float = 0.0
    dense_gap: float = 0.0
    coverage: float = 0.0  # share of the question's keyword weight the window holds (0..1)


@dataclass(frozen=True)
class ChunkCandidate:
    chunk: Chunk
    language: str
    dense_gap: float = 0.0  # dense similarity minus the best chunk's; 0 for the best
    # Dense similarity of each of the chunk's sentences to the question, minus the best
    # sentence's among all candidates, keyed by the sentence's start offset.
    sentence_gaps: dict[int, float] = field(default_factory=dict)


def best_windows(
    candidates: Sequence[ChunkCandidate],
    article_texts: dict[int, str],
    question_terms: Mapping[str, dict[str, float]],
    max_sentences: int,
    max_chars: int,
    weights: QuoteWeights,
    min_chars: int = 0,
) -> list[Window]:
    """Every candidate window of every chunk, scored, best first.

    A window shorter than `min_chars` is not quoted alone when its chunk has a next sentence
    to add: news paragraphs open with one-liners ("Las críticas no tardaron.") that only
    announce the sentence after them.

    `question_terms` holds the question's keywords with their weights as each language's
    analysis makes them, so that a Spanish passage is matched with Spanish stems even when
    the question is in English."""
    windows = []
    for candidate in candidates:
        terms = question_terms[candidate.language]
        total_weight = sum(terms.values()) or 1.0
        chunk = candidate.chunk
        text = article_texts[chunk.article_id]
        sentences = sentence_spans(text, chunk.start, chunk.end)
        sentence_terms = [
            set(analyze(text[s.start : s.end], candidate.language)) for s in sentences
        ]
        gaps = [candidate.sentence_gaps.get(s.start, _NO_SENTENCE_VECTOR) for s in sentences]
        for first in range(len(sentences)):
            covered: set[str] = set()
            best_gap = _NO_SENTENCE_VECTOR
            stop = min(first + max_sentences, len(sentences))
            for last in range(first, stop):
                span = Span(sentences[first].start, sentences[last].end)
                if last > first and len(span) > max_chars:
                    break
                covered |= sentence_terms[last]
                best_gap = max(best_gap, gaps[last])
                if len(span) < min_chars and last + 1 < stop:
                    continue
                coverage = _coverage(terms, covered, total_weight)
                score = (
                    weights.sentence * best_gap
                    + weights.dense * candidate.dense_gap
                    + weights.keywords * coverage
                )
                windows.append(
                    Window(
                        chunk.id,
                        chunk.article_id,
                        span.start,
                        span.end,
                        score,
                        best_gap,
                        candidate.dense_gap,
                        coverage,
                    )
                )
    windows.sort(key=lambda w: w.score, reverse=True)
    return windows


def select_quotes(
    windows: Sequence[Window],
    k: int,
    per_article: int,
    merge_max_chars: int = 0,
    stories: Mapping[int, int] | None = None,
    retold: Callable[[Window, Window], bool] | None = None,
    relevant: Callable[[Window], bool] | None = None,
) -> list[Window]:
    """Best windows, at most `per_article` from one article, overlapping windows merged.

    After the first quote (the answer itself was judged relevant before), a window that is not
    `relevant` on its own is not quoted: an answer with two good quotes is better than one
    padded with a third about something else.

    A window overlapping an already chosen one, and scoring as well (a tie: the sentence it
    adds changes nothing measurable, and often holds the answer), is merged into it while the
    union stays within `merge_max_chars`; otherwise it is dropped. Either way no text is quoted
    twice. With
    `stories` (article id → story), a window from another outlet's telling of a chosen
    window's story is dropped when `retold(chosen, window)` says it tells the same (always,
    without `retold`): those outlets are listed beside the quote instead.
    """
    chosen: list[Window] = []
    story_of = stories or {}
    for window in windows:
        story = story_of.get(window.article_id)
        if story is not None and any(
            story_of.get(c.article_id) == story
            and c.article_id != window.article_id
            and (retold is None or retold(c, window))
            for c in chosen
        ):
            continue
        index = next((i for i, c in enumerate(chosen) if _overlaps(c, window)), None)
        if index is not None:
            kept = chosen[index]
            start, end = min(kept.start, window.start), max(kept.end, window.end)
            overlaps_other = any(
                _overlaps(c, replace(kept, start=start, end=end))
                for i, c in enumerate(chosen)
                if i != index
            )
            # Only a window that scores as well extends the quote: the sentences that made a
            # window score lower would only lengthen it (README, "Shorter first quotes").
            if end - start <= merge_max_chars and not overlaps_other and window.score >= kept.score:
                chosen[index] = replace(kept, start=start, end=end)
            continue
        if sum(c.article_id == window.article_id for c in chosen) >= per_article:
            continue
        if chosen and relevant is not None and not relevant(window):
            continue
        chosen.append(window)
        if len(chosen) == k:
            break
    return chosen


# A sentence without a stored vector (an archive from before sentence vectors) counts as far
# from the question as a sentence can reasonably be.
_NO_SENTENCE_VECTOR = -0.3


def _coverage(question_terms: dict[str, float], found: set[str], total_weight: float) -> float:
    return sum(w for t, w in question_terms.items() if t in found) / total_weight


def _overlaps(a: Window, b: Window) -> bool:
    return a.article_id == b.article_id and a.start < b.end and b.start < a.end
