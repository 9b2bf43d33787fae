"""What the bot showed, and what people thought of it, kept in the archive's SQLite file.

Each answer page the bot sends is a row: its buttons carry only that row's random token
("more:Zx3…", "fb:Zx3…:+"), because Telegram allows 64 bytes of callback data and the question
alone can be 1,000 characters. The token is random, not the row id, because callback data is
chosen by the client: anyone can send any data, so a guessable reference would let one chat
page through another's answers. Even with the token, a page is only served to the chat it was
sent to (`AnswerPage.entitles`). A vote copies the question and the passages shown into its own
row, so the feedback stays readable after old pages are pruned or the articles are deleted.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from corpus.store import ArticleStore
from retrieval.models import Passage

SCHEMA_OWNER = "bot.answers"
# 22 URL-safe characters (128 bits): unguessable, and "fb:<token>:+" stays far below 64 bytes.
TOKEN_BYTES = 16

_MIGRATIONS = (
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
        store.migrate(SCHEMA_OWNER, _MIGRATIONS)

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


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _passages(raw: str) -> tuple[dict[str, object], ...]:
    return tuple(json.loads(raw))
