"""Keyword index: BM25 over our own analysed terms, in tantivy, updated in place.

Chosen by measurement over SQLite FTS5 and segmented bm25s (README, "Keyword index"): at a
million passages it searches the top 100 in ~3 ms, adds five passages in ~80 ms (the commit's
fsyncs), holds no per-passage Python objects and opens in a millisecond. Terms come from
`retrieval.tokens.analyze` and are indexed with a whitespace tokenizer, so stemming, stopwords
and accent folding stay ours; tantivy only counts and ranks (BM25, k1 1.2, b 0.75).

Unlike the vectors, this index is not copied into each process: it lives on disk, shared.
`covered.json` beside it says which store change it reflects; a process that finds it behind
applies the tail under the folder lock (tantivy allows one writer at a time), and a process
that finds it ahead only reloads. tantivy checks its own files (each carries a checksum
footer); one it cannot open is rebuilt from the store.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import tantivy

from retrieval.backends.base import ChunkFacts, CorruptIndexError, Hit, SearchFilters
from retrieval.backends.embedded.dense import atomic_write

log = logging.getLogger(__name__)

COVERED = "covered.json"
FORMAT = 1  # bump when the schema or the analysis changes: older indexes are rebuilt
TOKENIZER = "analysed"  # our terms, separated by spaces
WRITER_HEAP_BYTES = 50_000_000
K1, B = 1.2, 0.75  # tantivy's BM25 parameters (fixed)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # Signed, not unsigned: tantivy-py deletes by term only on signed integer fields.
    builder.add_integer_field("chunk_id", indexed=True, fast=True)
    builder.add_text_field("terms", tokenizer_name=TOKENIZER, index_option="freq")
    builder.add_text_field("language", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("source", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)
    return builder.build()


class KeywordIndex:
    """The keyword index in `directory`; thread-safe (tantivy searchers are snapshots)."""

    def __init__(self, directory: Path, index: tantivy.Index, covered: int) -> None:
        self.directory = directory
        self._index = index
        self._schema = index.schema
        self._covered = covered
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path) -> KeywordIndex:
        """The saved index; raises FileNotFoundError or CorruptIndexError."""
        if not (directory / COVERED).exists():
            raise FileNotFoundError(directory)
        try:
            described = json.loads((directory / COVERED).read_text())
            if described.get("format") != FORMAT:
                raise CorruptIndexError(f"{directory} has format {described.get('format')}")
            index = tantivy.Index(_schema(), path=str(directory), reuse=True)
            _register(index)
            index.searcher()  # reads every segment's metadata now, not on the first question
        except (OSError, ValueError, KeyError, AttributeError) as error:
            raise CorruptIndexError(
                f"cannot read the keyword index {directory}: {error}"
            ) from error
        return cls(directory, index, int(described["covered"]))

    @classmethod
    def create(cls, directory: Path) -> KeywordIndex:
        """A new, empty index in `directory`, replacing whatever was there."""
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(directory), reuse=False)
        _register(index)
        keywords = cls(directory, index, 0)
        keywords._write_covered(0)
        return keywords

    # --- state ------------------------------------------------------------------------------

    @property
    def covered(self) -> int:
        return self._covered

    def disk_covered(self) -> int:
        """What the files say now: another process may have moved it on."""
        try:
            return int(json.loads((self.directory / COVERED).read_text())["covered"])
        except (OSError, ValueError, KeyError):
            return -1

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def refresh(self) -> None:
        """See what other processes committed."""
        with self._lock:
            self._index.reload()
            self._covered = max(self._covered, self.disk_covered())

    # --- writes (the caller holds the folder lock) --------------------------------------------

    def apply(
        self,
        ids: np.ndarray,
        terms: Sequence[Sequence[str]],
        facts: Sequence[ChunkFacts],
        removed: Sequence[int],
        covered: int | None,
    ) -> None:
        """Reflect a batch that ends at store change `covered`, unless the files already
        reflect that change or a later one (another process applied it, and perhaps later
        deletes that this batch, read earlier, does not know about).

        `covered` None: one batch of a rebuild, always applied; the files keep saying what
        they said until the rebuild's last batch, so a crash midway replays from there.
        """
        with self._lock:
            if covered is not None and self.disk_covered() >= covered:
                self._index.reload()
                self._covered = max(self._covered, self.disk_covered())
                return
            writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            for chunk_id in [*removed, *(int(i) for i in ids)]:
                writer.delete_documents_by_term("chunk_id", int(chunk_id))
            for chunk_id, chunk_terms, chunk_facts in zip(ids, terms, facts, strict=True):
                writer.add_document(_document(int(chunk_id), chunk_terms, chunk_facts))
            writer.commit()
            writer.wait_merging_threads()
            if covered is not None:
                self._write_covered(covered)
                self._covered = covered
            self._index.reload()

    def _write_covered(self, covered: int) -> None:
        # Written after the commit: a crash in between replays the same changes again,
        # which is harmless; the files can never claim a change they lack.
        described = {"format": FORMAT, "covered": covered}
        atomic_write(self.directory / COVERED, json.dumps(described).encode())

    # --- search -----------------------------------------------------------------------------

    def search(
        self, terms: Sequence[str], k: int, filters: SearchFilters | None = None
    ) -> list[Hit]:
        wanted = list(dict.fromkeys(terms))
        if not wanted:
            return []
        schema = self._schema
        should = [
            (
                tantivy.Occur.Should,
                tantivy.Query.term_query(schema, "terms", t, index_option="freq"),
            )
            for t in wanted
        ]
        query = tantivy.Query.boolean_query(should)
        if filters is not None and not filters.empty:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), *self._filter_clauses(filters)]
            )
        searcher = self._index.searcher()
        hits = searcher.search(query, limit=k, count=False).hits
        ids = searcher.fast_field_values("chunk_id", [address for _, address in hits])
        return [Hit(int(i or 0), float(score)) for i, (score, _) in zip(ids, hits, strict=True)]

    def _filter_clauses(self, filters: SearchFilters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Must-clauses scoring 0, so BM25 scores are the same with or without a filter."""
        schema, clauses = self._schema, []
        if filters.languages:
            clauses.append(self._any_of("language", filters.languages))
        if filters.sources:
            clauses.append(self._any_of("source", filters.sources))
        if filters.published_from or filters.published_to:
            low = _day(filters.published_from) if filters.published_from else 0
            high = _day(filters.published_to) if filters.published_to else 10**7
            days = tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, low, high)
            clauses.append(tantivy.Query.const_score_query(days, 0.0))
        return [(tantivy.Occur.Must, clause) for clause in clauses]

    def _any_of(self, field: str, values: frozenset[str]) -> tantivy.Query:
        terms = [
            (
                tantivy.Occur.Should,
                tantivy.Query.term_query(self._schema, field, value, index_option="basic"),
            )
            for value in sorted(values)
        ]
        return tantivy.Query.const_score_query(tantivy.Query.boolean_query(terms), 0.0)

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of `term` (deleted passages count until tantivy
        merges them away, as in Lucene)."""
        searcher = self._index.searcher()
        n = max(int(searcher.num_docs), 1)
        df = int(searcher.doc_freq("terms", term))
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))


def _register(index: tantivy.Index) -> None:
    index.register_tokenizer(
        TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )


def _document(chunk_id: int, terms: Sequence[str], facts: ChunkFacts) -> tantivy.Document:
    document = tantivy.Document()
    document.add_integer("chunk_id", chunk_id)
    document.add_text("terms", " ".join(terms))
    document.add_text("language", facts.language)
    document.add_text("source", facts.source)
    # Undated chunks get day -1, which no date filter's range includes.
    document.add_integer("day", _day(facts.published) if facts.published else -1)
    return document


def _day(value: date) -> int:
    return value.toordinal()
