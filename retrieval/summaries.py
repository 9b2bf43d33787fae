"""Extractive summaries: one or two of an article's own sentences, as an exact slice of its text.

A digest must never put words in an outlet's mouth, so a summary is chosen, not written. News is
written as an inverted pyramid, so the lead usually is the summary; keyword centrality (overlap
with the title and with the rest of the article) catches leads that are datelines, photo credits or
a quote out of context. Keywords rather than embeddings: scoring every sentence of every article in
a digest through the embedder would cost seconds per article on a small CPU, for little gain over
the lead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.models import Article, Span
from corpus.sentences import sentence_spans
from retrieval.tokens import analyze

__all__ = ["Summary", "SummarySettings", "summarize"]


@dataclass(frozen=True)
class SummarySettings:
    target_chars: int = 280  # a second sentence is added only while the summary stays this short
    max_chars: int = 450  # longer sentences are avoided; if all are longer, the best is cut
    min_sentence_chars: int = 40  # shorter ones ("Foto: EFE.", datelines) are not leads
    lead_weight: float = 0.6  # how much being early in the article counts
    title_weight: float = 0.8  # overlap with the title's keywords
    centrality_weight: float = 1.0  # overlap with the keywords of the rest of the article


@dataclass(frozen=True)
class Summary:
    """`article.text[start:end] == text`; `truncated` when a too-long sentence was cut short."""

    article_id: int
    start: int
    end: int
    text: str
    truncated: bool = False


def summarize(article: Article, settings: SummarySettings | None = None) -> Summary:
    """The article's most representative one or two consecutive sentences, verbatim."""
    settings = settings or SummarySettings()
    text = article.text
    sentences = [s for s in sentence_spans(text) if not _repeats_title(text, s, article.title)]
    if not sentences:
        sentences = sentence_spans(text) or [Span(0, len(text))]
    scores = _scores(article, sentences, settings)
    best = _best_index(sentences, scores, settings)
    span = sentences[best]
    if len(span) > settings.max_chars:
        return _cut(article, span, settings.max_chars)
    following = best + 1
    if (
        following < len(sentences)
        and sentences[following].end - span.start <= settings.target_chars
        and _same_paragraph(text, span, sentences[following])
    ):
        span = Span(span.start, sentences[following].end)
    return Summary(article.id, span.start, span.end, text[span.start : span.end])


def _scores(article: Article, sentences: Sequence[Span], settings: SummarySettings) -> list[float]:
    language = article.language or "es"
    terms = [set(analyze(article.text[s.start : s.end], language)) for s in sentences]
    title_terms = set(analyze(article.title, language))
    frequency: Counter[str] = Counter()
    for sentence_terms in terms:
        frequency.update(sentence_terms)
    # Terms other sentences share with this one: what the article keeps talking about.
    shared = [
        sum(math.log(frequency[t]) for t in sentence_terms) / (math.sqrt(len(sentence_terms)) or 1)
        for sentence_terms in terms
    ]
    top = max(shared, default=0.0) or 1.0
    scores = []
    for position, sentence_terms in enumerate(terms):
        title = len(sentence_terms & title_terms) / (len(title_terms) or 1)
        scores.append(
            settings.centrality_weight * shared[position] / top
            + settings.title_weight * title
            + settings.lead_weight / (1.0 + position)
        )
    return scores


def _best_index(
    sentences: Sequence[Span], scores: Sequence[float], settings: SummarySettings
) -> int:
    """Best-scoring sentence of a readable length; any sentence if none is."""
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    for wanted in (
        lambda s: settings.min_sentence_chars <= len(s) <= settings.max_chars,
        lambda s: len(s) <= settings.max_chars,
        lambda s: True,
    ):
        for index in order:
            if wanted(sentences[index]):
                return index
    return 0


def _cut(article: Article, span: Span, max_chars: int) -> Summary:
    """The sentence's first words up to `max_chars`, ending on a word boundary."""
    text = article.text
    end = span.start + max_chars
    while end > span.start and not text[end].isspace():
        end -= 1
    while end > span.start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    if end <= span.start:
        end = span.start + max_chars
    return Summary(article.id, span.start, end, text[span.start : end], truncated=True)


def _repeats_title(text: str, span: Span, title: str) -> bool:
    """Loaders may keep the headline as the first line; it would summarise nothing."""
    return (
        bool(title)
        and text[span.start : span.end].strip(" .").casefold() == title.strip(" .").casefold()
    )


def _same_paragraph(text: str, first: Span, second: Span) -> bool:
    return "\n" not in text[first.end : second.start]
