"""A send refused with 429 is resent by exactly one layer: python-telegram-bot's rate limiter.

The limiter (AIORateLimiter, [telegram] max_retries = 3) waits out retry_after and resends; no
code of ours resends on top of it, so N consecutive 429s cost exactly N + 1 sends while
N <= max_retries. After that the refusal reaches our code once: a question gets the error
handler's apology (itself a send that the limiter may resend, a bounded number of times), and a
digest is marked failed in the ledger, where nothing sends it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from bot import i18n
from bot.config import Settings
from bot.context import BotApplication, Hooks
from tests.botapi import BotAPI, Call, JSONDict, visible
from tests.conftest import StartBot
from tests.test_bot_digest import SAMPLE_TITLE, Clock, digests, fire, quick_pacer, subscribe

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"
ANSWER = "realmente reveladora"  # in the sample archive's answer to SHOIGU
APOLOGY = visible(i18n.html("error.message", "es"))
RETRY_AFTER = 1  # seconds; AIORateLimiter sleeps retry_after + 0.1 s before resending
QUIET = RETRY_AFTER + 0.6  # silence long enough that any further resend would have shown
MAX_RETRIES = 3  # the default [telegram] max_retries these expectations are written for


def _to(chat: JSONDict) -> Callable[[JSONDict], bool]:
    return lambda params: int(params["chat_id"]) == chat["id"]


def _gaps(calls: list[Call]) -> list[float]:
    return [later.at - earlier.at for earlier, later in pairwise(calls)]


@pytest.mark.parametrize(
    ("refusals", "answers", "apologies"),
    [(1, 1, 0), (2, 1, 0), (MAX_RETRIES + 1, 0, 1)],
    ids=["one-429", "two-429s", "four-429s"],
)
async def test_an_answer_refused_with_429s_arrives_once_or_one_apology_does(
    bot: BotApplication, botapi: BotAPI, refusals: int, answers: int, apologies: int
) -> None:
    assert bot.bot_data.settings.telegram.max_retries == MAX_RETRIES
    ana = botapi.user()
    chat = botapi.private_chat(ana)
    botapi.fail("sendMessage", 429, retry_after=RETRY_AFTER, times=refusals, when=_to(chat))
    botapi.send_message(chat, ana, SHOIGU)
    await botapi.wait_for("sendMessage", chat_id=chat["id"])
    await botapi.settle(quiet=QUIET)
    calls = botapi.calls("sendMessage", chat_id=chat["id"])
    delivered = [visible(c.params["text"]) for c in calls if c.ok]
    assert sum(ANSWER in text for text in delivered) == answers
    assert delivered.count(APOLOGY) == apologies
    assert len(delivered) == 1
    # Each refusal was resent once, after retry_after, and nothing was sent on top.
    assert len(calls) == refusals + 1
    refused = [c for c in calls if not c.ok]
    assert all(ANSWER in visible(c.params["text"]) for c in refused)
    assert all(gap >= RETRY_AFTER for gap in _gaps(calls[: min(refusals, MAX_RETRIES) + 1]))


async def test_an_apology_refused_too_is_resent_a_bounded_number_of_times(
    bot: BotApplication, botapi: BotAPI
) -> None:
    ana = botapi.user()
    chat = botapi.private_chat(ana)
    tries = MAX_RETRIES + 1
    botapi.fail("sendMessage", 429, retry_after=RETRY_AFTER, times=2 * tries, when=_to(chat))
    botapi.send_message(chat, ana, SHOIGU)
    await botapi.wait_for("sendMessage", count=2 * tries, ok=False, chat_id=chat["id"])
    await botapi.settle(quiet=QUIET)
    calls = botapi.calls("sendMessage", chat_id=chat["id"])
    assert [visible(c.params["text"]) == APOLOGY for c in calls] == [False] * tries + [True] * tries
    assert not any(c.ok for c in calls)  # the limiter gave up on the apology as well
    # The bot is not stuck behind that chat's refusals: the next question is answered.
    botapi.send_message(chat, ana, SHOIGU)
    [answer] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    assert ANSWER in visible(answer.params["text"])


@pytest.mark.parametrize(
    ("refusals", "digests_delivered", "status"),
    [(1, 1, "sent"), (2, 1, "sent"), (MAX_RETRIES + 1, 0, "failed")],
    ids=["one-429", "two-429s", "four-429s"],
)
async def test_a_digest_refused_with_429s_arrives_once_or_is_marked_failed(
    start_bot: StartBot,
    settings: Settings,
    botapi: BotAPI,
    refusals: int,
    digests_delivered: int,
    status: str,
) -> None:
    assert settings.telegram.max_retries == MAX_RETRIES
    ana = botapi.user("Ana", "es")
    chat = botapi.private_chat(ana)
    clock = Clock(datetime(2025, 6, 10, 12, 0, tzinfo=UTC))
    botapi.fail("sendMessage", 429, retry_after=RETRY_AFTER, times=refusals, when=_to(chat))
    async with start_bot(settings, hooks=Hooks(clock=clock, pacer=quick_pacer)) as app:
        await subscribe(app, chat["id"], "15:00", "Europe/Madrid")
        clock.set(2025, 6, 10, 13, 0)
        assert await fire(app, clock) == [chat["id"]]  # returns once the delivery is over
        await botapi.settle(quiet=QUIET)
        calls = botapi.calls("sendMessage", chat_id=chat["id"])
        delivered = [c.params["text"] for c in calls if c.ok]
        assert len(delivered) == digests_delivered
        assert all(SAMPLE_TITLE in text for text in delivered)
        assert len(calls) == min(refusals, MAX_RETRIES + 1) + digests_delivered
        row = digests(app).subscriptions.delivery_row(chat["id"], date(2025, 6, 10))
        assert row is not None
        # One send_message call, resent inside it by the limiter only; nothing in flight.
        assert (row["status"], row["attempts"], row["in_flight"]) == (status, 1, 0)
        assert row["parts_sent"] == digests_delivered
