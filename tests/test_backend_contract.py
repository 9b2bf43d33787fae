"""The contract every search backend keeps, checked against brute-force oracles.

Each backend configuration runs the same tests: what it returns is what an exhaustive search
(cosine for vectors, BM25 for keywords) over the allowed chunks returns. A distributed backend
joins by adding its factory to BACKENDS.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from retrieval.backends import (
    BackendError,
    ChunkFacts,
    IndexBatch,
    SearchBackend,
    SearchFilters,
    open_backend,
)
from retrieval.backends.embedded import EmbeddedBackend
from retrieval.backends.embedded.dense import DenseIndexInfo
from retrieval.settings import IndexSettings

DIM = 32
WORDS = [f"w{i}" for i in range(60)]
SOURCES = ["El País", "ABC", "La Voz"]
LANGUAGES = ["es", "en"]
START = date(2025, 1, 1)

Factory = Callable[[Path], SearchBackend]


def embedded(index_type: str) -> Factory:
    settings = IndexSettings(
        type=index_type, ivf_nlist=4, hnsw_ef_search=256, auto_threshold=200, ivf_nprobe=64
    )
    info = DenseIndexInfo("test", DIM, index_type)
    return lambda directory: EmbeddedBackend.open(directory, info, settings, 10**9)


BACKENDS = {"embedded-flat": embedded("flat"), "embedded-hnsw": embedded("hnsw")}
BACKENDS["embedded-ivf"] = embedded("ivf")
BACKENDS["embedded-auto"] = embedded("auto")  # IVF from 200 vectors on, trained in a thread
EXACT = {"embedded-flat"}


class Corpus:
    """Random chunks with vectors, terms and facts, and the oracles over them."""

    def __init__(self, count: int, seed: int = 0, first_id: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.ids = np.arange(first_id, first_id + count, dtype=np.int64)
        vectors = rng.normal(size=(count, DIM)).astype(np.float32)
        self.vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        zipf = 1 / np.arange(1, len(WORDS) + 1)
        self.terms = [
            list(rng.choice(WORDS, size=int(rng.integers(3, 15)), p=zipf / zipf.sum()))
            for _ in range(count)
        ]
        self.facts = [
            ChunkFacts(
                None if i % 17 == 0 else START + timedelta(days=int(rng.integers(0, 700))),
                SOURCES[int(rng.integers(0, len(SOURCES)))],
                LANGUAGES[int(rng.integers(0, len(LANGUAGES)))],
            )
            for i in range(count)
        ]
        self.removed: set[int] = set()

    def batch(self) -> IndexBatch:
        return IndexBatch(self.ids, self.vectors, self.terms, self.facts)

    def allowed(self, filters: SearchFilters | None) -> np.ndarray:
        keep = [
            int(i) not in self.removed and (filters is None or filters.allows(f))
            for i, f in zip(self.ids, self.facts, strict=True)
        ]
        return np.array(keep, dtype=bool)

    def nearest(self, query: np.ndarray, k: int, filters: SearchFilters | None = None) -> list:
        mask = self.allowed(filters)
        scores = self.vectors[mask] @ query
        order = np.argsort(-scores)[:k]
        return [int(i) for i in self.ids[mask][order]]

    def bm25(self, terms: list[str], filters: SearchFilters | None = None) -> dict[int, float]:
        """Okapi BM25 (Lucene's idf, k1 = 1.2, b = 0.75) over every chunk still indexed; only
        the allowed ones are returned."""
        live = self.allowed(None)
        documents = [Counter(t) for t, keep in zip(self.terms, live, strict=True) if keep]
        ids = [int(i) for i, keep in zip(self.ids, live, strict=True) if keep]
        average = sum(sum(d.values()) for d in documents) / len(documents)
        allowed = {int(i) for i, ok in zip(self.ids, self.allowed(filters), strict=True) if ok}
        scores = {}
        for chunk_id, counts in zip(ids, documents, strict=True):
            length, score = sum(counts.values()), 0.0
            for term in set(terms):
                df = sum(1 for d in documents if term in d)
                if not counts[term]:
                    continue
                idf = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
                tf = counts[term]
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
            if score > 0 and chunk_id in allowed:
                scores[chunk_id] = score
        return scores


FILTERS = [
    SearchFilters(published_from=date(2025, 3, 1), published_to=date(2025, 6, 30)),
    SearchFilters(sources=frozenset({"ABC"})),
    SearchFilters(languages=frozenset({"en"}), sources=frozenset({"El País", "La Voz"})),
    SearchFilters(published_from=date(2026, 1, 1)),
]


@pytest.fixture(params=sorted(BACKENDS))
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def corpus() -> Corpus:
    return Corpus(400)


@pytest.fixture
def backend(backend_name: str, corpus: Corpus, tmp_path: Path) -> SearchBackend:
    backend = BACKENDS[backend_name](tmp_path)
    backend.apply(corpus.batch(), covered=5)
    backend.settle()
    return backend


def recall(found: list[int], expected: list[int]) -> float:
    return len(set(found) & set(expected)) / max(1, len(expected))


def queries(count: int = 20) -> np.ndarray:
    vectors = np.random.default_rng(99).normal(size=(count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_dense_search_finds_what_brute_force_finds(
    backend: SearchBackend, corpus: Corpus, backend_name: str
) -> None:
    assert backend.count() == 400 and backend.covered == 5
    assert backend.consistent_with(corpus.ids)
    scores = []
    for query in queries():
        hits = backend.dense_search(query, 10)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        scores.append(recall([h.chunk_id for h in hits], corpus.nearest(query, 10)))
    assert np.mean(scores) == 1.0 if backend_name in EXACT else np.mean(scores) >= 0.9


@pytest.mark.parametrize("filters", FILTERS)
def test_filtered_searches_return_only_allowed_chunks_and_the_best_of_them(
    backend: SearchBackend, corpus: Corpus, backend_name: str, filters: SearchFilters
) -> None:
    allowed = {int(i) for i, ok in zip(corpus.ids, corpus.allowed(filters), strict=True) if ok}
    assert allowed, "each filter keeps something"
    scores = []
    for query in queries():
        hits = [h.chunk_id for h in backend.dense_search(query, 10, filters)]
        assert set(hits) <= allowed
        scores.append(recall(hits, corpus.nearest(query, 10, filters)))
    assert np.mean(scores) == 1.0 if backend_name in EXACT else np.mean(scores) >= 0.85
    for word in ("w0", "w7", "w40"):
        found = backend.keyword_search([word], 1000, filters)
        assert {h.chunk_id for h in found} == set(corpus.bm25([word], filters))


def test_keyword_search_ranks_like_bm25(backend: SearchBackend, corpus: Corpus) -> None:
    for terms in (["w3"], ["w1", "w25"], ["w50", "w2", "w9"], ["nope"]):
        expected = corpus.bm25(terms)
        hits = backend.keyword_search(terms, 1000)
        assert {h.chunk_id for h in hits} == set(expected)
        for hit in hits:
            # tantivy stores each length in one byte (as Lucene does): scores are close, not equal.
            assert hit.score == pytest.approx(expected[hit.chunk_id], rel=0.05)
    n, df = 400, sum(1 for t in corpus.terms if "w3" in t)
    assert backend.keyword_weight("w3") == pytest.approx(
        math.log(1 + (n - df + 0.5) / (df + 0.5)), rel=1e-6
    )


def test_removed_chunks_are_never_returned(backend: SearchBackend, corpus: Corpus) -> None:
    gone = [int(i) for i in corpus.ids[::3]]
    backend.apply(IndexBatch(removed=gone), covered=6)
    corpus.removed.update(gone)
    assert backend.count() == 400 - len(gone) and backend.covered == 6
    for query in queries(5):
        assert not {h.chunk_id for h in backend.dense_search(query, 50)} & set(gone)
    assert not {h.chunk_id for h in backend.keyword_search(["w0"], 1000)} & set(gone)
    assert backend.consistent_with(np.array(sorted(set(corpus.ids.tolist()) - set(gone))))


def test_a_batch_applied_twice_changes_nothing(backend: SearchBackend, corpus: Corpus) -> None:
    before = [backend.dense_search(q, 10) for q in queries(5)]
    backend.apply(corpus.batch(), covered=5)
    assert backend.count() == 400
    assert [backend.dense_search(q, 10) for q in queries(5)] == before
    backend.apply(IndexBatch(removed=[10_000, 10_001]), covered=5)  # absent: nothing happens
    assert backend.count() == 400


def test_flushed_state_is_what_the_next_open_finds(
    backend: SearchBackend, corpus: Corpus, backend_name: str, tmp_path: Path
) -> None:
    more = Corpus(50, seed=1, first_id=1000)
    backend.apply(more.batch(), covered=9)
    backend.flush()
    reopened = BACKENDS[backend_name](tmp_path)
    reopened.settle()
    assert reopened.covered == 9 and reopened.count() == 450
    for query in queries(5):
        assert reopened.dense_search(query, 10) == backend.dense_search(query, 10)
    assert reopened.keyword_search(["w4"], 50) == backend.keyword_search(["w4"], 50)
    filters = FILTERS[1]
    assert reopened.dense_search(queries(1)[0], 10, filters) == backend.dense_search(
        queries(1)[0], 10, filters
    )


def test_the_factory_names_the_valid_backends_and_how_to_install_optional_ones(
    tmp_path: Path,
) -> None:
    info = DenseIndexInfo("test", DIM, "flat")
    with pytest.raises(BackendError, match="valid backends: embedded, qdrant"):
        open_backend(IndexSettings(backend="elastic"), tmp_path, info, 0)
    with pytest.raises(BackendError, match="qdrant"):
        open_backend(IndexSettings(backend="qdrant"), tmp_path, info, 0)
