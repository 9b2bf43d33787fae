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


class FactsTable:
    def __init__(self) -> None:
        self._ids = np.zeros(0, dtype=np.int64)
        self._days = np.zeros(0, dtype=np.int32)
        self._sources = np.zeros(0, dtype=np.int32)
        self._languages = np.zeros(0, dtype=np.int32)
        self._source_names: list[str] = []
        self._language_names: list[str] = []
        self._lock = threading.Lock()
        self.covered = 0

    def ids(self) -> np.ndarray:
        return np.sort(self._ids)

    def apply(self, ids: np.ndarray, facts: Sequence[ChunkFacts], removed: Sequence[int]) -> None:
        """Remove `removed`, then add (or replace) `ids` with their facts."""
        with self._lock:
            columns: list[np.ndarray] = [self._ids, self._days, self._sources, self._languages]
            appended = len(ids) == 0 or not len(self._ids) or ids.min() > self._ids.max()
            if len(removed) or not appended:
                # Only then is a scan of every row needed; a new article's chunks simply
                # come after the others (chunk ids only grow).
                gone = np.asarray(list(removed), dtype=np.int64)
                keep = ~np.isin(self._ids, np.concatenate([gone, ids.astype(np.int64)]))
                columns = [column[keep] for column in columns]
            days = np.array([_day(f.published) for f in facts], dtype=np.int32)
            sources = np.array([_code(self._source_names, f.source) for f in facts], dtype=np.int32)
            languages = np.array(
                [_code(self._language_names, f.language) for f in facts], dtype=np.int32
            )
            self._ids, self._days, self._sources, self._languages = (
                np.concatenate([old, new])
                for old, new in zip(columns, [ids, days, sources, languages], strict=True)
            )

    def allowed(self, filters: SearchFilters) -> np.ndarray:
        """The chunk ids that pass `filters`."""
        with self._lock:
            mask = np.ones(len(self._ids), dtype=bool)
            if filters.published_from or filters.published_to:
                mask &= self._days != NO_DAY
                if filters.published_from:
                    mask &= self._days >= _day(filters.published_from)
                if filters.published_to:
                    mask &= self._days <= _day(filters.published_to)
            if filters.sources:
                mask &= np.isin(self._sources, _codes(self._source_names, filters.sources))
            if filters.languages:
                mask &= np.isin(self._languages, _codes(self._language_names, filters.languages))
            return self._ids[mask]

    def save(self, directory: Path, covered: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            arrays: dict[str, np.ndarray] = {
                "ids": self._ids,
                "days": self._days,
                "sources": self._sources,
                "languages": self._languages,
            }
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
                columns = [arrays[n] for n in ("ids", "days", "sources", "languages")]
            table = cls()
            table._ids, table._days, table._sources, table._languages = columns
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
