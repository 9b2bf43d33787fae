from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.models import ArticleDraft, Span
from corpus.store import ArticleStore, StoreError


def add(store: ArticleStore, text: str, **fields: object) -> int:
    draft = ArticleDraft(title="T", text=text, **fields)  # type: ignore[arg-type]
    spans = [Span(0, len(text))]
    article, _ = store.add_article(draft, "es", spans, np.ones((1, 4), dtype=np.float32))
    return article.id


def test_dedupe_by_normalised_text_url_and_origin(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "a.sqlite3")
    first = add(store, "Hola   Mundo.", url="https://Example.org/nota/", origin="tg:1:2")
    assert store.find_duplicate(ArticleDraft("x", "hola mundo.")) == first
    assert store.find_duplicate(ArticleDraft("x", "otro", url="https://example.org/nota")) == first
    assert store.find_duplicate(ArticleDraft("x", "otro", origin="tg:1:2")) == first
    assert (
        store.find_duplicate(ArticleDraft("x", "otro texto", url="https://example.org/otra"))
        is None
    )


def test_persistence_across_restart_and_delete_cascade(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    store = ArticleStore(path)
    article_id = add(store, "Texto persistente.")
    store.close()
    reopened = ArticleStore(path)
    article = reopened.get_article(article_id)
    assert article is not None and article.text == "Texto persistente."
    ids, vectors = reopened.chunk_embeddings()
    assert len(ids) == 1 and vectors.shape == (1, 4)
    assert reopened.delete_article(article_id) == [int(ids[0])]
    assert reopened.count_chunks() == 0
    assert reopened.delete_article(article_id) == []


def test_unwritable_data_directory_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="data directory"):
        ArticleStore(blocker / "data" / "archive.sqlite3")


def test_new_archives_store_vectors_as_float16_and_old_float32_ones_still_read(
    tmp_path: Path,
) -> None:
    vector = np.array([[0.6, 0.8, 0.0, 0.0]], dtype=np.float32)
    store = ArticleStore(tmp_path / "new.sqlite3")
    draft = ArticleDraft("T", "Un texto cualquiera.")
    store.add_article(draft, "es", [Span(0, 20)], vector, [Span(0, 20)], vector)
    [(size,)] = store.query("SELECT length(embedding) FROM chunks")
    assert size == 4 * 2
    _, read = store.chunk_embeddings()
    assert read.dtype == np.float32 and np.allclose(read, vector, atol=1e-3)
    store.close()

    # An archive written before float16: float32 blobs and no vector_dtype key.
    legacy = tmp_path / "old.sqlite3"
    store = ArticleStore(legacy)
    store.add_article(draft, "es", [Span(0, 20)], vector)
    with store.transaction() as db:
        db.execute("UPDATE chunks SET embedding = ?", (vector[0].tobytes(),))
        db.execute("DELETE FROM meta WHERE key = 'vector_dtype'")
    store.close()
    reopened = ArticleStore(legacy)
    _, read = reopened.chunk_embeddings()
    assert np.array_equal(read, vector)
    assert reopened.get_meta("vector_dtype") == "float32"
    reopened.close()
