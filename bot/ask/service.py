"""The ask service: a question in, a named result out, with no Telegram types in between.

Synchronous and blocking (language detection, embedding, FAISS, SQLite): handlers call it
through the search pool (bot/core/offload.py). `check` is the exception: cheap, so handlers call
it on the event loop first, and a refused question never waits in line behind real searches.
The rate limit is applied before a search by a guard (bot/core/guards.py), not here.

Every outcome is its own type; `AskResult` is their union, which the view turns into messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.ask.state import AnswerLog, QuestionLog, VoteOutcome
from bot.core.language import question_language
from retrieval.models import Passage, QuestionError
from retrieval.searcher import Searcher

__all__ = [
    "AskResult",
    "AskService",
    "EmptyQuestion",
    "Expired",
    "NoMore",
    "NotFound",
    "NotYours",
    "Page",
    "TooLong",
]


@dataclass(frozen=True)
class Page:
    """Quotes to show; `token` names the stored page for its buttons ("" in inline mode)."""

    language: str
    passages: tuple[Passage, ...]
    token: str = ""
    first_number: int = 1  # 1-based position of the first passage among all results
    has_more: bool = False


@dataclass(frozen=True)
class NotFound:
    language: str
    articles: int  # the archive's size, for the hint


@dataclass(frozen=True)
class EmptyQuestion:
    language: str


@dataclass(frozen=True)
class TooLong:
    language: str
    length: int
    limit: int


@dataclass(frozen=True)
class Expired:
    """ "More results" on a page that is no longer stored."""

    language: str


@dataclass(frozen=True)
class NoMore:
    language: str


@dataclass(frozen=True)
class NotYours:
    """A button of another chat's or person's answer (forged or stale callback data)."""

    language: str


AskResult = Page | NotFound | EmptyQuestion | TooLong | Expired | NoMore | NotYours


class AskService:
    def __init__(
        self,
        searcher: Searcher,
        answers: AnswerLog,
        questions: QuestionLog,
        *,
        page_size: int,
        inline_results: int,
    ) -> None:
        self.searcher = searcher
        self.answers = answers
        self.questions = questions
        self.page_size = page_size
        self.inline_results = inline_results
        self.max_question_chars = searcher.settings.max_question_chars

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
        refused = self.check(question, language)
        if refused is not None:
            return refused
        question = question.strip()
        language = question_language(question, language)
        passages, has_more = self._search(question, language, 0, self.page_size)
        self.questions.record(
            chat_id=chat_id, question=question, answered=bool(passages), when=datetime.now(UTC)
        )
        if not passages:
            return self._not_found(language)
        token = self.answers.record_page(
            chat_id=chat_id,
            user_id=user_id,
            question=question,
            language=language,
            first_index=0,
            passages=passages,
        )
        return Page(language, passages, token, 1, has_more)

    def next_page(self, token: str, chat_id: int, user_id: int, language: str) -> AskResult:
        """The page after the stored page `token`, if this chat and person may see it."""
        page = self.answers.page(token)
        if page is None:
            return Expired(language)
        if not page.entitles(chat_id, user_id):
            return NotYours(language)
        first = page.first_index + len(page.passages)
        passages, has_more = self._search(page.question, page.language, first, self.page_size)
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
        refused = self.check(question, language)
        if refused is not None:
            return refused
        question = question.strip()
        language = question_language(question, language)
        passages, _ = self._search(question, language, 0, self.inline_results)
        return Page(language, passages) if passages else self._not_found(language)

    def vote(self, token: str, chat_id: int, user_id: int, vote: int) -> VoteOutcome:
        """Record 👍 (+1) or 👎 (-1) on a page this chat and person may vote on."""
        return self.answers.record_vote(token, chat_id=chat_id, user_id=user_id, vote=vote)

    def prune(self, before: datetime) -> None:
        """Forget answer pages and logged questions older than `before`."""
        self.answers.prune_pages(before)
        self.questions.prune(before)

    def _search(
        self, question: str, language: str, offset: int, count: int
    ) -> tuple[tuple[Passage, ...], bool]:
        """`count` passages from `offset`, and whether at least one more exists."""
        try:
            result = self.searcher.search(
                question, k=count + 1, language_hint=language, offset=offset
            )
        except QuestionError:
            return (), False
        return tuple(result.passages[:count]), len(result.passages) > count

    def _not_found(self, language: str) -> NotFound:
        return NotFound(language, self.searcher.archive.store.count_articles())
