"""The digest service without Telegram: subscribing from /subscribe's words, a chat's cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.config import DigestSettings
from bot.digest.service import BadSchedule, DigestService
from bot.digest.state import DIGEST_SCHEMA, Subscription, Subscriptions
from corpus.schema import apply_schemas
from corpus.store import ArticleStore
from tests.support import open_archive

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def digests(data_dir: Path) -> Iterator[DigestService]:
    archive = open_archive(data_dir)
    apply_schemas(archive.store, [DIGEST_SCHEMA])
    try:
        yield DigestService(
            archive.store, Subscriptions(archive.store), DigestSettings(), lambda: NOW
        )
    finally:
        archive.close()


def test_subscribe_uses_the_defaults_and_the_given_time_and_zone(digests: DigestService) -> None:
    default = digests.subscribe(5, [], "es")
    assert isinstance(default, Subscription)
    assert (default.slot.at, default.slot.timezone) == (time(8, 0), "Europe/Madrid")
    moved = digests.subscribe(5, ["america/bogota", "21:15"], "en")
    assert isinstance(moved, Subscription)
    assert (moved.slot.at, moved.slot.timezone, moved.language) == (
        time(21, 15),
        "America/Bogota",
        "en",
    )
    assert moved.created_at == default.created_at == NOW


@pytest.mark.parametrize(
    ("args", "code", "value"),
    [(["25:00"], "bad_time", "25:00"), (["Mars/Olympus"], "bad_timezone", "Mars/Olympus")],
)
def test_unusable_arguments_are_named_not_stored(
    digests: DigestService, args: list[str], code: str, value: str
) -> None:
    assert digests.subscribe(5, args, "es") == BadSchedule(code, value)
    assert digests.subscriptions.get(5) is None


def test_content_is_what_is_new_since_the_cursor(digests: DigestService) -> None:
    store: ArticleStore = digests.store
    [newest] = store.list_articles(limit=1)
    later = DigestService(
        store, digests.subscriptions, digests.settings, lambda: newest.added_at + timedelta(hours=1)
    )
    first = later.content(7)
    assert [item.article.id for item in first.items] == [newest.id]
    later.advance(7, first)
    again = later.content(7)
    assert again.empty and again.covered_until is None
    later.advance(7, again)  # nothing new: the cursor stays
    assert digests.subscriptions.covered_until(7) == newest.added_at
