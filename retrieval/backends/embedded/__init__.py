"""The embedded backend: FAISS for vectors, tantivy for keywords, numpy columns for filters.

Everything lives in files under the archive's `index/` folder. The vectors and the facts are
held in memory by each process and saved as checksummed snapshots; the keyword index is shared
on disk and updated in place (retrieval/backends/embedded/keyword.py). The folder's lock file
keeps processes from writing over each other. A part that is missing, corrupt or ahead of the
store starts empty (and is logged), so the archive replays or rebuilds it from the store.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import faiss
import numpy as np

from retrieval.backends.base import (
    CorruptIndexError,
    Hit,
    IndexBatch,
    IndexMismatchError,
    SearchFilters,
)
from retrieval.backends.embedded.dense import DenseIndex, DenseIndexInfo, read_description
from retrieval.backends.embedded.facts import ARRAYS as FACTS
from retrieval.backends.embedded.facts import FactsTable
from retrieval.backends.embedded.keyword import KeywordIndex
from retrieval.backends.embedded.locks import folder_lock
from retrieval.settings import IndexSettings

__all__ = ["EmbeddedBackend", "saved_covers"]

log = logging.getLogger("retrieval.archive")
T = TypeVar("T")

KEYWORDS = "keywords"

# Searches already run in parallel on the caller's worker threads (one per core); FAISS's own
# OpenMP threads on top of them only fight for the same cores (measured at 50k passages: p50
# 52 ms with FAISS's 2 threads, 20 ms with 1).
faiss.omp_set_num_threads(1)


class EmbeddedBackend:
    """FAISS + tantivy + facts in one folder."""

    name = "embedded"

    def __init__(
        self,
        directory: Path,
        info: DenseIndexInfo,
        settings: IndexSettings,
        keywords: KeywordIndex | None = None,
    ) -> None:
        self.directory = directory
        self._info = info
        self._settings = settings
        self.dense = DenseIndex(info, settings)
        self.facts = FactsTable()
        self._keywords = keywords
        self._rebuild_keywords = keywords is None  # the next batch recreates the keyword index

    @classmethod
    def open(
        cls,
        directory: Path,
        info: DenseIndexInfo,
        settings: IndexSettings,
        latest_change: int,
    ) -> EmbeddedBackend:
        """The saved state, part by part; an unusable part starts empty and is logged."""
        with folder_lock(directory / ".lock", shared=True):
            dense = _load(
                "dense index",
                directory / "dense.faiss",
                lambda: DenseIndex.load(directory / "dense.faiss", info, settings),
            )
            facts = _load("search facts", directory / FACTS, lambda: FactsTable.load(directory))
            keywords = _load(
                "keyword index",
                directory / KEYWORDS,
                lambda: KeywordIndex.open(directory / KEYWORDS),
            )
        parts: list[DenseIndex | FactsTable | KeywordIndex] = [
            p for p in (dense, facts, keywords) if p is not None
        ]
        if any(p.covered > latest_change for p in parts):
            log.warning(
                "the saved indexes cover change %d but the store ends at %d; rebuilding them",
                max(p.covered for p in parts),
                latest_change,
            )
            return cls(directory, info, settings)
        backend = cls(directory, info, settings, keywords)
        if dense is not None and facts is not None:
            backend.dense, backend.facts = dense, facts
        return backend

    # --- state ------------------------------------------------------------------------------

    @property
    def covered(self) -> int:
        keywords = self._keywords.covered if self._keywords is not None else 0
        return min(self.dense.covered, self.facts.covered, keywords)

    def count(self) -> int:
        return len(self.dense)

    def consistent_with(self, chunk_ids: np.ndarray) -> bool:
        """Whether every part holds exactly `chunk_ids` (sorted). The shared keyword index is
        only counted, and only when no other process has moved it past what the vectors hold."""
        if self._keywords is None:
            return False
        keywords_comparable = self._keywords.disk_covered() <= self.dense.covered
        return (
            np.array_equal(np.sort(self.dense.ids()), chunk_ids)
            and np.array_equal(self.facts.ids(), chunk_ids)
            and (not keywords_comparable or self._keywords.count() == len(chunk_ids))
        )

    # --- writes -----------------------------------------------------------------------------

    def apply(self, batch: IndexBatch, covered: int) -> None:
        self._apply_memory(batch)
        self.dense.covered = self.facts.covered = covered
        self._apply_keywords(batch, covered)

    def rebuild(self, batches: Iterable[IndexBatch], covered: int) -> None:
        """Start empty and add the batches one at a time, so that a million passages never
        sit in memory at once; the keyword index is recreated and says `covered` at the end."""
        self.dense = DenseIndex(self._info, self._settings)
        self.facts = FactsTable()
        self._rebuild_keywords = True
        for batch in batches:
            self._apply_memory(batch)
            self._apply_keywords(batch, None)
        self.dense.covered = self.facts.covered = covered
        self._apply_keywords(IndexBatch(), covered)

    def _apply_memory(self, batch: IndexBatch) -> None:
        removed = list(batch.removed)
        new = self.dense.missing(batch.ids)
        self.dense.remove(removed)
        if new.any():
            self.dense.add(batch.ids[new], batch.vectors[new])
        self.facts.apply(batch.ids, batch.facts, removed)

    def _apply_keywords(self, batch: IndexBatch, covered: int | None) -> None:
        """`covered` None: one batch of a rebuild, applied whatever the files say."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with folder_lock(self.directory / ".lock"):
                if self._rebuild_keywords or self._keywords is None:
                    # Under the lock, so no other process writes into the index meanwhile.
                    self._keywords = KeywordIndex.create(self.directory / KEYWORDS)
                    self._rebuild_keywords = False
                self._keywords.apply(batch.ids, batch.terms, batch.facts, batch.removed, covered)
        except OSError as error:
            # A folder this process cannot write: another process keeps the keyword index.
            log.warning("keyword index not updated (%s); searching what is on disk", error)
            if self._keywords is not None:
                self._keywords.refresh()

    def settle(self) -> None:
        self.dense.wait_for_conversion()

    def flush(self) -> None:
        """Save the vectors and facts, unless another process already saved a newer state
        (its save covers ours, and replaying forward is how this process would catch up).
        The keyword index is already durable: every batch is committed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        covered = min(self.dense.covered, self.facts.covered)
        with folder_lock(self.directory / ".lock"):
            saved = _saved_dense_covers(self.directory)
            if saved is not None and saved > covered:
                return
            self.dense.save(self.directory / "dense.faiss", covered)
            self.facts.save(self.directory, covered)
            # The bm25s keyword index of archives made before tantivy: replaced, so removed.
            shutil.rmtree(self.directory / "sparse", ignore_errors=True)

    def close(self) -> None:
        """Nothing to release: every write was flushed by the archive."""

    # --- search -----------------------------------------------------------------------------

    def dense_search(
        self, query: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        allowed = None if filters is None or filters.empty else self.facts.allowed(filters)
        return self.dense.search(query, k, allowed)

    def keyword_search(
        self, terms: Sequence[str], k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        return self._keywords.search(terms, k, filters) if self._keywords is not None else []

    def keyword_weight(self, term: str) -> float:
        return self._keywords.idf(term) if self._keywords is not None else 0.0


def saved_covers(directory: Path) -> int | None:
    """The oldest change the saved parts cover, from their descriptions (the indexes are not
    loaded); None when a part is missing or unreadable."""
    dense = _saved_dense_covers(directory)
    try:
        keywords = KeywordIndex.open(directory / KEYWORDS).covered
    except (FileNotFoundError, CorruptIndexError):
        return None
    return None if dense is None else min(dense, keywords)


def _saved_dense_covers(directory: Path) -> int | None:
    try:
        return int(str(read_description(directory / "dense.faiss")["covered"]))
    except (CorruptIndexError, KeyError, ValueError):
        return None


def _load(name: str, path: Path, load: Callable[[], T]) -> T | None:
    try:
        if not path.exists():
            raise FileNotFoundError(path)
        return load()
    except FileNotFoundError:
        log.info("no %s yet; building it from the store", name)
    except (CorruptIndexError, IndexMismatchError) as error:
        log.warning("%s unusable (%s); rebuilding it from the stored embeddings", name, error)
    return None
