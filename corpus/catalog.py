"""Questions about the stored articles that the front ends ask besides search.

They read the archive's own tables (`articles`), so they live here, in corpus/: no module
outside corpus/ writes SQL against the archive's tables, and a second store implementation
would answer the same functions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from corpus.models import Article
from corpus.store import ArticleStore
from corpus.text import normalise_url

__all__ = ["article_with_url", "count_added_since", "count_sources"]


def article_with_url(store: ArticleStore, url: str) -> Article | None:
    """The stored article with the same normalised URL, if any (a link is stored once)."""
    key = normalise_url(url)
    if not key:
        return None
    rows = store.query("SELECT id FROM articles WHERE url_key = ?", (key,))
    return store.get_article(rows[0][0]) if rows else None


def count_added_since(store: ArticleStore, since: datetime) -> int:
    """Articles added strictly after `since` (the same rule as `list_articles(since=…)`)."""
    rows = store.query(
        "SELECT COUNT(*) FROM articles WHERE added_at > ?", (since.astimezone(UTC).isoformat(),)
    )
    return int(rows[0][0])


def count_sources(store: ArticleStore) -> int:
    """Distinct outlets among the stored articles (articles without one are not counted)."""
    return int(store.query("SELECT COUNT(DISTINCT source) FROM articles WHERE source != ''")[0][0])
