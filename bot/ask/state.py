"""The ask feature's tables: what the bot showed, what people thought of it, what they asked.

Each answer page the bot sends is a row: its buttons carry only that row's random token
("more:Zx3…", "fb:Zx3…:+"), because Telegram allows 64 bytes of callback data and the question
alone can be 1,000 characters. The token is random, not the row id, because callback data is
chosen by the client: anyone can send any data, so a guessable reference would let one chat
page through another's answers. Even with the token, a page is only served to the chat it was
sent to (`AnswerPage.entitles`). A vote copies the question and the passages shown into its own
row, so the feedback stays readable after old pages are pruned or the articles are deleted.

Questions are logged for the admins' /stats: those that found nothing say which news the
archive is missing. Only questions that reached a search are logged (not empty, too long or
rate-limited ones, nor inline-mode keystrokes); rows older than [bot] answers_kept_days are
pruned with the answer pages, at start-up and every few hours (bot/app.py).

The tables are declared in ASK_SCHEMA and created by bot/app.py when it opens the archive.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from corpus.schema import Schema
from corpus.store import ArticleStore
from retrieval.models import Passage

__all__ = [
    "ASK_SCHEMA",
    "AnswerLog",
    "AnswerPage",
    "QuestionCounts",
    "QuestionLog",
    "Vote",
    "VoteOutcome",
]
# 22 URL-safe characters (128 bits): unguessable, and "fb:<token>:+" stays far below 64 bytes.
TOKEN_BYTES = 16

ASK_SCHEMA = Schema(
    # The name archives have recorded since version 2; the questions joined at version 3.
    "bot.answers",
    (
        (
            """CREATE TABLE IF NOT EXISTS bot_answer_pages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            language TEXT NOT NULL,
            first_index INTEGER NOT NULL,
            passages TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
            "CREATE INDEX IF NOT EXISTS bot_answer_pages_created ON bot_answer_pages(created_at)",
            """CREATE TABLE IF NOT EXISTS bot_feedback (
            page_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            question TEXT NOT NULL,
            passages TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (page_id, user_id)
        )""",
        ),
        # Version 2: buttons name a page by a random token. Pages stored before have none, so their
        # old numeric buttons find nothing and say the answer expired.
        (
            "ALTER TABLE bot_answer_pages ADD COLUMN token TEXT",
            "CREATE UNIQUE INDEX bot_answer_pages_token ON bot_answer_pages(token)"
            " WHERE token IS NOT NULL",
        ),
        # Version 3: the question log, created without a version before (hence IF NOT EXISTS).
        (
            """CREATE TABLE IF NOT EXISTS bot_questions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
            asked_at TEXT NOT NULL
        )""",
            "CREATE INDEX IF NOT EXISTS bot_questions_asked ON bot_questions(asked_at)",
        ),
    ),
)


class VoteOutcome(StrEnum):
    STORED = "stored"
    EXPIRED = "expired"  # no such page (pruned, or never existed)
    NOT_YOURS = "not_yours"  # the page belongs to another chat or person


@dataclass(frozen=True)
class AnswerPage:
    """One page of quotes as shown: `first_index` quotes of the same question came before it."""

    id: int
    token: str
    chat_id: int
    user_id: int
    question: str
    language: str
    first_index: int
    passages: tuple[dict[str, object], ...]

    def entitles(self, chat_id: int, user_id: int) -> bool:
        """Whether a button press from `user_id` in `chat_id` may use this page.

        In a group everyone sees the answer, so any member may page on or vote; a private
        chat's id is its person's id (positive), and only that person may.
        """
        return chat_id == self.chat_id and (chat_id < 0 or user_id == self.user_id)


@dataclass(frozen=True)
class Vote:
    page_id: int
    user_id: int
    vote: int
    question: str
    passages: tuple[dict[str, object], ...]


