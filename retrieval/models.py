"""Named result types of the search side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Passage:
    """A verbatim quote: `quote == article.text[start:end]` for the article it names."""

    quote: str
    article_id: int
    start: int
    end: int
    title: str
    source: str
    url: str
    published: datetime | None
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "quote": self.quote,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    question: str
    language: str
    passages: list[Passage] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "language": self.language,
            "passages": [p.to_json() for p in self.passages],
        }


class QuestionError(ValueError):
    """A question that cannot be searched (empty, too long); the message is for the user."""
