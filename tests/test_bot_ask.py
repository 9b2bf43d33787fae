"""Asking in a private chat, through the real application and the Bot API stand-in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot import i18n
from bot.app import PRUNE_JOB
from corpus.models import ArticleDraft
from tests.botapi import buttons, visible
from tests.builders import private, say
from tests.conftest import ingest, sample_drafts

SHOIGU_ES = "¿Qué dijo Ucrania sobre la visita de Shoigu?"
SHOIGU_EN = "What did Ukraine say about Shoigu's visit?"
ARTICLE_TITLE = "Kim Jong-un y Putin prometen estrechar la cooperación militar"
SAMPLE_TEXT = sample_drafts()[0][1].text


async def test_a_private_question_is_answered_with_a_verbatim_quote_and_its_source(bot, botapi):
    ana, chat = private(botapi)
    question = botapi.send_message(chat, ana, SHOIGU_ES)
    [answer] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    html = answer.params["text"]
    shown = visible(html)
    assert shown.startswith("📰 Esto dice el archivo:")
    assert ARTICLE_TITLE in shown
    assert "visita de Shoigu es “realmente reveladora”" in shown
    # who says it, under each quote: only Ukrainian speakers, as the question asks
    assert "— Vadim Skibitski, Inteligencia del Ministerio de Defensa de Ucrania" in shown
    assert "Las autoridades de Ucrania señalaron" in shown
    assert "Kang Sun-nam" not in shown
    quote = visible(html.split("<blockquote>")[1].split("</blockquote>")[0])
    assert quote in SAMPLE_TEXT  # verbatim: a slice of the stored article
    assert answer.params["reply_parameters"]["message_id"] == question["message_id"]
    assert answer.params["parse_mode"] == "HTML"
    assert set(buttons(answer.result)) == {"👍", "👎"}  # two quotes: no next page


async def test_an_english_question_gets_english_words_around_the_spanish_quotes(bot, botapi):
    john, chat = private(botapi, language_code="es")  # the question decides, not the app
    [answer] = await say(botapi, chat, john, SHOIGU_EN)
    shown = visible(answer.params["text"])
    assert shown.startswith("📰 Here is what the archive says:")
    assert "Shoigu" in shown and ARTICLE_TITLE in shown  # the quotes stay in Spanish


async def test_nothing_relevant_gives_a_clear_not_found_with_a_hint(bot, botapi):
    ana, chat = private(botapi)
    botapi.send_message(chat, ana, "¿Cuál es la mejor receta de paella valenciana con conejo?")
    bob, bob_chat = private(botapi, language_code="en")
    botapi.send_message(bob_chat, bob, "What is the best recipe for chocolate chip cookies?")
    [spanish] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    [english] = await botapi.wait_for("sendMessage", chat_id=bob_chat["id"])
    assert "No encontré nada sobre eso en el archivo" in spanish.params["text"]
    assert "Prueba con otras palabras" in spanish.params["text"]
    assert "I found nothing about that in the archive" in english.params["text"]
    assert "<blockquote>" not in spanish.params["text"] + english.params["text"]
    assert not buttons(spanish.result)


async def test_ask_without_a_question_explains_how_to_ask(bot, botapi):
    ana, chat = private(botapi, language_code="en")
    botapi.send_message(chat, ana, "/ask")
    botapi.send_message(chat, ana, "/ask    ")
    answers = await botapi.wait_for("sendMessage", count=2, chat_id=chat["id"])
    for answer in answers:
        assert "The question is missing" in answer.params["text"]
        assert "/ask What did Ukraine say" in visible(answer.params["text"])


async def test_ask_command_answers_the_text_after_it(bot, botapi):
    ana, chat = private(botapi)
    [answer] = await say(botapi, chat, ana, f"/ask {SHOIGU_ES}")
    assert "realmente reveladora" in answer.params["text"]


async def test_a_question_over_1000_characters_is_refused_clearly_and_not_stored(bot, botapi):
    ana, chat = private(botapi)
    [answer] = await say(botapi, chat, ana, "¿" + "Shoigu " * 150 + "?")
    assert "La pregunta es demasiado larga (1052 caracteres)" in answer.params["text"]
    assert "1000 caracteres como máximo" in answer.params["text"]
    store = bot.bot_data.services.archive.store
    assert store.query("SELECT COUNT(*) FROM bot_answer_pages")[0][0] == 0


async def test_a_question_of_exactly_1000_characters_is_searched(bot, botapi):
    ana, chat = private(botapi)
    question = (SHOIGU_ES + " ") * 40
    [answer] = await say(botapi, chat, ana, question[:1000])
    assert "demasiado larga" not in answer.params["text"]


async def test_too_many_questions_get_a_polite_wait_message(start_bot, settings, botapi):
    settings = replace(settings, bot=replace(settings.bot, questions_per_minute=2))
    async with start_bot(settings):
        ana, chat = private(botapi)
        for _ in range(3):
            botapi.send_message(chat, ana, SHOIGU_ES)
        answers = await botapi.wait_for("sendMessage", count=3, chat_id=chat["id"])
        texts = [a.params["text"] for a in answers]
        refused = [t for t in texts if "Vas muy rápido" in t]
        assert len(refused) == 1
        assert "2 preguntas por minuto" in refused[0]
        bob, bob_chat = private(botapi)  # another person is not held back
        [other] = await say(botapi, bob_chat, bob, SHOIGU_ES)
        assert "realmente reveladora" in other.params["text"]


async def test_admins_are_never_held_back_by_the_question_limit(start_bot, settings, botapi):
    admin_id = 4242
    bot_settings = replace(settings.bot, questions_per_minute=1, admin_ids=(admin_id,))
    async with start_bot(replace(settings, bot=bot_settings)):
        marta = botapi.user("Marta", user_id=admin_id)
        chat = botapi.private_chat(marta)
        for _ in range(3):
            botapi.send_message(chat, marta, SHOIGU_ES)
        answers = await botapi.wait_for("sendMessage", count=3, chat_id=chat["id"])
        assert all("realmente reveladora" in a.params["text"] for a in answers)


async def test_an_edited_question_does_not_get_a_second_answer(bot, botapi):
    ana, chat = private(botapi)
    question = botapi.send_message(chat, ana, SHOIGU_ES)
    await botapi.wait_for("sendMessage", chat_id=chat["id"])
    botapi.edit_message(question, SHOIGU_ES + " ¿Y Corea?")
    botapi.edit_message(question, f"/ask {SHOIGU_ES}")
    await botapi.settle()
    assert len(botapi.calls("sendMessage", chat_id=chat["id"])) == 1
    assert not botapi.pending_updates()  # the edits were received, and ignored


async def test_a_passage_full_of_markup_characters_is_delivered_safely(start_bot, settings, botapi):
    text = (
        "El parser falló con la cadena </blockquote><b>x</b> & otros símbolos: a < b, c > d, "
        "R&D y &amp; literal. Los ingenieros del parser explicaron que el fallo del parser "
        "se debía a etiquetas <blockquote> sin cerrar en las plantillas del parser."
    )
    ingest(
        settings,
        [
            ArticleDraft(
                title="Fallo del <parser> & compañía",
                text=text,
                source="Diario <Técnico>",
                url='https://example.com/parser?a=1&b="2"',
            )
        ],
    )
    async with start_bot():
        ana, chat = private(botapi)
        [answer] = await say(
            botapi, chat, ana, "¿Por qué falló el parser con las etiquetas blockquote?"
        )
        shown = visible(answer.params["text"])  # accepted by the stand-in's HTML checks
        assert "</blockquote><b>x</b> & otros símbolos: a < b, c > d, R&D y &amp; literal" in (
            shown
        )
        assert "Fallo del <parser> & compañía · Diario <Técnico>" in shown
        assert (
            'href="https://example.com/parser?a=1&amp;b=&quot;2&quot;"' in (answer.params["text"])
        )


async def test_an_answer_too_long_for_one_message_is_split_between_passages(
    start_bot, settings, botapi
):
    search = replace(
        settings.archive.search,
        per_article=20,
        chunks_to_quote=20,
        max_quote_sentences=10,
        max_quote_chars=2000,
        min_dense_score=0.0,
    )
    settings = replace(
        settings,
        archive=replace(settings.archive, search=search),
        bot=replace(settings.bot, results_per_page=15),
    )
    async with start_bot(settings):
        ana, chat = private(botapi)
        question = botapi.send_message(chat, ana, "Corea del Norte y Rusia: cooperación militar")
        await botapi.settle()
        answers = botapi.calls("sendMessage", chat_id=chat["id"])
        assert len(answers) >= 2 and all(a.ok for a in answers)
        assert answers[0].params["reply_parameters"]["message_id"] == question["message_id"]
        assert all("reply_parameters" not in a.params for a in answers[1:])
        assert [bool(buttons(a.result)) for a in answers] == [False] * (len(answers) - 1) + [True]
        quotes = sum(a.params["text"].count("<blockquote>") for a in answers)
        assert quotes > 8
        for a in answers:
            assert a.params["text"].count("<blockquote>") == a.params["text"].count("</blockquote>")


async def test_old_questions_and_answer_pages_are_forgotten_while_the_bot_runs(bot, botapi):
    """/help promises questions are kept `answers_kept_days`: the periodic job keeps that."""
    ana, chat = private(botapi)
    [answer] = await say(botapi, chat, ana, SHOIGU_ES)
    services = bot.bot_data.services
    store = services.archive.store
    kept = timedelta(days=bot.bot_data.settings.bot.answers_kept_days)
    old = datetime.now(UTC) - kept - timedelta(hours=1)
    services.asker.questions.record(chat_id=1, question="¿Antigua?", answered=False, when=old)
    with store.transaction() as db:  # as if the answer had been shown that long ago
        db.execute("UPDATE bot_answer_pages SET created_at = ?", (old.isoformat(),))
    [job] = bot.job_queue.jobs()  # the digest feature schedules nothing without subscribers
    assert job.name == PRUNE_JOB
    await job.run(bot)
    assert store.query("SELECT question FROM bot_questions") == [(SHOIGU_ES,)]
    assert store.query("SELECT COUNT(*) FROM bot_answer_pages") == [(0,)]
    # The 👍 under the forgotten answer now says it expired instead of recording a vote.
    botapi.press_button(answer.result, buttons(answer.result)["👍"], ana)
    [alert] = await botapi.wait_for("answerCallbackQuery")
    assert alert.params["text"] == i18n.plain("ask.expired", "es")


async def test_what_happened_today_is_the_days_stories_and_an_empty_day_is_said_plainly(
    bot, botapi
):
    ana, chat = private(botapi)
    # The sample article has no published date: it is dated the day it was added, today.
    [today] = await say(botapi, chat, ana, "¿Qué pasó hoy?")
    shown = visible(today.params["text"])
    day = i18n.date(datetime.now(), "es")  # the archive's "today" is the machine's local day
    assert f"🗓 Publicado el {day}." in shown
    assert ARTICLE_TITLE in shown
    quote = visible(today.params["text"].split("<blockquote>")[1].split("</blockquote>")[0])
    assert quote in SAMPLE_TEXT
    [empty] = await say(botapi, chat, ana, "¿Qué pasó el 3 de marzo de 2020?")
    assert visible(empty.params["text"]) == "🗓 El archivo no tiene nada publicado el 3 mar 2020."
    assert "<blockquote>" not in empty.params["text"]