class AnswerLog:
    """Answer pages (for "more results") and 👍/👎 votes, on the archive's own database."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store

    def record_page(
        self,
        *,
        chat_id: int,
        user_id: int,
        question: str,
        language: str,
        first_index: int,
        passages: Sequence[Passage],
    ) -> str:
        """Store a page about to be sent; its token goes into the buttons."""
        shown = json.dumps([p.to_json() for p in passages], ensure_ascii=False)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO bot_answer_pages(token, chat_id, user_id, question, language,"
                " first_index, passages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (token, chat_id, user_id, question, language, first_index, shown, _now()),
            )
        return token

    def page(self, token: str) -> AnswerPage | None:
        rows = self.store.query(
            "SELECT id, token, chat_id, user_id, question, language, first_index, passages"
            " FROM bot_answer_pages WHERE token = ?",
            (token,),
        )
        if not rows:
            return None
        page_id, token, chat_id, user_id, question, language, first_index, shown = rows[0]
        return AnswerPage(
            page_id, token, chat_id, user_id, question, language, first_index, _passages(shown)
        )

    def record_vote(self, token: str, *, chat_id: int, user_id: int, vote: int) -> VoteOutcome:
        """Store (or change) a person's vote on a page they are entitled to."""
        if vote not in (-1, 1):
            raise ValueError(f"a vote is +1 or -1, not {vote}")
        page = self.page(token)
        if page is None:
            return VoteOutcome.EXPIRED
        if not page.entitles(chat_id, user_id):
            return VoteOutcome.NOT_YOURS
        question, shown = page.question, json.dumps(list(page.passages), ensure_ascii=False)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO bot_feedback(page_id, user_id, vote, question, passages, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(page_id, user_id) DO UPDATE SET"
                " vote = excluded.vote, created_at = excluded.created_at",
                (page.id, user_id, vote, question, shown, _now()),
            )
        return VoteOutcome.STORED

    def votes(self) -> list[Vote]:
        rows = self.store.query(
            "SELECT page_id, user_id, vote, question, passages FROM bot_feedback"
            " ORDER BY created_at, page_id"
        )
        return [Vote(r[0], r[1], r[2], r[3], _passages(r[4])) for r in rows]

    def prune_pages(self, before: datetime) -> int:
        """Forget pages older than `before` (their "more" buttons then say the answer expired)."""
        with self.store.transaction() as db:
            return int(
                db.execute(
                    "DELETE FROM bot_answer_pages WHERE created_at < ?",
                    (before.astimezone(UTC).isoformat(),),
                ).rowcount
            )


@dataclass(frozen=True)
class QuestionCounts:
    asked: int
    unanswered: int
    recent_unanswered: tuple[str, ...]  # newest first, each question once


class QuestionLog:
    """Questions that reached a search, and whether the archive had an answer."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store

    def record(self, *, chat_id: int, question: str, answered: bool, when: datetime) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO bot_questions(chat_id, question, answered, asked_at)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, question, int(answered), _stamp(when)),
            )

    def prune(self, before: datetime) -> int:
        with self.store.transaction() as db:
            cursor = db.execute("DELETE FROM bot_questions WHERE asked_at < ?", (_stamp(before),))
            return int(cursor.rowcount)

    def counts(self, since: datetime, shown: int) -> QuestionCounts:
        """Questions since `since`, and the latest `shown` that found nothing (each once)."""
        stamp = _stamp(since)
        asked, unanswered = self.store.query(
            "SELECT COUNT(*), COALESCE(SUM(1 - answered), 0) FROM bot_questions"
            " WHERE asked_at >= ?",
            (stamp,),
        )[0]
        recent = self.store.query(
            "SELECT question FROM bot_questions WHERE answered = 0 AND asked_at >= ?"
            " GROUP BY question ORDER BY MAX(id) DESC LIMIT ?",
            (stamp, shown),
        )
        return QuestionCounts(int(asked), int(unanswered), tuple(row[0] for row in recent))


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _passages(raw: str) -> tuple[dict[str, object], ...]:
    return tuple(json.loads(raw))
