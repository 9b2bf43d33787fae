"""The ask service: a question in, a `Reply` out, with no Telegram types in between.

Handlers stay thin by calling one method here. Everything that blocks (language detection,
embedding, FAISS, SQLite) runs on the service's worker threads, never on the event loop; the
cheap checks (empty, too long, too many questions) run first, so a refused question does not
wait in line behind real searches.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import ParamSpec, TypeVar

from bot.feedback import AnswerLog, VoteOutcome
from bot.language import question_language, user_language
from bot.offload import run_blocking
from bot.questions import QuestionLog
from bot.ratelimit import QuestionLimiter
from retrieval.models import Passage, QuestionError
from retrieval.searcher import Searcher

P = ParamSpec("P")
T = TypeVar("T")

INLINE_BUDGET = 3  # inline queries allowed per question allowed


class Outcome(StrEnum):
    ANSWER = "answer"
    NOT_FOUND = "not_found"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    RATE_LIMITED = "rate_limited"
    EXPIRED = "expired"  # "more results" on a page that is no longer stored
    NO_MORE = "no_more"
    NOT_YOURS = "not_yours"  # a button of another chat's answer (forged callback data)


@dataclass(frozen=True)
class Reply:
    """What to tell the person; `render` turns it into messages."""

    outcome: Outcome
    language: str
    passages: tuple[Passage, ...] = ()
    page_token: str = ""  # the stored page, for the buttons
    first_number: int = 1  # 1-based position of the first passage among all results
    has_more: bool = False
    articles: int = 0  # archive size, for the not-found hint
    length: int = 0  # question length, for too-long
    limit: int = 0  # the limit that was hit (characters, or questions a minute)
    wait_seconds: int = 0


@dataclass(frozen=True)
class ArchiveFacts:
    articles: int
    newest: datetime | None


class AskService:
    def __init__(
        self,
        searcher: Searcher,
        answers: AnswerLog,
        questions: QuestionLog,
        limiter: QuestionLimiter,
        executor: Executor,
        *,
        page_size: int,
        inline_results: int,
        default_language: str,
    ) -> None:
        self.searcher = searcher
        self.answers = answers
        self.questions = questions
        self.limiter = limiter
        # Inline queries arrive as the person types, so they get a budget of their own.
        self.inline_limiter = QuestionLimiter(
            limiter.limit * INLINE_BUDGET, limiter.window, exempt=limiter.exempt
        )
        self.executor = executor
        self.page_size = page_size
        self.inline_results = inline_results
        self.default_language = default_language
        self.max_question_chars = searcher.settings.max_question_chars

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`function` on the worker threads: how blocking work stays off the event loop."""
        return await run_blocking(self.executor, function, *args, **kwargs)

    async def ask(
        self, question: str, *, chat_id: int, user_id: int, language_code: str | None
    ) -> Reply:
        """The first page of quotes for `question`, or why there is none."""
        refused = self._refuse(question.strip(), user_id, language_code, self.limiter)
        if refused is not None:
            return refused
        return await self.run(self._first_page, question.strip(), chat_id, user_id, language_code)

    async def more(
        self, page_token: str, *, chat_id: int, user_id: int, language_code: str | None
    ) -> Reply:
        """The page after the stored page `page_token`, if this chat and person may see it."""
        wait = self.limiter.try_acquire(user_id)
        if wait:
            language = user_language(language_code, self.default_language)
            return self._rate_limited(language, wait, self.limiter.limit)
        return await self.run(self._next_page, page_token, chat_id, user_id, language_code)

    async def inline(self, question: str, *, user_id: int, language_code: str | None) -> Reply:
        """Top quotes for inline mode; nothing is stored, as no buttons follow them."""
        refused = self._refuse(question.strip(), user_id, language_code, self.inline_limiter)
        if refused is not None:
            return refused
        return await self.run(self._inline, question.strip(), language_code)

    async def vote(self, page_token: str, *, chat_id: int, user_id: int, vote: int) -> VoteOutcome:
        """Record 👍 (+1) or 👎 (-1) on a page this chat and person may vote on."""
        return await self.run(
            self.answers.record_vote, page_token, chat_id=chat_id, user_id=user_id, vote=vote
        )

    def prune(self, before: datetime) -> None:
        """Forget answer pages and logged questions older than `before` (blocking)."""
        self.answers.prune_pages(before)
        self.questions.prune(before)

    async def facts(self) -> ArchiveFacts:
        store = self.searcher.archive.store
        return await self.run(
            lambda: ArchiveFacts(store.count_articles(), store.newest_published())
        )

    # --- on the worker threads ----------------------------------------------------------------

    def _first_page(
        self, question: str, chat_id: int, user_id: int, language_code: str | None
    ) -> Reply:
        language = question_language(question, language_code, self.default_language)
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
        return Reply(Outcome.ANSWER, language, passages, token, 1, has_more)

    def _next_page(
        self, page_token: str, chat_id: int, user_id: int, language_code: str | None
    ) -> Reply:
        page = self.answers.page(page_token)
        language = user_language(language_code, self.default_language)
        if page is None:
            return Reply(Outcome.EXPIRED, language)
        if not page.entitles(chat_id, user_id):
            return Reply(Outcome.NOT_YOURS, language)
        first = page.first_index + len(page.passages)
        passages, has_more = self._search(page.question, page.language, first, self.page_size)
        if not passages:
            return Reply(Outcome.NO_MORE, page.language)
        new_token = self.answers.record_page(
            chat_id=chat_id,
            user_id=user_id,
            question=page.question,
            language=page.language,
            first_index=first,
            passages=passages,
        )
        return Reply(Outcome.ANSWER, page.language, passages, new_token, first + 1, has_more)

    def _inline(self, question: str, language_code: str | None) -> Reply:
        language = question_language(question, language_code, self.default_language)
        passages, _ = self._search(question, language, 0, self.inline_results)
        if not passages:
            return self._not_found(language)
        return Reply(Outcome.ANSWER, language, passages)

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

    def _not_found(self, language: str) -> Reply:
        articles = self.searcher.archive.store.count_articles()
        return Reply(Outcome.NOT_FOUND, language, articles=articles)

    # --- on the event loop (cheap) ------------------------------------------------------------

    def _refuse(
        self, question: str, user_id: int, language_code: str | None, limiter: QuestionLimiter
    ) -> Reply | None:
        language = user_language(language_code, self.default_language)
        if not question:
            return Reply(Outcome.EMPTY, language)
        if len(question) > self.max_question_chars:
            return Reply(
                Outcome.TOO_LONG, language, length=len(question), limit=self.max_question_chars
            )
        wait = limiter.try_acquire(user_id)
        return self._rate_limited(language, wait, limiter.limit) if wait else None

    def _rate_limited(self, language: str, wait: int, limit: int) -> Reply:
        return Reply(Outcome.RATE_LIMITED, language, limit=limit, wait_seconds=wait)
