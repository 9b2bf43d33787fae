"""Benchmark (not a test): 200 questions from 20 chats sent at once, through the Bot API stand-in.

    .venv/bin/python -m tests.bench_bot [--chats 20] [--per-chat 10]

The real application runs against the stand-in on loopback with the sample corpus and the
default embedder and settings (10 questions a minute per person, Telegram's 30 messages a
second through the rate limiter). Prints the median and p95 time from an update being
available to its answer arriving at the stand-in, and checks that no question was lost or
answered twice. Exits 1 if one was.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.app import build_application, running
from tests.botapi import TOKEN, BotAPI, visible
from tests.conftest import ingest, sample_drafts, settings_for

QUESTIONS = (
    "¿Qué dijo Ucrania sobre la visita de Shoigu?",
    "What did Ukraine say about Shoigu's visit?",
    "¿Qué dijo Estados Unidos sobre un acuerdo de armas entre Rusia y Corea del Norte?",
    "¿Quién es Vadim Skibitski?",
    "What did Kim Jong-un wish Putin?",
    "¿Qué opina Skibitski de una ofensiva rusa?",
    "¿Qué agencia de noticias recogió las palabras del ministro norcoreano?",
    "Does Russia need artillery ammunition?",
    "¿Cuál es la receta de la paella valenciana?",
    "Who won the football world cup in 2010?",
)

_KINDS = {"📰": "quotes", "🤷": "not found", "⏳": "rate limited", "⚠": "error"}


async def bench(chats: int, per_chat: int, data_dir: Path) -> int:
    api = BotAPI().start()
    try:
        settings = settings_for(data_dir, api)
        application = build_application(settings, TOKEN)
        async with running(application):
            await api.wait_for("getUpdates", timeout=60)
            people = [api.user(f"P{n}", "es" if n % 2 else "en") for n in range(chats)]
            rooms = [api.private_chat(p) for p in people]
            sent: dict[tuple[int, int], float] = {}
            started = time.perf_counter()
            for round_ in range(per_chat):
                for n, (person, room) in enumerate(zip(people, rooms, strict=True)):
                    text = QUESTIONS[(n + round_) % len(QUESTIONS)]
                    message = api.send_message(room, person, text)
                    sent[(room["id"], message["message_id"])] = time.perf_counter()
            await api.wait_until(lambda: _answered(api) >= len(sent), timeout=900)
            finished = time.perf_counter()
            await api.settle(quiet=1.0, timeout=60)
        return _report(api, sent, finished - started, chats, per_chat)
    finally:
        api.stop()


def _answered(api: BotAPI) -> int:
    return len({_question_of(c.params) for c in api.calls("sendMessage", ok=True)})


def _question_of(params: dict) -> tuple[int, int]:
    reply = params.get("reply_parameters") or {}
    return int(params["chat_id"]), int(reply.get("message_id", 0))


def _report(
    api: BotAPI, sent: dict[tuple[int, int], float], wall: float, chats: int, per_chat: int
) -> int:
    answers = api.calls("sendMessage", ok=True)
    replies = Counter(_question_of(c.params) for c in answers)
    first_at: dict[tuple[int, int], float] = {}
    kinds: Counter[str] = Counter()
    for call in answers:
        key = _question_of(call.params)
        first_at.setdefault(key, call.at)
        kinds[_KINDS.get(visible(call.params["text"])[:1], "other")] += 1
    lost = [k for k in sent if k not in replies]
    twice = [k for k in sent if replies.get(k, 0) > 1]
    latencies = sorted(first_at[k] - sent[k] for k in sent if k in first_at)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print(f"questions:        {len(sent)} from {chats} chats ({per_chat} each), sent at once")
    print(f"answered:         {len(sent) - len(lost)}  lost: {len(lost)}  twice: {len(twice)}")
    print(f"answers:          {dict(kinds)}")
    print(
        f"update→answer:    median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s"
    )
    print(f"all answered in:  {wall:.1f} s ({len(sent) / wall:.1f} questions/s)")
    print(f"failed API calls: {len(api.calls(ok=False))}")
    return 1 if lost or twice else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--per-chat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hemeroteca-bench-") as directory:
        data_dir = Path(directory)
        print("ingesting corpus/samples ...", file=sys.stderr)
        ingest(settings_for(data_dir), [draft for _, draft in sample_drafts()])
        return asyncio.run(bench(args.chats, args.per_chat, data_dir))


if __name__ == "__main__":
    sys.exit(main())
