"""Buttons under an answer: "more results" pages and 👍/👎 feedback stored in SQLite."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.botapi import BotAPI, buttons, visible

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
        botapi.send_message(chat, ana, SHOIGU)
        [first] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
        assert buttons(first.result)["Más resultados ▸"] == "more:1"
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
    botapi.send_message(chat, ana, SHOIGU)
    [answer] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    keys = buttons(answer.result)
    botapi.press_button(answer.result, keys["👍"], ana)
    [ack] = await botapi.wait_for("answerCallbackQuery")
    assert ack.params["text"] == "Thanks for your feedback!"
    botapi.press_button(answer.result, keys["👎"], ana)  # a change of mind replaces the vote
    await botapi.wait_for("answerCallbackQuery", count=2)
    luis = botapi.user("Luis")
    botapi.press_button(answer.result, keys["👍"], luis)
    await botapi.wait_for("answerCallbackQuery", count=3)

    votes = bot.bot_data.services.answers.votes()
    assert sorted((v.user_id, v.vote) for v in votes) == sorted([(ana["id"], -1), (luis["id"], 1)])
    for vote in votes:
        assert vote.question == SHOIGU
        shown = [str(p["quote"]) for p in vote.passages]
        assert shown and all(q in visible(answer.params["text"]) for q in shown)


async def test_buttons_of_a_forgotten_answer_say_so(bot, botapi):
    ana = botapi.user(language_code="es")
    chat = botapi.private_chat(ana)
    botapi.send_message(chat, ana, SHOIGU)
    [answer] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    store = bot.bot_data.services.archive.store
    with store.transaction() as db:
        db.execute("DELETE FROM bot_answer_pages")
    botapi.press_button(answer.result, buttons(answer.result)["👍"], ana)
    botapi.press_button(answer.result, "more:1", ana)
    acks = await botapi.wait_for("answerCallbackQuery", count=2)
    assert {a.params["text"] for a in acks} == {
        "Esta respuesta ya no está disponible; vuelve a preguntar."
    }
    assert bot.bot_data.services.answers.votes() == []
