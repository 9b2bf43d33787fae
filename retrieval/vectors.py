"""An article's vectors: one per sentence, and per chunk the normalised mean of its sentences.

Embedding sentences costs about what embedding their paragraphs would (the model's cost grows
with text length), and it gives quoting a dense similarity for every candidate sentence.
Pooling them gives each chunk its vector without a second pass through the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.models import Span
from corpus.sentences import sentence_spans
from retrieval.embedders import Embedder


@dataclass(frozen=True)
class ArticleVectors:
    sentences: list[Span]
    sentence_vectors: np.ndarray  # (len(sentences), dim), L2-normalised
    chunk_vectors: np.ndarray  # (len(chunks), dim), L2-normalised


def passage_text(title: str, text: str) -> str:
    """What the embedder sees: the title gives a sentence its context ("the visit" of whom)."""
    return f"{title}\n{text}" if title else text


def embed_article(
    embedder: Embedder, title: str, text: str, chunks: Sequence[Span]
) -> ArticleVectors:
    sentences = sentence_spans(text)
    vectors = embedder.embed_passages(
        [passage_text(title, text[s.start : s.end]) for s in sentences]
    )
    return ArticleVectors(sentences, vectors, pool_chunks(sentences, vectors, chunks))


def pool_chunks(
    sentences: Sequence[Span], vectors: np.ndarray, chunks: Sequence[Span]
) -> np.ndarray:
    """Each chunk's vector: the normalised mean of the vectors of the sentences inside it."""
    starts = np.array([s.start for s in sentences])
    ends = np.array([s.end for s in sentences])
    pooled = np.zeros((len(chunks), vectors.shape[1] if len(vectors) else 0), dtype=np.float32)
    for row, chunk in enumerate(chunks):
        inside = (starts >= chunk.start) & (ends <= chunk.end)
        if not inside.any():  # cannot happen for chunks cut at sentence ends; be safe anyway
            inside = (starts < chunk.end) & (ends > chunk.start)
        mean = vectors[inside].mean(axis=0)
        pooled[row] = mean / (np.linalg.norm(mean) or 1.0)
    return pooled
