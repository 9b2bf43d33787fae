"""An archive file made before the bot was reorganised (issue #11) opens and works unchanged.

tests/fixtures/archive-1a080fe.sqlite3 was written by the code of commit 1a080fe (see
tests/fixtures/README.md): the bot's tables there were created by that code's constructors, with
only `bot.answers` versioned. Opening it with today's services must migrate every owner to its
current version and keep every row: articles, answer pages and votes, questions, subscriptions,
the delivery ledger and the digest cursors.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

import pytest

from bot.app import open_services
from bot.ask.service import Page
from bot.ask.state import ASK_SCHEMA
from bot.config import Settings
from bot.digest.state import DIGEST_SCHEMA, DeliveryStatus
from retrieval.settings import EmbeddingSettings
from tests.conftest import settings_for

FIXTURE = Path(__file__).parent / "fixtures" / "archive-1a080fe.sqlite3"
PAGE_TOKEN = "Uvib5oVqHxzRp_PJy6akQw"  # the answer page stored in the fixture, for chat 111
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def old_archive(tmp_path: Path) -> Settings:
    """Settings on a copy of the fixture (never the file itself), with its hash embedder."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(FIXTURE, data_dir / "archive.sqlite3")
    settings = settings_for(data_dir)
    archive = replace(settings.archive, embedding=EmbeddingSettings(backend="hash"))
    # The fixture's pages and questions are dated the day it was made: kept for ever here, so
    # that start-up pruning never makes this test depend on the calendar.
    bot = replace(settings.bot, answers_kept_days=100 * 365)
    return replace(settings, archive=archive, bot=bot)


def test_the_fixture_is_small() -> None:
    assert FIXTURE.stat().st_size < 2 * 1024 * 1024


def test_an_archive_made_before_the_redesign_opens_with_everything_in_it(
    old_archive: Settings,
) -> None:
    services = open_services(old_archive)
    try:
        store = services.archive.store
        assert store.count_articles() == 3
        assert store.schema_version("bot.answers") == ASK_SCHEMA.version == 3
        assert store.schema_version("bot.digest") == DIGEST_SCHEMA.version == 1
        page = services.answers.page(PAGE_TOKEN)
        assert page is not None and page.entitles(111, 111) and page.language == "es"
        [vote] = services.answers.votes()
        assert (vote.page_id, vote.user_id, vote.vote) == (page.id, 111, 1)
    finally:
        services.close()


def test_the_digest_tables_of_an_old_archive_are_kept(old_archive: Settings) -> None:
    services = open_services(old_archive)
    try:
        subscriptions = services.digests.subscriptions
        [bogota, madrid] = subscriptions.all()
        assert (madrid.chat_id, madrid.slot.at, madrid.slot.timezone) == (
            111,
            clock(7, 30),
            "Europe/Madrid",
        )
        assert (bogota.chat_id, bogota.language) == (-100555, "en")
        assert subscriptions.status(111, date(2024, 5, 17)) is DeliveryStatus.SENT
        assert subscriptions.covered_until(111) is not None
    finally:
        services.close()


def test_questions_logged_in_an_old_archive_are_counted(old_archive: Settings) -> None:
    services = open_services(old_archive)
    try:
        counts = services.asker.questions.counts(LONG_AGO, 5)
        assert (counts.asked, counts.unanswered) == (2, 1)
        assert counts.recent_unanswered == ("¿Quién ganó la liga de 2031?",)
    finally:
        services.close()


def test_an_old_archive_answers_new_questions_and_its_admin_stats_count_everything(
    old_archive: Settings,
) -> None:
    services = open_services(old_archive)
    try:
        result = services.asker.first_page(
            "¿Cuántos litros se esperan en Castellón?", 111, 111, "es"
        )
        assert isinstance(result, Page) and result.token
        assert "Castellón" in result.passages[0].quote
        stats = services.curator.stats(datetime.now(UTC))
        assert (stats.articles, stats.sources, stats.subscribers) == (3, 2, 2)
        assert services.asker.questions.counts(LONG_AGO, 5).asked == 3
    finally:
        services.close()


def test_opening_twice_changes_nothing(old_archive: Settings) -> None:
    open_services(old_archive).close()
    services = open_services(old_archive)
    try:
        assert len(services.answers.votes()) == 1
        assert len(services.digests.subscriptions.all()) == 2
    finally:
        services.close()
