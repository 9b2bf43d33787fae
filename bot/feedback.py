"""What the bot showed, and what people thought of it, kept in the archive's SQLite file.

Each answer page the bot sends is a row: its buttons carry only that row's id ("more:42",
"fb:42:+"), because Telegram allows 64 bytes of callback data and the question alone can be
1,000 characters. A vote copies the question and the passages shown into its own row, so the
feedback stays readable after old pages are pruned or the articles are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from corpus.store import ArticleStore
from retrieval.models import Passage

_TABLES = (
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
)


@dataclass(frozen=True)
class AnswerPage:
    """One page of quotes as shown: `first_index` quotes of the same question came before it."""

    id: int
    chat_id: int
    user_id: int
    question: str
    language: str
    first_index: int
    passages: tuple[dict[str, object], ...]


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
        store.ensure_tables(_TABLES)

    def record_page(
        self,
        *,
        chat_id: int,
        user_id: int,
        question: str,
        language: str,
        first_index: int,
        passages: Sequence[Passage],
    ) -> int:
        """Store a page about to be sent; its id goes into the buttons."""
        shown = json.dumps([p.to_json() for p in passages], ensure_ascii=False)
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO bot_answer_pages(chat_id, user_id, question, language, first_index,"
                " passages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, user_id, question, language, first_index, shown, _now()),
            )
            return int(cursor.lastrowid or 0)

    def page(self, page_id: int) -> AnswerPage | None:
        rows = self.store.query(
            "SELECT id, chat_id, user_id, question, language, first_index, passages"
            " FROM bot_answer_pages WHERE id = ?",
            (page_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return AnswerPage(row[0], row[1], row[2], row[3], row[4], row[5], _passages(row[6]))

    def record_vote(self, page_id: int, user_id: int, vote: int) -> bool:
        """Store (or change) a person's vote on a page; False if the page is unknown."""
        if vote not in (-1, 1):
            raise ValueError(f"a vote is +1 or -1, not {vote}")
        with self.store.transaction() as db:
            found = db.execute(
                "SELECT question, passages FROM bot_answer_pages WHERE id = ?", (page_id,)
            ).fetchone()
            if found is None:
                return False
            db.execute(
                "INSERT INTO bot_feedback(page_id, user_id, vote, question, passages, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(page_id, user_id) DO UPDATE SET"
                " vote = excluded.vote, created_at = excluded.created_at",
                (page_id, user_id, vote, found[0], found[1], _now()),
            )
        return True

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
