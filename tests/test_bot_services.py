"""The bot's services without Telegram: language choice, rate limit, answer log, log redaction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.feedback import SCHEMA_OWNER, AnswerLog, VoteOutcome
from bot.language import question_language, user_language
from bot.logs import REDACTED, redact_secret
from bot.questions import QuestionLog, question_counts
from bot.ratelimit import QuestionLimiter
from corpus.store import ArticleStore
from retrieval.models import Passage


@pytest.mark.parametrize(
    ("question", "code", "expected"),
    [
        ("¿Qué dijo Ucrania sobre la visita de Shoigu a Pyongyang?", "en", "es"),
        ("What did Ukraine say about Shoigu's visit to Pyongyang?", "es", "en"),
        ("Shoigu?", "en", "en"),  # too short to detect: the person's app language
        ("Shoigu?", "es-419", "es"),
        ("Shoigu?", "pt-BR", "es"),  # a language the bot does not speak: the default
        ("Shoigu?", None, "es"),
    ],
)
def test_question_language_falls_back_to_the_telegram_language_for_short_texts(
    question, code, expected
):
    assert question_language(question, code, default="es") == expected


def test_user_language_maps_regional_codes_and_unknown_ones():
    assert user_language("en-GB", "es") == "en"
    assert user_language("de", "en") == "en"
    assert user_language("", "xx") == "es"


def test_rate_limit_allows_the_limit_then_says_how_long_to_wait():
    now = [1000.0]
    limiter = QuestionLimiter(3, window=60, clock=lambda: now[0])
    assert [limiter.try_acquire("ana") for _ in range(3)] == [0, 0, 0]
    now[0] += 20
    assert limiter.try_acquire("ana") == 40
    assert limiter.try_acquire("luis") == 0  # per person
    now[0] += 40
    assert limiter.try_acquire("ana") == 0


def test_rate_limit_never_applies_to_exempt_people():
    limiter = QuestionLimiter(1, exempt=[42])
    assert all(limiter.try_acquire(42) == 0 for _ in range(20))
    assert limiter.try_acquire(7) == 0
    assert limiter.try_acquire(7) > 0


def test_rate_limit_of_zero_means_no_limit():
    limiter = QuestionLimiter(0)
    assert all(limiter.try_acquire(1) == 0 for _ in range(100))


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
    store = ArticleStore(tmp_path / "a.sqlite3")
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
        AnswerLog(store)  # opening again keeps what is there
        assert len(log.votes()) == 2
    finally:
        store.close()


def test_page_tokens_are_unguessable_and_pages_serve_only_their_chat(tmp_path):
    store = ArticleStore(tmp_path / "a.sqlite3")
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
    import sqlite3

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
    store = ArticleStore(path)
    try:
        log = AnswerLog(store)
        assert store.schema_version(SCHEMA_OWNER) == 2
        assert log.page("1") is None  # an old numeric button finds nothing
        assert log.page(_record(log, 5, 5)) is not None
        AnswerLog(store)  # a second open changes nothing
        assert store.schema_version(SCHEMA_OWNER) == 2
    finally:
        store.close()


def test_question_counts_cover_the_window_and_list_each_unanswered_question_once(tmp_path):
    store = ArticleStore(tmp_path / "a.sqlite3")
    try:
        assert question_counts(store, datetime.now(UTC), 5) is None  # no bot has logged yet
        log = QuestionLog(store)
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
        counts = question_counts(store, now - timedelta(hours=24), 5)
        assert counts is not None and (counts.asked, counts.unanswered) == (4, 3)
        assert counts.recent_unanswered == ("¿Quién ganó?", "¿Cuándo abre el museo?")
        only_one = question_counts(store, now - timedelta(hours=24), 1)
        assert only_one is not None and only_one.recent_unanswered == ("¿Quién ganó?",)
        assert log.prune(now - timedelta(hours=24)) == 1
        everything = question_counts(store, now - timedelta(days=30), 5)
        assert everything is not None and everything.asked == 4
    finally:
        store.close()


def test_a_registered_secret_never_reaches_a_log_handler(caplog):
    secret = "999:SECRET-token-for-redaction-test"
    redact_secret(secret)
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.DEBUG, logger="tests.redaction"):
        logger.info("GET https://api.telegram.org/bot%s/getMe", secret)
        try:
            raise RuntimeError(f"failed for {secret}")
        except RuntimeError:
            logger.exception("boom")
    assert secret not in caplog.text
    assert f"bot{REDACTED}/getMe" in caplog.text
    assert f"failed for {REDACTED}" in caplog.text


def test_a_secret_is_redacted_in_any_letter_case(caplog):
    secret = "1234:abcDEF-case-test"
    redact_secret(secret)
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.DEBUG, logger="tests.redaction"):
        # python-telegram-bot capitalises error descriptions.
        logger.warning("Bad request: %s", secret.upper())
        logger.warning("%s is not a token", secret.capitalize())
    assert secret.lower() not in caplog.text.lower()
    assert caplog.text.count(REDACTED) == 2
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
