"""Buttons under an answer: "more results" pages and 👍/👎 feedback stored in SQLite."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.botapi import BotAPI, Call, buttons, visible
from tests.builders import say

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


@pytest.fixture
def paged_settings(settings):
    """Two quotes a page, several quotes from the one sample article allowed."""
    search = replace(settings.archive.search, per_article=10)
    return replace(
        settings,
        archive=replace(settings.archive, search=search),
        bot=replace(settings.bot, results_per_page=2),
    )


def answers_to(botapi: BotAPI, chat_id: int):
    return botapi.calls("sendMessage", ok=True, chat_id=chat_id)


async def test_more_results_follows_with_the_next_page_until_there_is_no_more(
    start_bot, paged_settings, botapi
):
    async with start_bot(paged_settings) as application:
        ana = botapi.user(language_code="es")
        chat = botapi.private_chat(ana)
        [first] = await say(botapi, chat, ana, SHOIGU)
        more_data = buttons(first.result)["Más resultados ▸"]
        assert re.fullmatch(r"more:[A-Za-z0-9_-]{20,}", more_data)  # a token, not a row id
        seen = [first.params["text"]]

        message = first.result
        for page in range(2, 10):
            more = buttons(botapi.message(chat["id"], message["message_id"])).get(
                "Más resultados ▸"
            )
            if more is None:
                break
            botapi.press_button(message, more, ana)
            await botapi.wait_for("answerCallbackQuery", count=page - 1)
            sent = await botapi.wait_for("sendMessage", count=page, chat_id=chat["id"])
            message = sent[-1].result
            assert visible(sent[-1].params["text"]).startswith(
                f"📰 Más resultados ({2 * page - 1}–"
            )
            assert "reply_parameters" not in sent[-1].params  # follows, does not quote
            seen.append(sent[-1].params["text"])
            # The page it came from keeps its 👍/👎 but loses "more results".
            await botapi.wait_for("editMessageReplyMarkup", count=page - 1)
            before = botapi.message(chat["id"], sent[-2].result["message_id"])
            assert set(buttons(before)) == {"👍", "👎"}
        assert len(seen) >= 2, "the sample article should give more than one page"
        quotes = [q for html in seen for q in re.findall(r"<blockquote>(.*?)</blockquote>", html)]
        assert len(quotes) > 2 and len(quotes) == len(set(quotes)), "no quote is shown twice"
        pages = application.bot_data.services.archive.store.query(
            "SELECT first_index FROM bot_answer_pages ORDER BY id"
        )
        assert [p[0] for p in pages] == [2 * i for i in range(len(seen))]


async def test_feedback_is_stored_with_the_question_and_the_passages_shown(bot, botapi):
    ana = botapi.user(language_code="en")
    chat = botapi.private_chat(ana)
    [answer] = await say(botapi, chat, ana, SHOIGU)
    keys = buttons(answer.result)
    botapi.press_button(answer.result, keys["👍"], ana)
    [ack] = await botapi.wait_for("answerCallbackQuery")
    assert ack.params["text"] == "Thanks for your feedback!"
    botapi.press_button(answer.result, keys["👎"], ana)  # a change of mind replaces the vote
    await botapi.wait_for("answerCallbackQuery", count=2)

    votes = bot.bot_data.services.answers.votes()
    assert [(v.user_id, v.vote) for v in votes] == [(ana["id"], -1)]
    for vote in votes:
        assert vote.question == SHOIGU
        shown = [str(p["quote"]) for p in vote.passages]
        assert shown and all(q in visible(answer.params["text"]) for q in shown)


async def test_buttons_of_a_forgotten_answer_say_so(bot, botapi):
    ana = botapi.user(language_code="es")
    chat = botapi.private_chat(ana)
    [answer] = await say(botapi, chat, ana, SHOIGU)
    store = bot.bot_data.services.archive.store
    with store.transaction() as db:
        db.execute("DELETE FROM bot_answer_pages")
    up = buttons(answer.result)["👍"]
    botapi.press_button(answer.result, up, ana)
    botapi.press_button(answer.result, "more:" + up.split(":")[1], ana)
    acks = await botapi.wait_for("answerCallbackQuery", count=2)
    assert {a.params["text"] for a in acks} == {
        "Esta respuesta ya no está disponible; vuelve a preguntar."
    }
    assert bot.bot_data.services.answers.votes() == []


async def forged_press(botapi: BotAPI, victim_answer: dict, data: str, attacker: dict) -> Call:
    """`attacker` sends `data` from a button press on a bot message in their own chat."""
    own_chat = botapi.private_chat(attacker)
    sent_before = len(botapi.calls("sendMessage", chat_id=own_chat["id"]))
    botapi.send_message(own_chat, attacker, "/help")
    own = (await botapi.wait_for("sendMessage", count=sent_before + 1, chat_id=own_chat["id"]))[-1]
    before = len(botapi.calls("answerCallbackQuery"))
    botapi.press_button(own.result, data, attacker)
    acks = await botapi.wait_for("answerCallbackQuery", count=before + 1)
    return acks[-1]


async def test_another_chats_more_button_is_refused_and_shows_nothing(
    start_bot, paged_settings, botapi
):
    async with start_bot(paged_settings) as application:
        ana, bruno = botapi.user("Ana"), botapi.user("Bruno")
        botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
        [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"])
        more = buttons(answer.result)["Más resultados ▸"]
        pages = application.bot_data.services.archive.store.query(
            "SELECT COUNT(*) FROM bot_answer_pages"
        )
        ack = await forged_press(botapi, answer.result, more, bruno)
        assert ack.params["text"].startswith("Este botón es de la respuesta de otra persona")
        assert ack.params.get("show_alert") is True
        await botapi.settle()
        # Bruno got only his /help answer: no quotes, no question of Ana's, no edited buttons.
        assert "<blockquote>" not in " ".join(botapi.sent_texts(bruno["id"]))
        assert botapi.calls("editMessageReplyMarkup") == []
        store = application.bot_data.services.archive.store
        assert store.query("SELECT COUNT(*) FROM bot_answer_pages") == pages
        # Sequential ids are no way in either.
        for guess in ("more:1", "more:2"):
            ack = await forged_press(botapi, answer.result, guess, bruno)
            assert ack.params["text"].startswith("Esta respuesta ya no está disponible")
        # Ana's own button still works.
        botapi.press_button(answer.result, more, ana)
        await botapi.wait_for("sendMessage", count=2, chat_id=ana["id"])


async def test_another_chats_vote_button_is_refused_and_stores_nothing(bot, botapi):
    ana, bruno = botapi.user("Ana"), botapi.user("Bruno", language_code="en")
    botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
    [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"])
    down = buttons(answer.result)["👎"]
    ack = await forged_press(botapi, answer.result, down, bruno)
    assert (
        ack.params["text"] == "This button belongs to someone else's answer; ask your own question."
    )
    # Pressed on Ana's own message but by someone who is not Ana: refused too.
    botapi.press_button(answer.result, down, bruno)
    acks = await botapi.wait_for("answerCallbackQuery", count=2)
    assert acks[-1].params["text"].startswith("This button belongs to someone else")
    assert bot.bot_data.services.answers.votes() == []


async def test_in_a_group_every_member_may_page_on_and_vote(start_bot, paged_settings, botapi):
    async with start_bot(paged_settings) as application:
        group = botapi.group("Redacción")
        ana, luis = botapi.user("Ana"), botapi.user("Luis")
        [answer] = await say(botapi, group, ana, f"/ask {SHOIGU}")
        keys = buttons(answer.result)
        botapi.press_button(answer.result, keys["👍"], luis)
        botapi.press_button(answer.result, keys["Más resultados ▸"], luis)
        await botapi.wait_for("sendMessage", count=2, chat_id=group["id"])
        await botapi.wait_for("answerCallbackQuery", count=2)
        votes = application.bot_data.services.answers.votes()
        assert [(v.user_id, v.vote) for v in votes] == [(luis["id"], 1)]
        # The same data pressed from another group is refused.
        other = botapi.group("Otra redacción")
        [help_message] = await say(botapi, other, luis, "/help")
        botapi.press_button(help_message.result, keys["👎"], luis)
        acks = await botapi.wait_for("answerCallbackQuery", count=3)
        assert acks[-1].params["text"].startswith("Este botón es de la respuesta de otra")
        assert len(application.bot_data.services.answers.votes()) == 1
