"""The archive's value types: what an article and a chunk of it are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from corpus.problems import Problem


@dataclass(frozen=True)
class ArticleDraft:
    """An article as a loader or the bot hands it over, before the store gives it an id."""

    title: str
    text: str
    source: str = ""
    url: str = ""
    published: datetime | None = None
    language: str = ""
    # Where it came from outside the archive (e.g. "tg:<chat_id>:<message_id>"), for dedupe.
    origin: str = ""


@dataclass(frozen=True)
class Article:
    """A stored article; `text` is the exact text every chunk and quote is a slice of."""

    id: int
    title: str
    text: str
    source: str
    url: str
    published: datetime | None
    language: str
    added_at: datetime
    content_hash: str
    origin: str = ""


@dataclass(frozen=True)
class Chunk:
    """A piece of an article: `article.text[start:end] == text` always holds."""

    article_id: int
    ordinal: int
    start: int
    end: int
    text: str
    id: int = 0  # assigned by the store; also the chunk's id in the dense and sparse indexes


@dataclass(frozen=True)
class Span:
    """A half-open character range in some text."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class IngestFailure:
    """One input that could not be stored, with a reason a person can act on."""

    where: str
    problem: Problem

    @property
    def reason(self) -> str:
        return str(self.problem)


@dataclass
class IngestResult:
    """What an ingestion did: ids added, duplicates (with the article they match), failures."""

    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)
    chunks_added: int = 0

    def merge(self, other: IngestResult) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.failed += other.failed
        self.chunks_added += other.chunks_added
