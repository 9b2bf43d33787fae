"""Cut an article into chunks along paragraphs and sentences, keeping exact spans."""

from __future__ import annotations

from corpus.models import Chunk, Span
from corpus.sentences import paragraph_spans, sentence_spans
from corpus.settings import ChunkingSettings


def chunk_text(text: str, settings: ChunkingSettings) -> list[Span]:
    """Spans of the chunks of `text`: whole paragraphs, long ones cut at sentence ends."""
    spans: list[Span] = []
    for paragraph in paragraph_spans(text):
        if len(paragraph) <= settings.max_chars:
            spans.append(paragraph)
        else:
            spans += _split_long_paragraph(text, paragraph, settings)
    return spans


def chunk_article(article_id: int, text: str, settings: ChunkingSettings) -> list[Chunk]:
    return [
        Chunk(
            article_id=article_id, ordinal=i, start=s.start, end=s.end, text=text[s.start : s.end]
        )
        for i, s in enumerate(chunk_text(text, settings))
    ]


def _split_long_paragraph(text: str, paragraph: Span, settings: ChunkingSettings) -> list[Span]:
    sentences = sentence_spans(text, paragraph.start, paragraph.end)
    spans: list[Span] = []
    first = 0
    while first < len(sentences):
        last = first
        # Grow the window while it fits; a single over-long sentence becomes a chunk of its own.
        while (
            last + 1 < len(sentences)
            and sentences[last + 1].end - sentences[first].start <= settings.max_chars
        ):
            last += 1
        spans.append(Span(sentences[first].start, sentences[last].end))
        if last + 1 >= len(sentences):
            break
        # Step forward, repeating up to `overlap_sentences`, but always making progress.
        first = max(first + 1, last + 1 - settings.overlap_sentences)
    return spans
