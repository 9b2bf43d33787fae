"""Per-chunk facts to filter on (published day, source, language), as a few numpy columns.

Kept as arrays, not per-passage Python objects: a million chunks cost about 18 MB. Sources and
languages are stored as small integer codes into vocabularies saved beside them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from retrieval.backends.base import ChunkFacts, CorruptIndexError, SearchFilters
from retrieval.backends.embedded.checksums import digest_file
from retrieval.backends.embedded.dense import atomic_write

NO_DAY = -1
ARRAYS = "facts.npz"
DESCRIPTION = "facts.json"
COLUMNS = ("ids", "days", "sources", "languages")


class FactsTable:
    """The columns have room to grow: a new article's chunks are written into spare capacity
    (doubled when full), so adding one costs its own chunks, not a copy of a million rows."""

    def __init__(self) -> None:
        self._columns = _empty_columns(0)  # ids (int64), days, sources, languages (int32)
        self._size = 0
        self._source_names: list[str] = []
        self._language_names: list[str] = []
        self._lock = threading.Lock()
        self.covered = 0

    @property
    def _ids(self) -> np.ndarray:
        return self._columns[0][: self._size]

    def _live(self) -> list[np.ndarray]:
        return [column[: self._size] for column in self._columns]

    def ids(self) -> np.ndarray:
        return np.sort(self._ids)

    def apply(self, ids: np.ndarray, facts: Sequence[ChunkFacts], removed: Sequence[int]) -> None:
        """Remove `removed`, then add (or replace) `ids` with their facts."""
        with self._lock:
            current = self._ids
            appended = len(ids) == 0 or not len(current) or ids.min() > current.max()
            if len(removed) or not appended:
                # Only then is a scan of every row needed; a new article's chunks simply
                # come after the others (chunk ids only grow).
                gone = np.asarray(list(removed), dtype=np.int64)
                keep = ~np.isin(current, np.concatenate([gone, ids.astype(np.int64)]))
                self._columns = [column[keep] for column in self._live()]
                self._size = int(keep.sum())
            days = np.array([_day(f.published) for f in facts], dtype=np.int32)
            sources = np.array([_code(self._source_names, f.source) for f in facts], dtype=np.int32)
            languages = np.array(
                [_code(self._language_names, f.language) for f in facts], dtype=np.int32
            )
            self._append([ids.astype(np.int64), days, sources, languages])

    def _append(self, rows: list[np.ndarray]) -> None:
        start, end = self._size, self._size + len(rows[0])
        if end > len(self._columns[0]):
            grown = _empty_columns(max(end, 2 * len(self._columns[0])))
            for new, old in zip(grown, self._live(), strict=True):
                new[:start] = old
            self._columns = grown
        for column, values in zip(self._columns, rows, strict=True):
            column[start:end] = values
        self._size = end

    def allowed(self, filters: SearchFilters) -> np.ndarray:
        """The chunk ids that pass `filters`."""
        with self._lock:
            ids, days, sources, languages = self._live()
            mask = np.ones(len(ids), dtype=bool)
            if filters.published_from or filters.published_to:
                mask &= days != NO_DAY
                if filters.published_from:
                    mask &= days >= _day(filters.published_from)
                if filters.published_to:
                    mask &= days <= _day(filters.published_to)
            if filters.sources:
                mask &= np.isin(sources, _codes(self._source_names, filters.sources))
            if filters.languages:
                mask &= np.isin(languages, _codes(self._language_names, filters.languages))
            return ids[mask]

    def save(self, directory: Path, covered: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            # Views are enough: appends write past them, and removals build new columns.
            arrays = dict(zip(COLUMNS, self._live(), strict=True))
            names = {"sources": list(self._source_names), "languages": list(self._language_names)}
        temporary = directory / f".{ARRAYS}.tmp.npz"
        np.savez(
            temporary,
            ids=arrays["ids"],
            days=arrays["days"],
            sources=arrays["sources"],
            languages=arrays["languages"],
        )
        data = temporary.read_bytes()
        temporary.unlink()
        atomic_write(directory / ARRAYS, data)
        description = {**names, "covered": covered, "checksum": digest_file(directory / ARRAYS)}
        atomic_write(directory / DESCRIPTION, json.dumps(description).encode())
        self.covered = covered

    @classmethod
    def load(cls, directory: Path) -> FactsTable:
        try:
            description = json.loads((directory / DESCRIPTION).read_text())
            if digest_file(directory / ARRAYS) != description["checksum"]:
                raise CorruptIndexError(f"{directory / ARRAYS} does not match its checksum")
            with np.load(directory / ARRAYS) as arrays:
                columns = [arrays[n] for n in COLUMNS]
            table = cls()
            table._columns, table._size = columns, len(columns[0])
            table._source_names = [str(n) for n in description["sources"]]
            table._language_names = [str(n) for n in description["languages"]]
            table.covered = int(description["covered"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CorruptIndexError(
                f"cannot read the search facts in {directory}: {error}"
            ) from error
        if len({len(c) for c in columns}) != 1:
            raise CorruptIndexError(f"{directory / ARRAYS}: columns of different lengths")
        return table


def _empty_columns(capacity: int) -> list[np.ndarray]:
    return [np.zeros(capacity, dtype=np.int64)] + [
        np.zeros(capacity, dtype=np.int32) for _ in COLUMNS[1:]
    ]


def _day(value: date | None) -> int:
    return value.toordinal() if value is not None else NO_DAY


def _code(names: list[str], name: str) -> int:
    # Few distinct sources and languages: a list scan is cheaper than keeping a second map.
    try:
        return names.index(name)
    except ValueError:
        names.append(name)
        return len(names) - 1


def _codes(names: list[str], wanted: frozenset[str]) -> np.ndarray:
    return np.array([i for i, n in enumerate(names) if n in wanted], dtype=np.int32)
