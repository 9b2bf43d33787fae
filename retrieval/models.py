"""Named result types of the search side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from corpus.models import Article
from retrieval.dates import Period


@dataclass(frozen=True)
class StoryMate:
    """Another article telling the same story (another outlet, a few days apart)."""

    article_id: int
    title: str
    source: str
    url: str
    published: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
        }


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
    speaker: str | None = None  # who says it, as shown to users (corpus/attribution.py)
    also_in: tuple[StoryMate, ...] = ()  # the same story in other articles

    @classmethod
    def quoting(
        cls,
        article: Article,
        start: int,
        end: int,
        score: float,
        speaker: str | None = None,
        also_in: tuple[StoryMate, ...] = (),
    ) -> Passage:
        """`article.text[start:end]`, with the article's source details."""
        return cls(
            quote=article.text[start:end],
            article_id=article.id,
            start=start,
            end=end,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
            score=score,
            speaker=speaker,
            also_in=also_in,
        )

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
            "speaker": self.speaker,
            "also_in": [mate.to_json() for mate in self.also_in],
        }


@dataclass(frozen=True)
class SearchResult:
    """The quotes for a question, and how the question was read.

    `period`: the published dates the question asked about (None: it named no time).
    `period_empty`: nothing in that period answered, so `passages` are the best from any
    date. `overview`: the question named a time and no topic ("¿Qué pasó ayer?"), so
    `passages` are that period's stories (none: nothing was published then).
    `ignored_date`: a date the question named that does not exist ("31 de febrero").
    `speaker`: who the question asked about ("¿Qué dijo X…?"), and `speaker_found` whether
    any statement of theirs answered; when not, `passages` are the best quotes anyway.
    """

    question: str
    language: str
    passages: list[Passage] = field(default_factory=list)
    period: Period | None = None
    period_empty: bool = False
    ignored_date: str = ""
    speaker: str = ""
    speaker_found: bool = False
    overview: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "language": self.language,
            "period": self.period.to_json() if self.period else None,
            "period_empty": self.period_empty,
            "overview": self.overview,
            "ignored_date": self.ignored_date or None,
            "speaker": self.speaker or None,
            "speaker_found": self.speaker_found,
            "passages": [p.to_json() for p in self.passages],
        }


class QuestionError(ValueError):
    """A question that cannot be searched (empty, too long); the message is for the user."""
