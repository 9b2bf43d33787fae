"""Faults: 429 waited out, 403 logged, internal errors apologised for, the token never logged."""

from __future__ import annotations

import logging

from bot.app import build_application, running
from tests.botapi import TOKEN, visible

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


async def test_a_429_is_waited_out_and_the_answer_still_delivered(bot, botapi):
    ana = botapi.user()
    chat = botapi.private_chat(ana)
    botapi.fail("sendMessage", 429, retry_after=1)
    botapi.send_message(chat, ana, SHOIGU)
    [delivered] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    [refused] = botapi.calls("sendMessage", ok=False, chat_id=chat["id"])
    assert refused.error_code == 429
    assert refused.params["text"] == delivered.params["text"]
    assert delivered.at - refused.at >= 1.0  # retry_after was honoured
    assert "realmente reveladora" in delivered.params["text"]


async def test_a_403_from_a_blocked_user_is_logged_and_the_bot_goes_on(bot, botapi, caplog):
    caplog.set_level(logging.WARNING)
    ana, luis = botapi.user("Ana"), botapi.user("Luis")
    blocked, other = botapi.private_chat(ana), botapi.private_chat(luis)
    botapi.fail("sendMessage", 403, when=lambda params: params.get("chat_id") == ana["id"])
    botapi.send_message(blocked, ana, SHOIGU)
    await botapi.wait_for("sendMessage", ok=False, chat_id=ana["id"])
    botapi.send_message(other, luis, SHOIGU)
    [answer] = await botapi.wait_for("sendMessage", chat_id=luis["id"])
    assert "realmente reveladora" in answer.params["text"]
    await botapi.settle()
    assert len(botapi.calls("sendMessage", chat_id=ana["id"])) == 1  # no apology to nobody
    warnings = [r for r in caplog.records if "refused delivery" in r.getMessage()]
    assert len(warnings) == 1 and f"chat {ana['id']}" in warnings[0].getMessage()
    assert "blocked" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_internal_failure_is_logged_with_context_and_the_user_told_plainly(
    bot, botapi, caplog
):
    caplog.set_level(logging.ERROR)
    bot.bot_data.services.archive.store.close()  # the database goes away under the bot
    ana = botapi.user(language_code="en")
    chat = botapi.private_chat(ana)
    botapi.send_message(chat, ana, "What did Ukraine say about Shoigu's visit?")
    [apology] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    text = visible(apology.params["text"])
    assert text == "⚠️ Something went wrong while answering. Please try again in a moment."
    [record] = [r for r in caplog.records if r.name == "bot.core.errors"]
    assert f"chat {chat['id']} (private)" in record.getMessage()
    assert f"user {ana['id']}" in record.getMessage()
    assert record.exc_info is not None  # the traceback is in the log, not in the chat


async def test_the_token_never_appears_in_the_logs(settings, botapi, caplog):
    application = build_application(settings, TOKEN)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # even if someone turns httpx up
    async with running(application, poll_timeout=1):
        ana = botapi.user()
        botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
        await botapi.wait_for("sendMessage", chat_id=ana["id"])
    assert TOKEN not in caplog.text
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    urls = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/bot[REDACTED]/sendMessage" in u for u in urls)  # the URLs were logged, redacted


async def test_a_refused_command_menu_does_not_stop_the_bot(start_bot, botapi, caplog):
    caplog.set_level(logging.WARNING)
    botapi.fail("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    async with start_bot():
        ana = botapi.user()
        botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
        [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"])
    assert "realmente reveladora" in answer.params["text"]
    assert any("command menu" in r.getMessage() for r in caplog.records)
