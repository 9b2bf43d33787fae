"""The embedded backend: FAISS for vectors, BM25 for keywords, numpy columns for filters.

Everything lives in files under the archive's `index/` folder, saved atomically and checked by
checksums; the folder's lock file keeps processes from saving over each other. A part that is
missing, corrupt or ahead of the store is started empty (and logged), so the archive replays
or rebuilds it from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

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
from retrieval.backends.embedded.keyword import SparseIndex, read_manifest
from retrieval.backends.embedded.locks import folder_lock
from retrieval.settings import IndexSettings

__all__ = ["EmbeddedBackend", "saved_covers"]

log = logging.getLogger("retrieval.archive")

TermsSource = Callable[[], dict[int, list[str]]]
T = TypeVar("T")


class EmbeddedBackend:
    """FAISS + BM25 + facts in one folder. `all_terms` gives every stored chunk's terms: bm25s
    can only rebuild from all of them, and a keyword index loaded from disk keeps none."""

    name = "embedded"

    def __init__(
        self,
        directory: Path,
        info: DenseIndexInfo,
        settings: IndexSettings,
        all_terms: TermsSource,
    ) -> None:
        self.directory = directory
        self._info = info
        self._settings = settings
        self._all_terms = all_terms
        self.dense = DenseIndex(info, settings)
        self.keywords = SparseIndex()
        self.facts = FactsTable()
        self.loaded = False  # False: nothing usable was on disk

    @classmethod
    def open(
        cls,
        directory: Path,
        info: DenseIndexInfo,
        settings: IndexSettings,
        all_terms: TermsSource,
        latest_change: int,
    ) -> EmbeddedBackend:
        """The saved state, part by part; an unusable part starts empty and is logged."""
        backend = cls(directory, info, settings, all_terms)
        with folder_lock(directory / ".lock", shared=True):
            dense = _load(
                "dense index",
                backend._dense_path,
                lambda: DenseIndex.load(backend._dense_path, info, settings),
            )
            keywords = _load(
                "keyword index",
                backend._keyword_path,
                lambda: SparseIndex.load(backend._keyword_path),
            )
            facts = _load("search facts", directory / FACTS, lambda: FactsTable.load(directory))
        parts = [p for p in (dense, keywords, facts) if p is not None]
        if any(p.covered > latest_change for p in parts):
            log.warning(
                "the saved indexes cover change %d but the store ends at %d; rebuilding them",
                max(p.covered for p in parts),
                latest_change,
            )
            return backend
        backend.dense = dense or backend.dense
        backend.keywords = keywords or backend.keywords
        backend.facts = facts or backend.facts
        backend.loaded = len(parts) == 3
        return backend

    # --- state ------------------------------------------------------------------------------

    @property
    def covered(self) -> int:
        return min(self.dense.covered, self.keywords.covered, self.facts.covered)

    def count(self) -> int:
        return len(self.dense)

    def ids(self) -> np.ndarray:
        return np.sort(self.dense.ids())

    def consistent_with(self, chunk_ids: np.ndarray) -> bool:
        """Whether every part holds exactly `chunk_ids` (sorted)."""
        return (
            np.array_equal(self.ids(), chunk_ids)
            and np.array_equal(self.keywords.ids(), chunk_ids)
            and np.array_equal(self.facts.ids(), chunk_ids)
        )

    # --- writes -----------------------------------------------------------------------------

    def apply(self, batch: IndexBatch, covered: int) -> None:
        removed = list(batch.removed)
        new = ~np.isin(batch.ids, self.dense.ids()) if len(batch.ids) else np.zeros(0, bool)
        self.dense.remove(removed)
        if new.any():
            self.dense.add(batch.ids[new], batch.vectors[new])
        if not self.keywords.has_cached_terms():
            self.keywords.set_documents(self._all_terms())
        added_terms = {int(i): t for i, t in zip(batch.ids, batch.terms, strict=True)}
        self.keywords.update(added_terms, removed)
        self.facts.apply(batch.ids, batch.facts, removed)
        self.dense.covered = self.keywords.covered = self.facts.covered = covered

    def clear(self) -> None:
        self.dense = DenseIndex(self._info, self._settings)
        self.keywords = SparseIndex()
        self.facts = FactsTable()

    def flush(self) -> None:
        """Save every part, unless another process already saved a newer state (its save
        covers ours, and replaying forward is how this process would catch up)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        covered = self.covered
        with folder_lock(self.directory / ".lock"):
            saved = saved_covers(self.directory)
            if saved is not None and saved > covered:
                return
            self.dense.save(self._dense_path, covered)
            self.keywords.save(self._keyword_path, covered)
            self.facts.save(self.directory, covered)

    def close(self) -> None:
        """Nothing to release: every write was flushed by the archive."""

    # --- search -----------------------------------------------------------------------------

    def dense_search(
        self, query: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        return self.dense.search(query, k, self._allowed(filters))

    def keyword_search(
        self, terms: Sequence[str], k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        return self.keywords.search(terms, k, self._allowed(filters))

    def keyword_weight(self, term: str) -> float:
        return self.keywords.idf(term)

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        return None if filters is None or filters.empty else self.facts.allowed(filters)

    @property
    def _dense_path(self) -> Path:
        return self.directory / "dense.faiss"

    @property
    def _keyword_path(self) -> Path:
        return self.directory / "sparse"


def saved_covers(directory: Path) -> int | None:
    """The oldest change the saved parts cover, from their descriptions (the indexes are not
    loaded); None when a part is missing or unreadable."""
    try:
        covers = [
            read_description(directory / "dense.faiss")["covered"],
            read_manifest(directory / "sparse")["covered"],
        ]
        return min(int(str(c)) for c in covers)
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
