"""corpus/schema.py (owners' tables, migrated once) and corpus/catalog.py (article questions)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from corpus.catalog import article_with_url, count_added_since, count_sources
from corpus.models import ArticleDraft
from corpus.schema import Schema, apply_schemas
from corpus.store import ArticleStore

NOTES = Schema(
    "test.notes",
    (
        ("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",),
        ("ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT ''",),
    ),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ArticleStore]:
    opened = ArticleStore(tmp_path / "archive.sqlite3")
    yield opened
    opened.close()


def add(store: ArticleStore, title: str, source: str = "", url: str = "") -> int:
    draft = ArticleDraft(title=title, text=f"{title}. Un texto de prueba.", source=source, url=url)
    article, _ = store.add_article(draft, "es", [], np.zeros((0, 4), np.float32))
    return article.id


def test_an_owner_is_migrated_once_step_by_step(store: ArticleStore) -> None:
    assert apply_schemas(store, [NOTES]) == {"test.notes": 0}
    assert store.schema_version("test.notes") == NOTES.version == 2
    with store.transaction() as db:
        db.execute("INSERT INTO notes(text, author) VALUES ('hola', 'ana')")
    assert apply_schemas(store, [NOTES]) == {"test.notes": 2}  # nothing to do, nothing lost
    assert store.query("SELECT text, author FROM notes") == [("hola", "ana")]


def test_a_table_made_before_versions_were_recorded_is_adopted(store: ArticleStore) -> None:
    with store.transaction() as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        db.execute("INSERT INTO notes(text) VALUES ('antigua')")
    apply_schemas(store, [NOTES])
    assert store.query("SELECT text, author FROM notes") == [("antigua", "")]


def test_articles_are_found_by_normalised_url(store: ArticleStore) -> None:
    found = add(store, "Con enlace", url="https://example.org/a/#arriba")
    stored = article_with_url(store, "HTTPS://EXAMPLE.org/a")
    assert stored is not None and stored.id == found
    assert article_with_url(store, "https://example.org/b") is None
    assert article_with_url(store, "") is None


def test_sources_and_additions_are_counted(store: ArticleStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    add(store, "Uno", source="El País")
    add(store, "Dos", source="El País")
    add(store, "Tres", source="ABC")
    add(store, "Cuatro")
    assert count_sources(store) == 2
    assert count_added_since(store, before) == 4
    assert count_added_since(store, datetime.now(UTC) + timedelta(seconds=1)) == 0
