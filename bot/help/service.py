"""What /help says about the archive: how many articles, and the newest one's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from corpus.store import ArticleStore

__all__ = ["ArchiveFacts", "archive_facts"]


@dataclass(frozen=True)
class ArchiveFacts:
    articles: int
    newest: datetime | None


def archive_facts(store: ArticleStore) -> ArchiveFacts:
    """Read live at each /help, so the help never goes stale while the archive grows."""
    return ArchiveFacts(store.count_articles(), store.newest_published())
