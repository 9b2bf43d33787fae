"""Which questions people asked and whether the archive had an answer, for the admins' /stats.

Questions that found nothing are the most useful thing an admin can read: they say which news
the archive is missing. Only questions that reached a search are logged (not empty, too long or
rate-limited ones, nor inline-mode keystrokes), in the archive's SQLite file; rows older than
the bot's `answers_kept_days` are pruned with the answer pages (AskService.prune), at start-up
and every few hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from corpus.store import ArticleStore

QUESTIONS_TABLE = "bot_questions"

_TABLES = (
    f"""CREATE TABLE IF NOT EXISTS {QUESTIONS_TABLE} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id INTEGER NOT NULL,
        question TEXT NOT NULL,
        answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
        asked_at TEXT NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {QUESTIONS_TABLE}_asked ON {QUESTIONS_TABLE}(asked_at)",
)


@dataclass(frozen=True)
class QuestionCounts:
    asked: int
    unanswered: int
    recent_unanswered: tuple[str, ...]  # newest first, each question once


class QuestionLog:
    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        store.ensure_tables(_TABLES)

    def record(self, *, chat_id: int, question: str, answered: bool, when: datetime) -> None:
        with self.store.transaction() as db:
            db.execute(
                f"INSERT INTO {QUESTIONS_TABLE}(chat_id, question, answered, asked_at)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, question, int(answered), _stamp(when)),
            )

    def prune(self, before: datetime) -> int:
        with self.store.transaction() as db:
            cursor = db.execute(
                f"DELETE FROM {QUESTIONS_TABLE} WHERE asked_at < ?", (_stamp(before),)
            )
            return int(cursor.rowcount)


def question_counts(store: ArticleStore, since: datetime, shown: int) -> QuestionCounts | None:
    """Questions since `since`; None when no bot has logged questions in this archive yet.

    A function over the store, not a QuestionLog method, so /stats can read the log without
    creating its table in an archive the ask flow has never used.
    """
    if not store.has_table(QUESTIONS_TABLE):
        return None
    stamp = _stamp(since)
    asked, unanswered = store.query(
        f"SELECT COUNT(*), COALESCE(SUM(1 - answered), 0) FROM {QUESTIONS_TABLE}"
        " WHERE asked_at >= ?",
        (stamp,),
    )[0]
    recent = store.query(
        f"SELECT question FROM {QUESTIONS_TABLE} WHERE answered = 0 AND asked_at >= ?"
        " GROUP BY question ORDER BY MAX(id) DESC LIMIT ?",
        (stamp, shown),
    )
    return QuestionCounts(int(asked), int(unanswered), tuple(row[0] for row in recent))


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()
