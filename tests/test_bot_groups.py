"""In groups the bot answers only when spoken to: a mention, a reply to it, or /ask."""

from __future__ import annotations

from tests.botapi import BOT_USERNAME, visible
from tests.builders import group_with_people, say

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


async def test_ordinary_group_chatter_is_ignored(bot, botapi):
    group, ana, luis = group_with_people(botapi)
    first = botapi.send_message(group, ana, SHOIGU)
    botapi.send_message(group, luis, "Shoigu visited Pyongyang, right?", reply_to=first)
    botapi.send_message(group, ana, "@someone_else ¿lo viste?")
    botapi.send_message(group, luis, "/ask@other_bot " + SHOIGU)
    await botapi.settle()
    assert botapi.calls("sendMessage") == []


async def test_a_mention_is_a_question_without_the_mention(bot, botapi):
    group, ana, _ = group_with_people(botapi)
    question = botapi.send_message(group, ana, f"@{BOT_USERNAME} {SHOIGU}")
    [answer] = await botapi.wait_for("sendMessage", chat_id=group["id"])
    assert answer.params["reply_parameters"]["message_id"] == question["message_id"]
    assert "realmente reveladora" in answer.params["text"]
    store = bot.bot_data.services.archive.store
    assert store.query("SELECT question FROM bot_answer_pages") == [(SHOIGU,)]


async def test_a_mention_in_the_middle_of_the_question_works_too(bot, botapi):
    group, ana, _ = group_with_people(botapi)
    [answer] = await say(botapi, group, ana, f"Oye @{BOT_USERNAME.upper()}, {SHOIGU}")
    assert "realmente reveladora" in answer.params["text"]


async def test_a_reply_to_the_bot_is_a_question(bot, botapi):
    group, ana, luis = group_with_people(botapi)
    [answer] = await say(botapi, group, ana, f"/ask {SHOIGU}")
    question = "What did Ukraine say about Shoigu's visit?"
    [reply] = await say(botapi, group, luis, question, reply_to=answer.result)
    assert visible(reply.params["text"]).startswith("📰 Here is what the archive says:")


async def test_ask_command_addressed_to_this_bot_works_in_groups(bot, botapi):
    group, ana, _ = group_with_people(botapi)
    [answer] = await say(botapi, group, ana, f"/ask@{BOT_USERNAME} {SHOIGU}")
    assert "realmente reveladora" in answer.params["text"]


async def test_a_bare_mention_gets_the_how_to_ask_message(bot, botapi):
    group, ana, _ = group_with_people(botapi)
    [answer] = await say(botapi, group, ana, f"@{BOT_USERNAME}")
    assert "Falta la pregunta" in answer.params["text"]


async def test_an_edited_mention_is_not_answered_again(bot, botapi):
    group, ana, _ = group_with_people(botapi)
    question = botapi.send_message(group, ana, f"@{BOT_USERNAME} {SHOIGU}")
    await botapi.wait_for("sendMessage", chat_id=group["id"])
    botapi.edit_message(question, f"@{BOT_USERNAME} {SHOIGU} ¿Y Kim?")
    await botapi.settle()
    assert len(botapi.calls("sendMessage", chat_id=group["id"])) == 1
