"""What admins do to the archive — add, delete, list, count — as plain, blocking calls.

Synchronous and Telegram-free: the admin handlers parse an update, call one of these on a pool
(uploads on their own, bot/core/offload.py) and let admin/view.py word the named result. Every
write goes through `Archive`, so a post added from Telegram is chunked, embedded and indexed
exactly like `hemeroteca ingest` does it, under the archive's one writer lock, and is searchable
as soon as the call returns.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from bot.ask.state import QuestionCounts, QuestionLog
from bot.digest.state import Subscriptions
from corpus.catalog import article_with_url, count_sources
from corpus.loaders import SUPPORTED_SUFFIXES, drafts_from_files
from corpus.models import Article, ArticleDraft, IngestFailure, IngestResult
from corpus.problems import Problem
from corpus.settings import FetchSettings
from corpus.web import FetchError, fetch_article
from retrieval.archive import Archive

__all__ = [
    "MAX_FILE_BYTES",
    "AddOutcome",
    "Added",
    "AdminStats",
    "ArticleRow",
    "Curator",
    "Duplicate",
    "FileOutcome",
    "Refused",
    "SourcesPage",
]

# What an admin may upload: the CLI's formats (SUPPORTED_SUFFIXES). 20 MB is what the Bot API
# lets a bot download.
MAX_FILE_BYTES = 20 * 1024 * 1024
UNANSWERED_SHOWN = 5  # the latest questions without an answer that /stats lists


@dataclass(frozen=True)
class ArticleRow:
    """A stored article and how many passages it was cut into."""

    article: Article
    passages: int


class Added(ArticleRow):
    """Stored now, and searchable already."""


@dataclass(frozen=True)
class Duplicate:
    """Already in the archive: `article` is the stored one, to point the admin at."""

    article: Article


@dataclass(frozen=True)
class Refused:
    """Nothing was stored; `problem` says why, for the admin."""

    problem: Problem


AddOutcome = Added | Duplicate | Refused


@dataclass(frozen=True)
class FileOutcome:
    added: int
    passages: int
    duplicates: int
    failed: list[IngestFailure] = field(default_factory=list)


@dataclass(frozen=True)
class SourcesPage:
    rows: list[ArticleRow]
    page: int  # 1-based, clamped to the pages there are
    pages: int
    total: int


@dataclass(frozen=True)
class AdminStats:
    articles: int
    passages: int
    sources: int
    subscribers: int
    questions_24h: QuestionCounts
    index_bytes: int
    database_bytes: int
    embedder: str


@dataclass(eq=False)
class Curator:
    """Admin operations on one archive. Thread-safe because `Archive` is.

    /stats also counts what other features keep (questions asked, digest subscribers), so
    bot/app.py hands it their state objects.
    """

    archive: Archive
    fetch_settings: FetchSettings
    questions: QuestionLog
    subscriptions: Subscriptions

    # --- adding -------------------------------------------------------------------------------

    def add(self, draft: ArticleDraft, where: str = "telegram") -> AddOutcome:
        """Store one article, or say why not (a duplicate, too short, too long…)."""
        result = self.archive.ingest([(where, draft)])
        return self._outcome(result)

    def add_url(self, url: str) -> AddOutcome:
        """Fetch a page and store its article; a link already stored is not fetched again."""
        known = article_with_url(self.archive.store, url)
        if known is not None:
            return Duplicate(known)
        try:
            draft = fetch_article(url, self.fetch_settings)
        except FetchError as error:
            return Refused(error.problem)
        return self.add(draft, where=url)

    def add_file(self, filename: str, content: bytes) -> FileOutcome:
        """Ingest an uploaded file with the CLI's loaders; bad lines are reported, not fatal."""
        name = PurePath(filename).name or "upload"
        suffix = PurePath(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            accepted = ", ".join(sorted(SUPPORTED_SUFFIXES))
            problem = Problem.of("upload_type", suffix=suffix or "(none)", accepted=accepted)
            return FileOutcome(0, 0, 0, [IngestFailure(name, problem)])
        with tempfile.TemporaryDirectory(prefix="hemeroteca-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(content)
            failures: list[IngestFailure] = []
            # "file.jsonl:3", not the temporary path
            drafts = list(
                drafts_from_files([path], failures, lambda at: name + at[len(str(path)) :])
            )
        result = self.archive.ingest(drafts)
        return FileOutcome(
            added=len(result.added),
            passages=result.chunks_added,
            duplicates=len(result.duplicates),
            failed=failures + result.failed,
        )

    def _outcome(self, result: IngestResult) -> AddOutcome:
        if result.added:
            article = self.archive.store.get_article(result.added[0])
            if article is not None:
                return Added(article, result.chunks_added)
        if result.duplicates:
            stored = self.archive.store.get_article(result.duplicates[0][1])
            if stored is not None:
                return Duplicate(stored)
        if result.failed:
            return Refused(result.failed[0].problem)
        return Refused(Problem.of("removed"))

    # --- tidying ------------------------------------------------------------------------------

    def delete(self, article_id: int) -> Article | None:
        """Remove an article, its chunks and its vectors; the removed article, or None."""
        article = self.archive.store.get_article(article_id)
        if article is None or not self.archive.delete(article_id):
            return None
        return article

    def sources(self, page: int = 1, per_page: int = 8) -> SourcesPage:
        """Newest articles first, one page of them, with their passage counts."""
        store = self.archive.store
        total = store.count_articles()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        articles = store.list_articles(limit=per_page, offset=(page - 1) * per_page)
        counts = store.count_chunks_by_article([a.id for a in articles])
        rows = [ArticleRow(a, counts.get(a.id, 0)) for a in articles]
        return SourcesPage(rows, page, pages, total)

    def stats(self, now: datetime) -> AdminStats:
        archive_stats = self.archive.stats()
        store = self.archive.store
        questions = self.questions.counts(now - timedelta(hours=24), UNANSWERED_SHOWN)
        database = store.path
        database_bytes = sum(
            p.stat().st_size
            for p in (database, Path(f"{database}-wal"))
            if p.exists()  # the write-ahead log holds recent writes until a checkpoint
        )
        return AdminStats(
            articles=archive_stats.articles,
            passages=archive_stats.chunks,
            sources=count_sources(store),
            subscribers=self.subscriptions.count(),
            questions_24h=questions,
            index_bytes=archive_stats.index_bytes,
            database_bytes=database_bytes,
            embedder=archive_stats.embedder,
        )
