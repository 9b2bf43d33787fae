"""The digest feature's tables: subscriptions, the ledger of digests sent, what each chat saw.

The ledger is what makes delivery trustworthy: a digest for (chat, local date) is *claimed* in a
transaction before its first message goes out, and every message is counted as it is confirmed.
A restart, a catch-up and a retry all consult it first, so none can send a digest twice; a
timeout after which Telegram may have delivered is recorded as `uncertain`, never retried.

The tables are declared in DIGEST_SCHEMA and created by bot/app.py when it opens the archive.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from bot.digest.schedule import DigestTime
from corpus.schema import Schema
from corpus.store import ArticleStore

__all__ = ["DIGEST_SCHEMA", "Claim", "DeliveryStatus", "Subscription", "Subscriptions"]

_TABLES = """
CREATE TABLE IF NOT EXISTS digest_subscriptions (
    chat_id INTEGER PRIMARY KEY,
    send_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_deliveries (
    chat_id INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    status TEXT NOT NULL,
    parts_total INTEGER NOT NULL DEFAULT 0,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    in_flight INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (chat_id, local_date)
);
CREATE TABLE IF NOT EXISTS digest_cursors (
    chat_id INTEGER PRIMARY KEY,
    covered_until TEXT NOT NULL
);
"""
# Version 1 is what the digest feature created, unversioned, before schemas were recorded.
DIGEST_SCHEMA = Schema("bot.digest", (tuple(s for s in _TABLES.split(";") if s.strip()),))


class DeliveryStatus(StrEnum):
    SENDING = "sending"  # claimed; messages may be going out right now (or the bot died)
    SENT = "sent"
    EMPTY = "empty"  # nothing new and the config says to stay silent
    UNCERTAIN = "uncertain"  # a timeout after which Telegram may have delivered: never re-sent
    FAILED = "failed"  # Telegram refused (e.g. 403): nothing more to do for that date


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    slot: DigestTime
    language: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Claim:
    """The right to send one chat's digest for one local date; only one caller ever gets it."""

    chat_id: int
    local_date: date


class Subscriptions:
    """Reads are plain queries; every write is one transaction on the archive's connection."""

    def __init__(self, store: ArticleStore) -> None:
        self._store = store

    # --- subscriptions ------------------------------------------------------------------------

    def subscribe(
        self, chat_id: int, slot: DigestTime, language: str, now: datetime
    ) -> Subscription:
        """Create or update (time, timezone, language); `created_at` survives an update."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO digest_subscriptions(chat_id, send_time, timezone, language,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET send_time = excluded.send_time,"
                " timezone = excluded.timezone, language = excluded.language,"
                " updated_at = excluded.updated_at",
                (chat_id, slot.hhmm, slot.timezone, language, now.isoformat(), now.isoformat()),
            )
        found = self.get(chat_id)
        assert found is not None
        return found

    def unsubscribe(self, chat_id: int) -> bool:
        """False when the chat had no subscription."""
        with self._store.transaction() as db:
            return (
                db.execute(
                    "DELETE FROM digest_subscriptions WHERE chat_id = ?", (chat_id,)
                ).rowcount
                > 0
            )

    def get(self, chat_id: int) -> Subscription | None:
        rows = self._store.query(f"{_SELECT} WHERE chat_id = ?", (chat_id,))
        return _subscription(rows[0]) if rows else None

    def all(self) -> list[Subscription]:
        return [_subscription(row) for row in self._store.query(f"{_SELECT} ORDER BY chat_id")]

    def count(self) -> int:
        """How many chats are subscribed (the admins' /stats)."""
        return int(self._store.query("SELECT COUNT(*) FROM digest_subscriptions")[0][0])

    def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: move its subscription, ledger and cursor to the new id."""
        with self._store.transaction() as db:
            moved = db.execute(
                "UPDATE OR REPLACE digest_subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            ).rowcount
            db.execute(
                "UPDATE OR REPLACE digest_deliveries SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            db.execute(
                "UPDATE OR REPLACE digest_cursors SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        return moved > 0

    # --- the ledger ---------------------------------------------------------------------------

    def claim(self, chat_id: int, local_date: date, now: datetime) -> Claim | None:
        """Reserve (chat, date) before sending; None if it was already claimed by anyone."""
        try:
            with self._store.transaction() as db:
                db.execute(
                    "INSERT INTO digest_deliveries(chat_id, local_date, status, claimed_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, local_date.isoformat(), DeliveryStatus.SENDING, now.isoformat()),
                )
        except sqlite3.IntegrityError:
            return None
        return Claim(chat_id, local_date)

    def record_attempt(self, claim: Claim, parts_total: int) -> None:
        """Written before every send attempt, so a crash mid-send leaves evidence, not a gap."""
        self._update(
            claim, "attempts = attempts + 1, in_flight = 1, parts_total = ?", (parts_total,)
        )

    def record_part_sent(self, claim: Claim) -> None:
        self._update(claim, "parts_sent = parts_sent + 1, in_flight = 0", ())

    def record_not_delivered(self, claim: Claim) -> None:
        """Telegram said the message was not taken (429, no connection): safe to try again."""
        self._update(claim, "in_flight = 0", ())

    def recover_interrupted(self, now: datetime) -> tuple[int, int]:
        """After a crash: release claims that never sent anything, mark the rest uncertain.

        Returns (released, marked uncertain). A released claim is sent by the start-up catch-up;
        one with a message possibly delivered is not, because a duplicate is worse than a gap.
        """
        with self._store.transaction() as db:
            released = db.execute(
                "DELETE FROM digest_deliveries WHERE status = ? AND parts_sent = 0"
                " AND in_flight = 0",
                (DeliveryStatus.SENDING,),
            ).rowcount
            uncertain = db.execute(
                "UPDATE digest_deliveries SET status = ?, finished_at = ?,"
                " error = 'interrupted while sending' WHERE status = ?",
                (DeliveryStatus.UNCERTAIN, now.isoformat(), DeliveryStatus.SENDING),
            ).rowcount
        return released, uncertain

    def finish(self, claim: Claim, status: DeliveryStatus, now: datetime, error: str = "") -> None:
        self._update(
            claim, "status = ?, finished_at = ?, error = ?", (status, now.isoformat(), error)
        )

    def status(self, chat_id: int, local_date: date) -> DeliveryStatus | None:
        rows = self._store.query(
            "SELECT status FROM digest_deliveries WHERE chat_id = ? AND local_date = ?",
            (chat_id, local_date.isoformat()),
        )
        return DeliveryStatus(rows[0][0]) if rows else None

    def was_sent(self, chat_id: int, local_date: date) -> bool:
        """Claimed in any way: sent, empty, uncertain, failed or still sending all count."""
        return self.status(chat_id, local_date) is not None

    def delivery_row(self, chat_id: int, local_date: date) -> dict[str, object] | None:
        """The ledger row, for logs and tests."""
        rows = self._store.query(
            "SELECT status, parts_total, parts_sent, attempts, in_flight, error"
            " FROM digest_deliveries"
            " WHERE chat_id = ? AND local_date = ?",
            (chat_id, local_date.isoformat()),
        )
        if not rows:
            return None
        keys = ("status", "parts_total", "parts_sent", "attempts", "in_flight", "error")
        return dict(zip(keys, rows[0], strict=True))

    # --- what a chat has already seen ---------------------------------------------------------

    def covered_until(self, chat_id: int) -> datetime | None:
        """`added_at` of the newest article this chat's last digest included."""
        rows = self._store.query(
            "SELECT covered_until FROM digest_cursors WHERE chat_id = ?", (chat_id,)
        )
        return datetime.fromisoformat(rows[0][0]) if rows else None

    def advance(self, chat_id: int, covered_until: datetime) -> None:
        """Never moves backwards, so an older on-demand digest cannot re-open seen articles."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO digest_cursors(chat_id, covered_until) VALUES (?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET covered_until ="
                " MAX(covered_until, excluded.covered_until)",
                (chat_id, covered_until.astimezone(UTC).isoformat()),
            )

    def _update(self, claim: Claim, assignments: str, params: tuple[object, ...]) -> None:
        with self._store.transaction() as db:
            db.execute(
                f"UPDATE digest_deliveries SET {assignments} WHERE chat_id = ? AND local_date = ?",
                (*params, claim.chat_id, claim.local_date.isoformat()),
            )


_SELECT = (
    "SELECT chat_id, send_time, timezone, language, created_at, updated_at"
    " FROM digest_subscriptions"
)


def _subscription(row: tuple) -> Subscription:
    return Subscription(
        chat_id=int(row[0]),
        slot=DigestTime(time.fromisoformat(row[1]), row[2]),
        language=row[3],
        created_at=datetime.fromisoformat(row[4]),
        updated_at=datetime.fromisoformat(row[5]),
    )
