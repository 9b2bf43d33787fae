"""The ask feature's tables without Telegram: answer pages, votes, the question log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ask.state import ASK_SCHEMA, AnswerLog, QuestionLog, VoteOutcome
from corpus.schema import apply_schemas
from corpus.store import ArticleStore
from retrieval.models import Passage


def open_store(path: Path) -> ArticleStore:
    """An archive file with the ask feature's tables, as bot/app.py opens it."""
    store = ArticleStore(path)
    apply_schemas(store, [ASK_SCHEMA])
    return store


def _passage(quote: str) -> Passage:
    return Passage(quote, 1, 0, len(quote), "Título", "Medio", "", None, 0.9)


def _record(log: AnswerLog, chat_id: int, user_id: int) -> str:
    return log.record_page(
        chat_id=chat_id,
        user_id=user_id,
        question="¿Qué pasó?",
        language="es",
        first_index=0,
        passages=[_passage("Una cita.")],
    )


def test_answer_log_keeps_pages_and_one_vote_per_person(tmp_path):
    store = open_store(tmp_path / "a.sqlite3")
    try:
        log = AnswerLog(store)
        group = -100
        token = _record(log, group, 6)
        page = log.page(token)
        assert page is not None and page.question == "¿Qué pasó?"
        assert page.passages[0]["quote"] == "Una cita."
        assert log.record_vote(token, chat_id=group, user_id=6, vote=1) is VoteOutcome.STORED
        # Changing one's mind replaces the vote; another member of the group votes too.
        assert log.record_vote(token, chat_id=group, user_id=6, vote=-1) is VoteOutcome.STORED
        assert log.record_vote(token, chat_id=group, user_id=7, vote=1) is VoteOutcome.STORED
        assert [(v.user_id, v.vote) for v in log.votes()] == [(6, -1), (7, 1)]
        assert log.votes()[0].question == "¿Qué pasó?"
        assert log.votes()[0].passages[0]["quote"] == "Una cita."
        unknown = log.record_vote(token + "x", chat_id=group, user_id=6, vote=1)
        assert unknown is VoteOutcome.EXPIRED
        with pytest.raises(ValueError):
            log.record_vote(token, chat_id=group, user_id=6, vote=0)
        assert log.prune_pages(datetime.now(UTC) + timedelta(seconds=1)) == 1
        assert log.page(token) is None
        assert len(log.votes()) == 2  # votes outlive the pages they were about
        apply_schemas(store, [ASK_SCHEMA])  # opening again keeps what is there
        assert len(log.votes()) == 2
    finally:
        store.close()


def test_page_tokens_are_unguessable_and_pages_serve_only_their_chat(tmp_path):
    store = open_store(tmp_path / "a.sqlite3")
    try:
        log = AnswerLog(store)
        tokens = [_record(log, 5, 5) for _ in range(50)]
        assert len(set(tokens)) == 50
        assert all(len(t) >= 20 and not t.isdigit() for t in tokens)
        assert log.page("1") is None  # the row id is not a reference
        page = log.page(tokens[0])
        assert page is not None
        assert page.entitles(5, 5)
        assert not page.entitles(9, 9)  # another private chat
        assert not page.entitles(5, 9)  # someone else claiming to be in the private chat
        outcome = log.record_vote(tokens[0], chat_id=9, user_id=9, vote=-1)
        assert outcome is VoteOutcome.NOT_YOURS
        assert log.votes() == []
        in_group = log.page(_record(log, -100, 5))
        assert in_group is not None
        assert in_group.entitles(-100, 9)  # any member of the group
        assert not in_group.entitles(-200, 5)  # not from another group, even by the asker
    finally:
        store.close()


def test_answer_pages_made_before_tokens_are_upgraded_and_expire(tmp_path):
    """An archive whose answer pages were written by the sequential-id version."""
    path = tmp_path / "a.sqlite3"
    ArticleStore(path).close()
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE bot_answer_pages (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER"
        " NOT NULL, user_id INTEGER NOT NULL, question TEXT NOT NULL, language TEXT NOT NULL,"
        " first_index INTEGER NOT NULL, passages TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO bot_answer_pages(chat_id, user_id, question, language, first_index,"
        " passages, created_at) VALUES (5, 5, '¿Qué?', 'es', 0, '[]', '2026-11-01')"
    )
    db.commit()
    db.close()
    store = open_store(path)
    try:
        log = AnswerLog(store)
        assert store.schema_version(ASK_SCHEMA.owner) == ASK_SCHEMA.version
        assert log.page("1") is None  # an old numeric button finds nothing
        assert log.page(_record(log, 5, 5)) is not None
        apply_schemas(store, [ASK_SCHEMA])  # a second open changes nothing
        assert store.schema_version(ASK_SCHEMA.owner) == ASK_SCHEMA.version
    finally:
        store.close()


def test_question_counts_cover_the_window_and_list_each_unanswered_question_once(tmp_path):
    store = open_store(tmp_path / "a.sqlite3")
    try:
        log = QuestionLog(store)
        assert log.counts(datetime.now(UTC), 5).asked == 0
        now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
        asked = [
            ("¿Qué pasó ayer?", False, now - timedelta(days=2)),  # outside the window
            ("¿Quién ganó?", False, now - timedelta(hours=3)),
            ("¿Qué dijo Ucrania?", True, now - timedelta(hours=2)),
            ("¿Cuándo abre el museo?", False, now - timedelta(hours=1)),
            ("¿Quién ganó?", False, now - timedelta(minutes=5)),
        ]
        for question, answered, when in asked:
            log.record(chat_id=1, question=question, answered=answered, when=when)
        counts = log.counts(now - timedelta(hours=24), 5)
        assert (counts.asked, counts.unanswered) == (4, 3)
        assert counts.recent_unanswered == ("¿Quién ganó?", "¿Cuándo abre el museo?")
        only_one = log.counts(now - timedelta(hours=24), 1)
        assert only_one.recent_unanswered == ("¿Quién ganó?",)
        assert log.prune(now - timedelta(hours=24)) == 1
        everything = log.counts(now - timedelta(days=30), 5)
        assert everything.asked == 4
    finally:
        store.close()
