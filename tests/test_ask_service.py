"""The ask service without Telegram: named results for every case, pages and votes stored.

Real components: the sample archive with the default embedder, its SQLite file and tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ask.service import (
    AskService,
    EmptyQuestion,
    Expired,
    NoMore,
    NotFound,
    NotYours,
    Page,
    TooLong,
)
from bot.ask.state import ASK_SCHEMA, AnswerLog, QuestionLog, VoteOutcome
from corpus.schema import apply_schemas
from retrieval.searcher import Searcher
from tests.support import SHOIGU_QUESTION, open_archive

ANA = 5  # a private chat's id is its person's id


@pytest.fixture
def asker(data_dir: Path) -> Iterator[AskService]:
    archive = open_archive(data_dir)
    apply_schemas(archive.store, [ASK_SCHEMA])
    try:
        yield AskService(
            Searcher(archive),
            AnswerLog(archive.store),
            QuestionLog(archive.store),
            page_size=1,
            inline_results=2,
        )
    finally:
        archive.close()


def test_cheap_checks_refuse_empty_and_over_long_questions(asker: AskService) -> None:
    assert asker.check("   ", "es") == EmptyQuestion("es")
    assert asker.check("x" * 1001, "en") == TooLong("en", 1001, 1000)
    assert asker.check(SHOIGU_QUESTION, "es") is None
    assert isinstance(asker.first_page("", ANA, ANA, "es"), EmptyQuestion)


def test_a_first_page_is_stored_logged_and_followed_by_the_next(asker: AskService) -> None:
    first = asker.first_page(f"  {SHOIGU_QUESTION}  ", ANA, ANA, "en")
    assert isinstance(first, Page)
    assert first.language == "es"  # the question's language, not the person's app
    assert (first.first_number, len(first.passages), first.has_more) == (1, 1, True)
    assert asker.answers.page(first.token) is not None
    assert asker.questions.counts(datetime.now(UTC) - timedelta(minutes=1), 5).asked == 1
    second = asker.next_page(first.token, ANA, ANA, "es")
    assert isinstance(second, Page) and second.first_number == 2
    assert second.passages[0] != first.passages[0]


def test_pages_run_out_expire_and_belong_to_their_chat(asker: AskService) -> None:
    first = asker.first_page(SHOIGU_QUESTION, ANA, ANA, "es")
    assert isinstance(first, Page)
    assert asker.next_page(first.token, 9, 9, "en") == NotYours("en")
    assert asker.next_page("no-such-token", ANA, ANA, "en") == Expired("en")
    page: Page | NoMore = first
    while isinstance(page, Page):
        result = asker.next_page(page.token, ANA, ANA, "es")
        assert isinstance(result, Page | NoMore)
        page = result
    assert page == NoMore("es")
    asker.prune(datetime.now(UTC) + timedelta(seconds=1))
    assert asker.next_page(first.token, ANA, ANA, "es") == Expired("es")


def test_nothing_relevant_is_not_found_with_the_archive_size(asker: AskService) -> None:
    result = asker.first_page("¿Cuál es la receta de la paella valenciana?", ANA, ANA, "es")
    assert result == NotFound("es", 1)
    counts = asker.questions.counts(datetime.now(UTC) - timedelta(minutes=1), 5)
    assert counts.unanswered == 1


def test_inline_quotes_are_not_stored_and_votes_are(asker: AskService) -> None:
    inline = asker.inline(SHOIGU_QUESTION, "es")
    assert isinstance(inline, Page) and inline.token == "" and len(inline.passages) == 2
    assert asker.questions.counts(datetime.now(UTC) - timedelta(minutes=1), 5).asked == 0
    page = asker.first_page(SHOIGU_QUESTION, ANA, ANA, "es")
    assert isinstance(page, Page)
    assert asker.vote(page.token, ANA, ANA, 1) is VoteOutcome.STORED
    assert asker.vote(page.token, 9, 9, -1) is VoteOutcome.NOT_YOURS
    assert [v.vote for v in asker.answers.votes()] == [1]
