"""bot/core without Telegram: language choice, the rate limit, log redaction."""

from __future__ import annotations

import logging

import pytest

from bot.core.language import question_language, user_language
from bot.core.limits import QuestionLimiter, QuestionLimits
from bot.core.logs import REDACTED, redact_secret


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
    assert question_language(question, user_language(code, "es")) == expected


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


def test_inline_queries_get_three_times_the_budget_and_the_same_exemptions():
    limits = QuestionLimits.per_minute(2, exempt=[42])
    assert (limits.questions.limit, limits.inline.limit) == (2, 6)
    assert limits.inline.exempt == limits.questions.exempt == frozenset({42})


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
