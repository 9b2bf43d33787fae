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
