from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from retrieval.backends.base import ChunkFacts, SearchFilters
from retrieval.backends.embedded.facts import FactsTable

SOURCES = ("El País", "ABC", "Noticias 24")
LANGUAGES = ("es", "en")


def random_facts(rng: random.Random) -> ChunkFacts:
    published = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
    return ChunkFacts(
        published if rng.random() > 0.1 else None, rng.choice(SOURCES), rng.choice(LANGUAGES)
    )


def expected(oracle: dict[int, ChunkFacts], filters: SearchFilters) -> list[int]:
    return sorted(i for i, facts in oracle.items() if filters.allows(facts))


FILTERS = [
    SearchFilters(),
    SearchFilters(published_from=date(2026, 3, 1), published_to=date(2026, 6, 30)),
    SearchFilters(sources=frozenset({"ABC"}), languages=frozenset({"en"})),
    SearchFilters(published_to=date(2026, 2, 1), sources=frozenset({"El País", "ABC"})),
]


def test_appends_removals_and_replacements_keep_the_facts_of_every_chunk(tmp_path: Path) -> None:
    """Many small appends (one article at a time, growing the columns' spare room), with
    deletions and re-indexed chunks between them, against a plain dict."""
    rng = random.Random(7)
    table, next_id = FactsTable(), 1
    oracle: dict[int, ChunkFacts] = {}
    for step in range(400):
        removed = rng.sample(sorted(oracle), k=min(len(oracle), 2)) if step % 37 == 0 else []
        for chunk_id in removed:
            del oracle[chunk_id]
        if step % 53 == 0 and oracle:  # the same chunks again (a re-index)
            ids = np.array(rng.sample(sorted(oracle), k=min(len(oracle), 3)), dtype=np.int64)
        else:
            count = rng.randint(1, 6)
            ids = np.arange(next_id, next_id + count, dtype=np.int64)
            next_id += count
        facts = [random_facts(rng) for _ in ids]
        oracle.update(zip(ids.tolist(), facts, strict=True))
        table.apply(ids, facts, removed)
        if step % 50 == 0:
            assert table.ids().tolist() == sorted(oracle)
    for filters in FILTERS:
        assert sorted(table.allowed(filters).tolist()) == expected(oracle, filters)
    table.save(tmp_path, covered=123)
    table.apply(np.array([next_id], dtype=np.int64), [random_facts(rng)], [])  # after a save
    loaded = FactsTable.load(tmp_path)
    assert loaded.covered == 123 and loaded.ids().tolist() == sorted(oracle)
    for filters in FILTERS:
        assert sorted(loaded.allowed(filters).tolist()) == expected(oracle, filters)
