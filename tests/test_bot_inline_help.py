"""Inline mode, /start and /help, and the command menu registered at start-up."""

from __future__ import annotations

from dataclasses import replace

from tests.botapi import BOT_USERNAME, visible

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


async def test_inline_mode_offers_the_top_quotes_ready_to_send(bot, botapi):
    ana = botapi.user(language_code="es")
    botapi.inline_query(ana, SHOIGU)
    [answer] = await botapi.wait_for("answerInlineQuery")
    results = answer.params["results"]
    assert 1 <= len(results) <= 5
    for result in results:
        assert result["type"] == "article"
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        shown = visible(content["message_text"])  # valid HTML, as the stand-in checks
        assert content["message_text"].startswith("<blockquote>")
        assert "Kim Jong-un y Putin" in shown
        assert result["description"] and result["description"][:30] in shown
    assert any(
        "realmente reveladora" in r["input_message_content"]["message_text"] for r in results
    )


async def test_inline_mode_with_nothing_found_or_nothing_typed_says_so(bot, botapi):
    luis = botapi.user("Luis", language_code="en")
    botapi.inline_query(luis, "")
    botapi.inline_query(luis, "chocolate chip cookie recipe with brown butter")
    answers = await botapi.wait_for("answerInlineQuery", count=2)
    by_text = {a.params["button"]["text"]: a.params["results"] for a in answers}
    assert by_text == {
        "Type a question about the archive…": [],
        "Nothing in the archive about that": [],
    }
    assert all(a.params["button"]["start_parameter"] == "help" for a in answers)


async def test_start_and_help_explain_the_bot_in_the_users_language(bot, botapi):
    ana = botapi.user(language_code="es")
    luis = botapi.user("Luis", language_code="en-GB")
    botapi.send_message(botapi.private_chat(ana), ana, "/start")
    botapi.send_message(botapi.private_chat(luis), luis, "/help")
    [spanish] = await botapi.wait_for("sendMessage", chat_id=ana["id"])
    [english] = await botapi.wait_for("sendMessage", chat_id=luis["id"])
    es, en = visible(spanish.params["text"]), visible(english.params["text"])
    assert "citando los artículos textualmente" in es
    assert "El archivo tiene 1 artículo;" in es
    assert "¿Qué dijo Ucrania sobre la visita de Shoigu?" in es and "¿Qué pasó ayer?" in es
    assert "/ask" in es and "/help" in es and f"@{BOT_USERNAME}" in es
    assert "quoting its articles verbatim" in en and "The archive has 1 article;" in en


async def test_commands_are_registered_in_spanish_and_english_at_start_up(bot, botapi):
    spanish = {c["command"]: c["description"] for c in botapi.commands("es")}
    english = {c["command"]: c["description"] for c in botapi.commands("en")}
    assert {"start", "help", "ask"} <= set(spanish) and set(spanish) == set(english)
    assert spanish["ask"] == "Pregunta al archivo" and english["ask"] == "Ask the archive"
    assert botapi.commands("") == botapi.commands("es")  # default language for the rest


async def test_inline_queries_have_their_own_larger_budget_then_say_when_to_retry(
    start_bot, settings, botapi
):
    settings = replace(settings, bot=replace(settings.bot, questions_per_minute=1))
    async with start_bot(settings):
        luis = botapi.user("Luis", language_code="en")
        chat = botapi.private_chat(luis)
        botapi.send_message(chat, luis, "What did Ukraine say about Shoigu's visit?")
        await botapi.wait_for("sendMessage", chat_id=chat["id"])
        for n in range(4):  # typing: each keystroke can be a query
            botapi.inline_query(luis, "Shoigu visit Pyongyang" + "?" * n)
            await botapi.wait_for("answerInlineQuery", count=n + 1)
        answers = botapi.calls("answerInlineQuery")
        assert [bool(a.params["results"]) for a in answers] == [True, True, True, False]
        assert answers[-1].params["button"]["text"].startswith("Too many questions: try again in")
