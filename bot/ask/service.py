"""The ask service: a question in, a named result out, with no Telegram types in between.

Synchronous and blocking (language detection, embedding, FAISS, SQLite): handlers call it
through the search pool (bot/core/offload.py). `check` is the exception: cheap, so handlers call
it on the event loop first, and a refused question never waits in line behind real searches.
The rate limit is applied before a search by a guard (bot/core/guards.py), not here.

Every outcome is its own type; `AskResult` is their union, which the view turns into messages.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from bot.ask.state import AnswerLog, QuestionLog, VoteOutcome
from bot.core.language import question_language
from retrieval.dates import Period
from retrieval.models import Passage, QuestionError, SearchResult
from retrieval.searcher import Searcher

__all__ = [
    "AskResult",
    "AskService",
    "EmptyQuestion",
    "Expired",
    "NoMore",
    "NotFound",
    "NotYours",
    "NothingPublished",
    "Page",
    "TooLong",
]


@dataclass(frozen=True)
class Reading:
    """How the question was read, for the lines above its quotes: the period it asked about
    (and whether that period had nothing, so the quotes come from any date), a date it named
    that does not exist, and the speaker it asked about when no statement of theirs was found.
    """

    period: Period | None = None
    period_empty: bool = False
    ignored_date: str = ""
    speaker_missing: str = ""
    overview: bool = False  # the question named only a time: the quotes are its stories

    @classmethod
    def of(cls, result: SearchResult) -> Reading:
        missing = result.speaker if result.speaker and not result.speaker_found else ""
        return cls(
            result.period, result.period_empty, result.ignored_date, missing, result.overview
        )


@dataclass(frozen=True)
class Page:
    """Quotes to show; `token` names the stored page for its buttons ("" in inline mode)."""

    language: str
    passages: tuple[Passage, ...]
    token: str = ""
    first_number: int = 1  # 1-based position of the first passage among all results
    has_more: bool = False
    reading: Reading = Reading()


@dataclass(frozen=True)
class NoQuotes:
    """A result without quotes: only the language to say why in. Each reason is a subclass,
    so results compare equal only to the same reason (dataclass equality checks the class)."""

    language: str


class EmptyQuestion(NoQuotes):
    """Nothing to search for."""


class Expired(NoQuotes):
    """ "More results" on a page that is no longer stored."""


class NoMore(NoQuotes):
    """The question's results are all shown."""


class NotYours(NoQuotes):
    """A button of another chat's or person's answer (forged or stale callback data)."""


@dataclass(frozen=True)
class NotFound(NoQuotes):
    articles: int  # the archive's size, for the hint


@dataclass(frozen=True)
class NothingPublished(NoQuotes):
    """ "¿Qué pasó el 3 de marzo?" when no article is from then."""

    period: Period


@dataclass(frozen=True)
class TooLong(NoQuotes):
    length: int
    limit: int


AskResult = (
    Page | NotFound | NothingPublished | EmptyQuestion | TooLong | Expired | NoMore | NotYours
)


class _Found(NamedTuple):
    """A searched question: as searched, the language of the answer, what was found."""

    question: str
    language: str
    passages: tuple[Passage, ...]
    has_more: bool
    reading: Reading


@dataclass(eq=False)
class AskService:
    searcher: Searcher
    answers: AnswerLog
    questions: QuestionLog
    _: KW_ONLY
    page_size: int  # quotes per answer page
    inline_results: int  # quotes offered in inline mode

    @property
    def max_question_chars(self) -> int:
        return self.searcher.settings.max_question_chars

    def check(self, question: str, language: str) -> EmptyQuestion | TooLong | None:
        """Why `question` cannot be searched, or None; cheap enough for the event loop."""
        question = question.strip()
        if not question:
            return EmptyQuestion(language)
        if len(question) > self.max_question_chars:
            return TooLong(language, len(question), self.max_question_chars)
        return None

    def first_page(self, question: str, chat_id: int, user_id: int, language: str) -> AskResult:
        """The first page of quotes for `question`, stored for its buttons, or why there is none.

        `language` is the person's; the answer follows the question's when it is clear.
        """
        found = self._first(question, language, self.page_size)
        if not isinstance(found, _Found):
            return found
        self.questions.record(
            chat_id=chat_id,
            question=found.question,
            answered=bool(found.passages),
            when=datetime.now(UTC),
        )
        if not found.passages:
            return self._no_quotes(found)
        token = self.answers.record_page(
            chat_id=chat_id,
            user_id=user_id,
            question=found.question,
            language=found.language,
            first_index=0,
            passages=found.passages,
        )
        return Page(found.language, found.passages, token, 1, found.has_more, found.reading)

    def next_page(self, token: str, chat_id: int, user_id: int, language: str) -> AskResult:
        """The page after the stored page `token`, if this chat and person may see it."""
        page = self.answers.page(token)
        if page is None:
            return Expired(language)
        if not page.entitles(chat_id, user_id):
            return NotYours(language)
        first = page.first_index + len(page.passages)
        passages, has_more, _ = self._search(page.question, page.language, first, self.page_size)
        if not passages:
            return NoMore(page.language)
        new_token = self.answers.record_page(
            chat_id=chat_id,
            user_id=user_id,
            question=page.question,
            language=page.language,
            first_index=first,
            passages=passages,
        )
        return Page(page.language, passages, new_token, first + 1, has_more)

    def inline(self, question: str, language: str) -> AskResult:
        """Top quotes for inline mode; nothing is stored, as no buttons follow them."""
        found = self._first(question, language, self.inline_results)
        if not isinstance(found, _Found):
            return found
        if not found.passages:
            return self._no_quotes(found)
        return Page(found.language, found.passages, reading=found.reading)

    def vote(self, token: str, chat_id: int, user_id: int, vote: int) -> VoteOutcome:
        """Record 👍 (+1) or 👎 (-1) on a page this chat and person may vote on."""
        return self.answers.record_vote(token, chat_id=chat_id, user_id=user_id, vote=vote)

    def prune(self, before: datetime) -> None:
        """Forget answer pages and logged questions older than `before`."""
        self.answers.prune_pages(before)
        self.questions.prune(before)

    def _first(self, question: str, language: str, count: int) -> _Found | EmptyQuestion | TooLong:
        """The first `count` quotes for `question`, in the question's language when clear."""
        refused = self.check(question, language)
        if refused is not None:
            return refused
        question = question.strip()
        language = question_language(question, language)
        passages, has_more, reading = self._search(question, language, 0, count)
        return _Found(question, language, passages, has_more, reading)

    def _search(
        self, question: str, language: str, offset: int, count: int
    ) -> tuple[tuple[Passage, ...], bool, Reading]:
        """`count` passages from `offset`, whether at least one more exists, and how the
        question was read."""
        try:
            result = self.searcher.search(
                question, k=count + 1, language_hint=language, offset=offset
            )
        except QuestionError:
            return (), False, Reading()
        return tuple(result.passages[:count]), len(result.passages) > count, Reading.of(result)

    def _no_quotes(self, found: _Found) -> NotFound | NothingPublished:
        period = found.reading.period
        if found.reading.overview and period is not None:
            return NothingPublished(found.language, period)
        return NotFound(found.language, self.searcher.archive.store.count_articles())
