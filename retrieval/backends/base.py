"""What every search backend offers the archive and the searcher, whatever engine is behind it.

A backend holds the archive's passages for search: a vector per chunk (dense search), the
chunk's analysed terms (keyword search) and a few facts to filter on (published date, source,
language). It never decides what is true: the store is, and a backend is fed from the store's
change log in `IndexBatch`es (retrieval/archive.py), so any backend can be rebuilt or caught up
without re-embedding. Batches are idempotent: adding a chunk the backend has replaces it, and
removing one it lacks does nothing, which is what makes replaying an overlapping tail safe.

The embedded backend (FAISS + BM25, files under the data directory) is the default; a
distributed one (a Qdrant cluster) plugs in behind the same protocol, and the searcher never
sees FAISS, bm25s or Qdrant types.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np

__all__ = [
    "ChunkFacts",
    "CorruptIndexError",
    "Hit",
    "IndexBatch",
    "IndexMismatchError",
    "SearchBackend",
    "SearchFilters",
]


class IndexMismatchError(RuntimeError):
    """The saved index was built by another embedder than the configured one."""


class CorruptIndexError(RuntimeError):
    """The saved index cannot be read, fails its checksum, or does not match its description."""


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    score: float


@dataclass(frozen=True)
class ChunkFacts:
    """What a search can be filtered on, per chunk (its article's facts)."""

    published: date | None  # the article's published date, or the day it was added
    source: str
    language: str


@dataclass(frozen=True)
class SearchFilters:
    """Keep only passages published in [published_from, published_to] (inclusive), from one of
    `sources`, in one of `languages`; an empty field does not filter."""

    published_from: date | None = None
    published_to: date | None = None
    sources: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.published_from or self.published_to or self.sources or self.languages)

    def allows(self, facts: ChunkFacts) -> bool:
        """The reference semantics every backend must match (the contract tests use it)."""
        if self.published_from or self.published_to:
            if facts.published is None:
                return False
            if self.published_from and facts.published < self.published_from:
                return False
            if self.published_to and facts.published > self.published_to:
                return False
        if self.sources and facts.source not in self.sources:
            return False
        return not self.languages or facts.language in self.languages


@dataclass
class IndexBatch:
    """Chunks to add (with vectors, terms and facts, row-aligned) and chunk ids to remove."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    terms: list[list[str]] = field(default_factory=list)
    facts: list[ChunkFacts] = field(default_factory=list)
    removed: Sequence[int] = ()


class SearchBackend(Protocol):
    """Search over the archive's passages. Thread-safe: searches run while a batch is applied.

    `covered` is the last store change the backend reflects; `flush` persists that state so
    the next start replays only what came after.
    """

    @property
    def name(self) -> str: ...

    @property
    def covered(self) -> int: ...

    def count(self) -> int: ...

    def consistent_with(self, chunk_ids: np.ndarray) -> bool:
        """Whether the backend holds exactly these chunk ids (sorted): the archive's check
        against the store after replaying."""
        ...

    def apply(self, batch: IndexBatch, covered: int) -> None:
        """Remove, then add; afterwards the backend reflects store changes up to `covered`."""
        ...

    def rebuild(self, batches: Iterable[IndexBatch], covered: int) -> None:
        """Replace everything with `batches`, read one at a time (a million passages do not
        fit in memory at once); afterwards the backend reflects store changes up to
        `covered`."""
        ...

    def dense_search(
        self, query: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The k chunks closest to `query` (cosine), best first."""
        ...

    def keyword_search(
        self, terms: Sequence[str], k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The k best chunks for `terms` by BM25, best first; only chunks scoring above 0."""
        ...

    def keyword_weight(self, term: str) -> float:
        """The term's inverse document frequency, for weighting keywords inside a quote."""
        ...

    def settle(self) -> None:
        """Wait for background index work (an index being retrained) to finish; searches
        never need to, but benchmarks and tests measure the settled state."""
        ...

    def flush(self) -> None:
        """Persist the current state durably (atomically: a crash keeps the previous state)."""
        ...

    def close(self) -> None: ...
