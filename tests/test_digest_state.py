"""The subscription table and the digest ledger on the archive's SQLite file."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.digest.schedule import DigestTime
from bot.digest.state import DIGEST_SCHEMA, DeliveryStatus, Subscriptions
from corpus.schema import apply_schemas
from corpus.store import ArticleStore

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
DAY = date(2025, 6, 10)
SEVEN_THIRTY = DigestTime(time(7, 30), "Europe/Madrid")


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    store = ArticleStore(tmp_path / "archive.sqlite3")
    apply_schemas(store, [DIGEST_SCHEMA])
    return store


@pytest.fixture
def subs(store: ArticleStore) -> Subscriptions:
    return Subscriptions(store)


def test_subscribe_then_update_keeps_created_at(subs: Subscriptions) -> None:
    first = subs.subscribe(5, SEVEN_THIRTY, "es", NOW)
    later = NOW + timedelta(days=1)
    second = subs.subscribe(5, DigestTime(time(21, 0), "America/Bogota"), "en", later)
    assert first.slot == SEVEN_THIRTY and first.language == "es"
    assert second.slot == DigestTime(time(21, 0), "America/Bogota") and second.language == "en"
    assert second.created_at == NOW and second.updated_at == later
    assert [s.chat_id for s in subs.all()] == [5]


def test_unsubscribe(subs: Subscriptions) -> None:
    subs.subscribe(5, SEVEN_THIRTY, "es", NOW)
    assert subs.unsubscribe(5) is True
    assert subs.unsubscribe(5) is False
    assert subs.get(5) is None and subs.all() == []


def test_subscriptions_survive_reopening(store: ArticleStore, tmp_path: Path) -> None:
    Subscriptions(store).subscribe(-100, SEVEN_THIRTY, "en", NOW)
    store.close()
    reopened = Subscriptions(ArticleStore(tmp_path / "archive.sqlite3"))
    assert reopened.get(-100) is not None
    assert reopened.get(-100).slot == SEVEN_THIRTY  # type: ignore[union-attr]


def test_a_date_can_be_claimed_once_only(subs: Subscriptions) -> None:
    claim = subs.claim(5, DAY, NOW)
    assert claim is not None
    assert subs.claim(5, DAY, NOW) is None
    assert subs.was_sent(5, DAY) and not subs.was_sent(5, DAY + timedelta(days=1))
    assert subs.claim(6, DAY, NOW) is not None  # another chat, same date


def test_concurrent_claims_have_one_winner(subs: Subscriptions) -> None:
    winners = []
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        if subs.claim(5, DAY, NOW) is not None:
            winners.append(1)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert winners == [1]


def test_ledger_records_attempts_before_parts(subs: Subscriptions) -> None:
    claim = subs.claim(5, DAY, NOW)
    assert claim is not None
    subs.record_attempt(claim, parts_total=2)
    assert subs.delivery_row(5, DAY) == {
        "status": "sending",
        "parts_total": 2,
        "parts_sent": 0,
        "attempts": 1,
        "in_flight": 1,
        "error": "",
    }
    subs.record_part_sent(claim)
    subs.record_attempt(claim, parts_total=2)
    subs.record_part_sent(claim)
    subs.finish(claim, DeliveryStatus.SENT, NOW)
    row = subs.delivery_row(5, DAY)
    assert row is not None
    assert (row["status"], row["parts_sent"], row["attempts"], row["in_flight"]) == (
        "sent",
        2,
        2,
        0,
    )
    assert subs.status(5, DAY) is DeliveryStatus.SENT


def test_recovery_releases_unsent_claims_and_keeps_possibly_delivered_ones(
    subs: Subscriptions,
) -> None:
    never_tried = subs.claim(1, DAY, NOW)
    in_flight = subs.claim(2, DAY, NOW)
    half_sent = subs.claim(3, DAY, NOW)
    done = subs.claim(4, DAY, NOW)
    assert never_tried and in_flight and half_sent and done
    subs.record_attempt(in_flight, 1)
    subs.record_attempt(half_sent, 2)
    subs.record_part_sent(half_sent)
    subs.finish(done, DeliveryStatus.SENT, NOW)

    assert subs.recover_interrupted(NOW) == (1, 2)
    assert subs.status(1, DAY) is None  # free again: the catch-up will send it
    assert subs.status(2, DAY) is DeliveryStatus.UNCERTAIN
    assert subs.status(3, DAY) is DeliveryStatus.UNCERTAIN
    assert subs.status(4, DAY) is DeliveryStatus.SENT


def test_migration_moves_subscription_ledger_and_cursor(subs: Subscriptions) -> None:
    subs.subscribe(-1, SEVEN_THIRTY, "es", NOW)
    claim = subs.claim(-1, DAY, NOW)
    assert claim is not None
    subs.advance(-1, NOW)
    assert subs.migrate(-1, -1001) is True
    assert subs.get(-1) is None
    moved = subs.get(-1001)
    assert moved is not None and moved.slot == SEVEN_THIRTY
    assert subs.was_sent(-1001, DAY) and not subs.was_sent(-1, DAY)
    assert subs.covered_until(-1001) == NOW and subs.covered_until(-1) is None
    assert subs.migrate(-1, -1001) is False


def test_cursor_never_moves_backwards(subs: Subscriptions) -> None:
    assert subs.covered_until(5) is None
    subs.advance(5, NOW)
    subs.advance(5, NOW - timedelta(hours=1))
    assert subs.covered_until(5) == NOW
    later = NOW + timedelta(microseconds=1)
    subs.advance(5, later)
    assert subs.covered_until(5) == later
