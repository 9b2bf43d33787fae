"""An update that cannot be parsed is skipped, logged once and counted; the next one is answered.

Five shapes python-telegram-bot cannot parse, each followed by a good question: by long polling
(the bad update is fetched once, not again and again) and by webhook (answered 200, so Telegram
does not resend it).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.config import Settings
from bot.core.updates import SECRET_HEADER, update_counters
from tests.botapi import TOKEN, BotAPI, JSONDict
from tests.support import free_port, serve

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"
SECRET = "s3cret_Token-1"

Shape = Callable[[JSONDict, JSONDict], JSONDict]


def _message(user: JSONDict, chat: JSONDict, /, **changes: Any) -> JSONDict:
    """A private question as Telegram sends it, with fields changed (None: left out)."""
    message: JSONDict = {
        "message_id": 900,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": SHOIGU,
    }
    message.update(changes)
    return {"message": {k: v for k, v in message.items() if v is not None}}


# If one of these parsed, its question would be answered (or its inline query): the tests check
# that only the good question is.
SHAPES: dict[str, Shape] = {
    "message without date": lambda user, chat: _message(user, chat, date=None),
    "message without message_id": lambda user, chat: _message(user, chat, message_id=None),
    "chat as a string": lambda user, chat: _message(user, chat, chat=str(chat["id"])),
    "entity without type": lambda user, chat: _message(
        user, chat, text="/ask " + SHOIGU, entities=[{"offset": 0, "length": 4}]
    ),
    "inline query without query": lambda user, chat: {
        "inline_query": {"id": "777", "from": user, "offset": "", "chat_type": "sender"}
    },
}
shapes = pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))


def skip_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.core.updates" and r.levelno == logging.WARNING
    ]


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def assert_only_the_good_question_answered(botapi: BotAPI, user: JSONDict) -> None:
    [answer] = await botapi.wait_for("sendMessage", chat_id=user["id"])
    assert "realmente reveladora" in answer.params["text"]
    await botapi.settle()
    assert len(botapi.calls("sendMessage", chat_id=user["id"])) == 1
    assert not botapi.calls("answerInlineQuery")


# --- long polling -------------------------------------------------------------------------------


@shapes
async def test_polling_skips_an_update_it_cannot_parse_and_answers_the_next(
    bot, botapi, caplog, shape
):
    ana = botapi.user()
    chat = botapi.private_chat(ana)
    bad = botapi.push_update(shape(ana, chat))
    botapi.send_message(chat, ana, SHOIGU)

    await assert_only_the_good_question_answered(botapi, ana)
    assert update_counters(bot.bot).skipped == 1
    [warning] = skip_warnings(caplog)
    assert f"skipped update {bad} " in warning
    assert not errors(caplog)  # python-telegram-bot's CRITICAL lines are gone
    polls = botapi.calls("getUpdates")
    assert len([c for c in polls if any(u["update_id"] == bad for u in c.result)]) == 1
    assert len(polls) < 10  # without the fix: ~20 a second, all asking for the same offset


async def test_a_batch_with_every_bad_shape_loses_only_the_bad_updates(start_bot, botapi, caplog):
    people = [botapi.user(f"P{i}", user_id=2000 + i) for i in range(len(SHAPES))]
    bad = []
    for person, shape in zip(people, SHAPES.values(), strict=True):
        chat = botapi.private_chat(person)
        bad.append(botapi.push_update(shape(person, chat)))
        botapi.send_message(chat, person, SHOIGU)

    async with start_bot() as application:  # all ten updates wait in one getUpdates batch
        for person in people:
            await assert_only_the_good_question_answered(botapi, person)
        assert update_counters(application.bot).skipped == len(SHAPES)
    warnings = skip_warnings(caplog)
    assert [w.split()[2] for w in warnings] == [str(i) for i in bad]
    assert not errors(caplog)


# --- webhook ------------------------------------------------------------------------------------


def webhook_settings(settings: Settings) -> Settings:
    port = free_port()
    telegram = replace(
        settings.telegram,
        webhook_url=f"http://127.0.0.1:{port}/hemeroteca-hook",
        webhook_listen=f"127.0.0.1:{port}",
        webhook_secret=SECRET,
    )
    return replace(settings, telegram=telegram)


@shapes
async def test_the_webhook_answers_200_to_an_update_it_cannot_parse_and_handles_the_next(
    start_bot, settings, botapi, caplog, shape
):
    async with start_bot(webhook_settings(settings)) as application:
        ana = botapi.user()
        chat = botapi.private_chat(ana)
        bad = botapi.push_update(shape(ana, chat))  # POSTed with the secret, as Telegram does
        await botapi.wait_until(lambda: len(botapi.deliveries()) == 1)
        [delivery] = botapi.deliveries()
        assert (delivery.update_id, delivery.status) == (bad, 200)  # not 400: no resending
        botapi.send_message(chat, ana, SHOIGU)

        await assert_only_the_good_question_answered(botapi, ana)
        assert [d.status for d in botapi.deliveries()] == [200, 200]
        assert not botapi.pending_updates()  # confirmed: Telegram would not send it again
        assert update_counters(application.bot).skipped == 1
    [warning] = skip_warnings(caplog)
    assert f"skipped update {bad} " in warning
    assert not errors(caplog)


async def post(
    url: str, body: bytes, secret: str | None = SECRET, kind: str = "application/json"
) -> int:
    """POST to the webhook as Telegram would (or not); the HTTP status it answers."""
    headers = {"Content-Type": kind}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")

    def send() -> int:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code

    # Off the event loop: the bot's webhook server runs on it.
    return await asyncio.to_thread(send)


async def test_the_webhook_still_refuses_a_wrong_secret_and_a_body_that_is_not_json(
    start_bot, settings
):
    custom = webhook_settings(settings)
    url = custom.telegram.webhook_url
    bad = b'{"update_id": 5, "message": {"message_id": 1}}'
    async with start_bot(custom) as application:
        assert await post(url, bad, secret=None) == 403
        assert await post(url, bad, secret="not-the-secret") == 403
        assert await post(url, bad, kind="text/plain") == 403
        assert await post(url, b"not json") == 400
        assert update_counters(application.bot).skipped == 0  # none of them was let in
        assert await post(url, bad) == 200
        assert update_counters(application.bot).skipped == 1


async def test_hemeroteca_serve_in_webhook_mode_skips_a_bad_update_and_stops_cleanly(
    botapi, data_dir, tmp_path
):
    """`run` (Application.run_webhook), not only the `running` the other tests use."""
    port = free_port()
    (tmp_path / "config.toml").write_text(
        f'[telegram]\nwebhook_url = "http://127.0.0.1:{port}/hook"\n'
        f'webhook_listen = "127.0.0.1:{port}"\nwebhook_secret = "{SECRET}"\n'
    )
    process = serve(botapi.base_url, data_dir, tmp_path, TOKEN)  # with that config.toml
    try:
        await botapi.wait_for("setWebhook", timeout=60)
        ana = botapi.user()
        chat = botapi.private_chat(ana)
        botapi.push_update(SHAPES["message without date"](ana, chat))
        botapi.send_message(chat, ana, SHOIGU)
        await assert_only_the_good_question_answered(botapi, ana)
        assert [d.status for d in botapi.deliveries()] == [200, 200]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stderr.count("could not be parsed") == 1
    assert "CRITICAL" not in stderr and TOKEN not in stderr
