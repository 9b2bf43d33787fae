"""Sparse index: BM25 (bm25s) over language-aware terms, keyed by the store's chunk ids.

bm25s cannot add documents to a built index, so additions rebuild it from cached terms; that is
a vectorised pass, cheap next to embedding the new chunks. A saved index carries a manifest:
each file's checksum and the last store change it covers (see retrieval/archive.py).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from retrieval.backends.base import CorruptIndexError, Hit
from retrieval.backends.embedded.checksums import digest_file

MANIFEST = "manifest.json"

# bm25s logs every index build at DEBUG on its own logger; that is noise in our logs.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class SparseIndex:
    def __init__(self) -> None:
        self._terms: dict[int, list[str]] = {}
        self._ids = np.zeros(0, dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        self._document_frequency: dict[str, int] = {}
        self._lock = threading.Lock()
        self.covered = 0  # the last store change reflected here

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def set_documents(self, terms_by_id: dict[int, list[str]]) -> None:
        """Replace everything with these documents (chunk id → terms) and rebuild."""
        with self._lock:
            self._terms = dict(terms_by_id)
            self._rebuild()

    def add(self, terms_by_id: dict[int, list[str]]) -> None:
        with self._lock:
            self._terms.update(terms_by_id)
            self._rebuild()

    def remove(self, ids: Sequence[int]) -> None:
        self.update({}, ids)

    def update(self, added: dict[int, list[str]], removed: Sequence[int]) -> None:
        """Add and remove documents with one rebuild; adding an id again replaces it."""
        with self._lock:
            for chunk_id in removed:
                self._terms.pop(int(chunk_id), None)
            self._terms.update(added)
            self._rebuild()

    def has_cached_terms(self) -> bool:
        return len(self._terms) == len(self._ids)

    def search(self, terms: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """The k best chunks for `terms`; with `allowed`, only among those chunk ids."""
        with self._lock:
            bm25, ids = self._bm25, self._ids
        known = [t for t in terms if bm25 is not None and t in bm25.vocab_dict]
        if bm25 is None or not known or len(ids) == 0:
            return []
        scores = bm25.get_scores(known)
        if allowed is not None:
            scores = np.where(np.isin(ids, allowed), scores, 0.0)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [Hit(int(ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, term: str) -> float:
        """Inverse document frequency, for weighting keywords inside a quote."""
        n = max(len(self._ids), 1)
        df = self._document_frequency.get(term, 0)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def save(self, directory: Path, covered: int) -> None:
        """Save into a fresh sibling directory, fsync, then swap it in with a rename."""
        with self._lock:
            bm25, ids = self._bm25, self._ids.copy()
        temporary = directory.with_name(f".{directory.name}.tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        if bm25 is not None:
            bm25.save(str(temporary))
        ids_file = temporary / "chunk_ids.json"
        ids_file.write_text(json.dumps(ids.tolist()))
        files = sorted(temporary.iterdir())
        checksums = {file.name: digest_file(file) for file in files}
        manifest = {"covered": covered, "documents": len(ids), "checksums": checksums}
        (temporary / MANIFEST).write_text(json.dumps(manifest))
        for file in temporary.iterdir():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        previous = directory.with_name(f".{directory.name}.old")
        shutil.rmtree(previous, ignore_errors=True)
        if directory.exists():
            os.replace(directory, previous)
        os.replace(temporary, directory)
        shutil.rmtree(previous, ignore_errors=True)
        self.covered = covered

    @classmethod
    def load(cls, directory: Path) -> SparseIndex:
        covered = _verify(directory)
        try:
            ids = np.array(json.loads((directory / "chunk_ids.json").read_text()), dtype=np.int64)
            bm25 = bm25s.BM25.load(str(directory)) if len(ids) else None
        except (OSError, ValueError, KeyError) as error:
            raise CorruptIndexError(
                f"cannot read the keyword index {directory}: {error}"
            ) from error
        sparse = cls()
        sparse._ids = ids
        sparse._bm25 = bm25
        sparse.covered = covered
        if bm25 is not None:
            if bm25.scores["num_docs"] != len(ids):
                raise CorruptIndexError(f"{directory}: document count differs from its ids")
            sparse._document_frequency = _document_frequency(bm25)
        return sparse

    def _rebuild(self) -> None:
        ids = np.array(sorted(self._terms), dtype=np.int64)
        if len(ids) == 0:
            self._ids, self._bm25, self._document_frequency = ids, None, {}
            return
        bm25 = bm25s.BM25()
        bm25.index([self._terms[int(i)] for i in ids], show_progress=False)
        self._ids, self._bm25 = ids, bm25
        self._document_frequency = _document_frequency(bm25)


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a saved keyword index (for loading, and for `stats`)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise CorruptIndexError(f"keyword index manifest unreadable: {error}") from error
    if not isinstance(manifest, dict):
        raise CorruptIndexError("keyword index manifest is not an object")
    return manifest


def _verify(directory: Path) -> int:
    """Check every file against the manifest; returns the last store change covered."""
    manifest = read_manifest(directory)
    try:
        covered, checksums = int(manifest["covered"]), dict(manifest["checksums"])
        for name, expected in checksums.items():
            if digest_file(directory / name) != expected:
                raise CorruptIndexError(f"{directory / name} does not match its checksum")
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise CorruptIndexError(f"cannot verify the keyword index {directory}: {error}") from error
    return covered


def _document_frequency(bm25: bm25s.BM25) -> dict[str, int]:
    # bm25s keeps one CSC column per term: its number of stored entries is the term's df.
    indptr = np.asarray(bm25.scores["indptr"])
    counts = np.diff(indptr)
    # Its vocabulary may also hold an empty placeholder token with no column.
    return {
        term: int(counts[index]) for term, index in bm25.vocab_dict.items() if index < len(counts)
    }
