"""Daily digests through the real application and the Bot API stand-in, on a controllable clock.

The digest feature reads time from an injected clock and gives the JobQueue delays measured on
it, so a test sets the clock to any day and runs the due jobs itself (`fire`) instead of
waiting; the end-to-end test lets the real JobQueue fire a job due a second later.
"""

from __future__ import annotations

import asyncio
import re
import time as wallclock
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, Settings
from bot.context import BotApplication, Hooks
from bot.digest.delivery import DeliveryOutcome, Pacer
from bot.digest.jobs import JOB_PREFIX, job_name, schedule_chat
from bot.digest.schedule import Delivery, parse_subscribe_args
from bot.digest.service import DigestService
from bot.digest.state import DeliveryStatus
from corpus.models import ArticleDraft
from tests.botapi import BotAPI, JSONDict, send_message
from tests.builders import say

SAMPLE_TITLE = "Kim Jong-un y Putin prometen estrechar la cooperación militar"


class Clock:
    """Now, as the digest feature sees it; tests move it by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int, minute: int) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=UTC)


def quick_pacer() -> Pacer:
    return Pacer(per_second=1000, per_chat_interval=0, group_interval=0)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def run_bot(start_bot: Any, settings: Settings, clock: Clock) -> Callable[..., Any]:
    """`async with run_bot(**options) as app`: the bot with the digest feature on `clock`."""

    @asynccontextmanager
    async def start(
        custom: Settings | None = None, clock_: Callable[[], datetime] | None = None, **options: Any
    ) -> AsyncIterator[BotApplication]:
        hooks = Hooks(clock=clock_ or clock, pacer=quick_pacer, **options)
        async with start_bot(custom or settings, hooks=hooks) as app:
            yield app

    return start


def digests(app: BotApplication) -> DigestService:
    return app.bot_data.services.digests


def jobs(app: BotApplication) -> dict[int, Delivery]:
    """Each chat's scheduled regular digest job: what it will deliver."""
    assert app.job_queue is not None
    return {
        int(job.chat_id): job.data
        for job in app.job_queue.jobs()
        if (job.name or "").startswith(JOB_PREFIX)
        and job.chat_id is not None
        and isinstance(job.data, Delivery)
    }


async def fire(app: BotApplication, clock: Clock) -> list[int]:
    """Run, concurrently as the JobQueue would, every digest job due by the clock."""
    assert app.job_queue is not None
    due = [
        job
        for job in app.job_queue.jobs()
        if (job.name or "").startswith(JOB_PREFIX)
        and isinstance(job.data, Delivery)
        and job.data.due <= clock()
    ]
    await asyncio.gather(*(job.run(app) for job in due))
    return [int(job.chat_id) for job in due if job.chat_id is not None]


async def command(botapi: BotAPI, chat: JSONDict, user: JSONDict, text: str) -> str:
    """A person sends a command; the bot's reply text (HTML as sent)."""
    [reply] = await say(botapi, chat, user, text)
    return reply.params["text"]


def delivered(botapi: BotAPI, chat_id: int) -> list[str]:
    return botapi.sent_texts(chat_id)


# --- subscribing --------------------------------------------------------------------------------


async def test_two_timezones_get_their_digest_at_their_own_local_minute(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    ana, bob = botapi.user("Ana", "es"), botapi.user("Bob", "en")
    ana_chat, bob_chat = botapi.private_chat(ana), botapi.private_chat(bob)
    async with run_bot() as app:
        reply = await command(botapi, ana_chat, ana, "/subscribe 07:30 Europe/Madrid")
        assert "<b>07:30</b> (Europe/Madrid)" in reply
        assert "El próximo resumen: 11 jun 2025, 07:30." in reply
        reply = await command(botapi, bob_chat, bob, "/subscribe America/Bogota 07:30")
        assert "Next digest: 10 Jun 2025, 07:30." in reply

        scheduled = jobs(app)
        assert scheduled[ana["id"]] == Delivery(
            date(2025, 6, 11), clock.now.replace(day=11, hour=5, minute=30)
        )
        assert scheduled[bob["id"]] == Delivery(
            date(2025, 6, 10), clock.now.replace(hour=12, minute=30)
        )
        # The JobQueue's own timer: the same distance ahead as on the feature's clock.
        assert app.job_queue is not None
        [bob_job] = app.job_queue.get_jobs_by_name(job_name(bob["id"]))
        assert bob_job.next_t is not None
        ahead = bob_job.next_t - datetime.now(UTC)
        assert timedelta(minutes=29) < ahead <= timedelta(minutes=30)

        clock.set(2025, 6, 10, 12, 29)
        assert await fire(app, clock) == []
        clock.set(2025, 6, 10, 12, 30)  # 07:30 in Bogotá, 14:30 in Madrid
        assert await fire(app, clock) == [bob["id"]]
        [digest] = delivered(botapi, bob["id"])[1:]
        assert digest.startswith("📰 <b>New in the archive</b> · 1 new article")
        assert SAMPLE_TITLE in digest and "<blockquote>" in digest
        assert len(delivered(botapi, ana["id"])) == 1  # only the /subscribe confirmation

        clock.set(2025, 6, 11, 5, 30)  # 07:30 in Madrid
        assert await fire(app, clock) == [ana["id"]]
        [digest] = delivered(botapi, ana["id"])[1:]
        assert digest.startswith("📰 <b>Novedades del archivo</b> · 1 artículo nuevo")

        subs = digests(app).subscriptions
        assert subs.status(bob["id"], date(2025, 6, 10)) is DeliveryStatus.SENT
        assert subs.status(ana["id"], date(2025, 6, 11)) is DeliveryStatus.SENT
        # Each chat's next job is its next local day.
        assert jobs(app)[ana["id"]].local_date == date(2025, 6, 12)
        assert jobs(app)[bob["id"]].local_date == date(2025, 6, 11)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "/subscribe 25:00", "⏰ «25:00» no es una hora válida. Usa HH:MM"),
        ("en", "/subscribe 7:60 UTC", "⏰ “7:60” is not a valid time. Use HH:MM"),
        ("es", "/subscribe Marte/Olimpo", "🌍 No conozco la zona horaria «Marte/Olimpo»"),
        ("en", "/subscribe 08:00 Madrid", "🌍 I do not know the timezone “Madrid”"),
        ("es", "/subscribe 07:00 08:00", "⏰ Indica una sola hora"),
        ("en", "/subscribe UTC Europe/Madrid", "🌍 Give one timezone only"),
        ("es", "/subscribe 07:00 UTC más", "Como mucho una hora y una zona horaria"),
        ("en", "/subscribe <b>&", "I do not know the timezone “&lt;b&gt;&amp;”"),
    ],
)
async def test_invalid_subscribe_arguments_get_a_clear_answer_and_change_nothing(
    run_bot: Any, botapi: BotAPI, language: str, text: str, expected: str
) -> None:
    user = botapi.user("Eva", language)
    chat = botapi.private_chat(user)
    async with run_bot() as app:
        reply = await command(botapi, chat, user, text)
        assert expected in reply
        if "Como mucho" not in expected:
            assert "<code>/subscribe 07:30 Europe/Madrid</code>" in reply
        assert digests(app).subscriptions.get(chat["id"]) is None
        assert chat["id"] not in jobs(app)


async def test_subscribing_again_moves_the_time_and_unsubscribe_stops_it(
    run_bot: Any, botapi: BotAPI
) -> None:
    ana = botapi.user("Ana", "es")
    chat = botapi.private_chat(ana)
    async with run_bot() as app:
        await command(botapi, chat, ana, "/subscribe")  # the config's default: 08:00 Madrid
        assert jobs(app)[chat["id"]].due.hour == 6  # 08:00 CEST
        await command(botapi, chat, ana, "/subscribe 21:15")
        assert jobs(app)[chat["id"]].due == datetime(2025, 6, 10, 19, 15, tzinfo=UTC)
        assert len([n for n in jobs(app) if n == chat["id"]]) == 1
        assert "Suscripción cancelada" in await command(botapi, chat, ana, "/unsubscribe")
        assert chat["id"] not in jobs(app)
        assert "no estaba suscrito" in await command(botapi, chat, ana, "/unsubscribe")


async def test_in_groups_only_administrators_and_bot_admins_manage_the_digest(
    run_bot: Any, botapi: BotAPI, settings: Settings
) -> None:
    group = botapi.group("Redacción")
    member, admin, boss = (
        botapi.user("Mia", "es"),
        botapi.user("Ada", "es"),
        botapi.user("Jo", "en"),
    )
    botapi.set_member_status(group, admin, "administrator")
    custom = replace(settings, bot=replace(settings.bot, admin_ids=(boss["id"],)))
    async with run_bot(custom) as app:
        subs = digests(app).subscriptions
        refused = await command(botapi, group, member, "/subscribe 07:00")
        assert "Solo los administradores del grupo" in refused
        assert subs.get(group["id"]) is None
        assert botapi.calls("getChatMember", chat_id=group["id"], user_id=member["id"])

        assert "Suscrito" in await command(botapi, group, admin, "/subscribe 07:00")
        assert subs.get(group["id"]) is not None
        assert "Solo los administradores" in await command(botapi, group, member, "/unsubscribe")
        assert subs.get(group["id"]) is not None
        # A bot admin needs no group rights (and is not even looked up).
        assert "Unsubscribed" in await command(botapi, group, boss, "/unsubscribe")
        assert not botapi.calls("getChatMember", user_id=boss["id"])
        assert subs.get(group["id"]) is None


@pytest.mark.parametrize(
    ("digest", "message"),
    [
        ({"default_timezone": "Europe/Nowhere"}, "'Europe/Nowhere' is not a known timezone"),
        ({"default_time": "8am"}, "'8am' is not a time of day"),
        ({"max_articles": 0}, "max_articles must be at least 1, got 0"),
    ],
)
async def test_bad_digest_defaults_stop_the_bot_at_start_up_with_a_clear_error(
    run_bot: Any, settings: Settings, digest: dict[str, Any], message: str
) -> None:
    custom = replace(settings, digest=replace(settings.digest, **digest))
    with pytest.raises(ConfigError, match=re.escape(message)):
        async with run_bot(custom):
            pass


# --- delivering ---------------------------------------------------------------------------------


async def subscribe(app: BotApplication, chat_id: int, at: str, zone: str, language: str = "es"):
    """Store a subscription and schedule it as /subscribe does (for delivery tests)."""
    slot = parse_subscribe_args([at, zone], "08:00", "Europe/Madrid")
    service = digests(app)
    pool = app.bot_data.services.pools.search
    await pool.run(service.subscriptions.subscribe, chat_id, slot, language, service.clock())
    assert app.job_queue is not None
    return schedule_chat(app.job_queue, service, chat_id, slot)


async def test_no_double_send_across_a_restart_and_one_catch_up_after_downtime(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    ana = botapi.user("Ana", "es")
    chat = botapi.private_chat(ana)
    clock.set(2025, 6, 10, 5, 0)  # 07:00 in Madrid
    async with run_bot() as app:
        await subscribe(app, chat["id"], "07:30", "Europe/Madrid")
    # Down from 07:00 to 11:00 Madrid time: the 07:30 digest was missed.
    clock.set(2025, 6, 10, 9, 0)
    async with run_bot() as app:
        [digest] = [
            c.params["text"] for c in await botapi.wait_for("sendMessage", chat_id=chat["id"])
        ]
        assert SAMPLE_TITLE in digest
        subs = digests(app).subscriptions
        await botapi.wait_until(lambda: subs.status(chat["id"], date(2025, 6, 10)) == "sent")
        assert jobs(app)[chat["id"]].local_date == date(2025, 6, 11)
        # The same date again, as a racing job or a second instance would: refused.
        delivery = app.bot_data.services.delivery
        result = await delivery.deliver(app.bot, chat["id"], date(2025, 6, 10))
        assert result.outcome is DeliveryOutcome.ALREADY
    clock.set(2025, 6, 10, 10, 0)
    async with run_bot() as app:
        await botapi.settle(quiet=0.5)
        assert len(delivered(botapi, chat["id"])) == 1
        assert jobs(app)[chat["id"]].local_date == date(2025, 6, 11)


async def test_forbidden_unsubscribes_that_chat_and_the_others_still_get_theirs(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    gone, stays = botapi.user("Gus", "es"), botapi.user("Sol", "es")
    gone_chat, stays_chat = botapi.private_chat(gone), botapi.private_chat(stays)
    botapi.fail("sendMessage", 403, when=lambda p: int(p["chat_id"]) == gone["id"])
    async with run_bot() as app:
        await subscribe(app, gone["id"], "15:00", "Europe/Madrid")
        await subscribe(app, stays["id"], "15:00", "Europe/Madrid")
        clock.set(2025, 6, 10, 13, 0)
        assert sorted(await fire(app, clock)) == sorted([gone["id"], stays["id"]])
        subs = digests(app).subscriptions
        assert subs.get(gone_chat["id"]) is None
        assert subs.status(gone["id"], date(2025, 6, 10)) is DeliveryStatus.FAILED
        assert gone["id"] not in jobs(app)
        assert len(delivered(botapi, stays_chat["id"])) == 1
        assert subs.status(stays["id"], date(2025, 6, 10)) is DeliveryStatus.SENT


async def test_a_migrated_group_moves_its_subscription_and_gets_the_digest_there(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    old = botapi.group("Redacción", supergroup=False)
    new = botapi.group("Redacción", supergroup=True)
    botapi.fail(
        "sendMessage",
        400,
        migrate_to_chat_id=new["id"],
        times=100,
        when=lambda p: int(p["chat_id"]) == old["id"],
    )
    async with run_bot() as app:
        await subscribe(app, old["id"], "15:00", "Europe/Madrid")
        clock.set(2025, 6, 10, 13, 0)
        await fire(app, clock)
        subs = digests(app).subscriptions
        assert subs.get(old["id"]) is None
        moved = subs.get(new["id"])
        assert moved is not None and moved.slot.hhmm == "15:00"
        [digest] = delivered(botapi, new["id"])
        assert SAMPLE_TITLE in digest
        assert subs.status(new["id"], date(2025, 6, 10)) is DeliveryStatus.SENT
        assert list(jobs(app)) == [new["id"]]
        assert jobs(app)[new["id"]].local_date == date(2025, 6, 11)


async def test_429_is_waited_out_and_delivered_once(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    ana = botapi.user("Ana", "es")
    botapi.private_chat(ana)
    # Waited out and resent by python-telegram-bot's rate limiter, the only layer that resends a
    # 429, inside one attempt of the digest's (tests/test_bot_retries.py: 2 and 4 in a row).
    botapi.fail("sendMessage", 429, retry_after=1, when=lambda p: int(p["chat_id"]) == ana["id"])
    async with run_bot() as app:
        await subscribe(app, ana["id"], "15:00", "Europe/Madrid")
        clock.set(2025, 6, 10, 13, 0)
        started = wallclock.monotonic()
        await fire(app, clock)
        assert wallclock.monotonic() - started >= 1.0
        assert len(botapi.calls("sendMessage", ok=False, chat_id=ana["id"])) == 1
        assert len(delivered(botapi, ana["id"])) == 1
        row = digests(app).subscriptions.delivery_row(ana["id"], date(2025, 6, 10))
        assert row is not None and (row["status"], row["attempts"], row["parts_sent"]) == (
            "sent",
            1,
            1,
        )


async def test_a_timeout_after_which_telegram_may_have_delivered_is_not_resent(
    run_bot: Any, botapi: BotAPI, clock: Clock
) -> None:
    ana = botapi.user("Ana", "es")
    botapi.private_chat(ana)

    def slow_send(api: BotAPI, params: JSONDict) -> JSONDict:
        if int(params["chat_id"]) == ana["id"]:
            wallclock.sleep(1.0)  # Telegram takes the message, but answers too late
        return send_message(api, params)

    botapi.add_method("sendMessage", slow_send)
    async with run_bot(send_timeout=0.3) as app:
        await subscribe(app, ana["id"], "15:00", "Europe/Madrid")
        clock.set(2025, 6, 10, 13, 0)
        await fire(app, clock)
        subs = digests(app).subscriptions
        assert subs.status(ana["id"], date(2025, 6, 10)) is DeliveryStatus.UNCERTAIN
        await botapi.settle(quiet=1.2)
        assert len(botapi.calls("sendMessage", chat_id=ana["id"])) == 1  # sent once, not retried
        assert jobs(app)[ana["id"]].local_date == date(2025, 6, 11)
    async with run_bot() as app:  # and not by a restart's catch-up either
        await botapi.settle(quiet=0.5)
        assert len(botapi.calls("sendMessage", chat_id=ana["id"])) == 1


async def test_digest_command_shows_what_is_new_then_nothing_new(
    run_bot: Any, botapi: BotAPI
) -> None:
    bob = botapi.user("Bob", "en")
    chat = botapi.private_chat(bob)
    async with run_bot():
        first = await command(botapi, chat, bob, "/digest")
        assert first.startswith("📰 <b>New in the archive</b> · 1 new article")
        assert SAMPLE_TITLE in first
        again = await command(botapi, chat, bob, "/digest")
        assert again == "📰 Nothing new in the archive since the last digest."


# --- end to end ---------------------------------------------------------------------------------


async def test_end_to_end_a_chat_subscribed_for_the_next_minute_gets_a_just_added_article(
    run_bot: Any, botapi: BotAPI
) -> None:
    """The real JobQueue fires the job. The article is added through Archive.ingest (the admin
    forward feature was not there yet); then the feature's clock, which runs with real time, is
    shifted so that the next minute starts 2.5 s later, and the chat subscribes for that minute
    in Kolkata's time (UTC+05:30)."""
    shift = timedelta(0)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    ana = botapi.user("Ana", "es")
    chat = botapi.private_chat(ana)
    async with run_bot(clock_=clock) as app:
        draft = ArticleDraft(
            title="El puerto de Valencia amplía su terminal norte",
            text="El puerto de Valencia ha aprobado este lunes la ampliación de su terminal "
            "norte, que duplicará la capacidad de contenedores en 2027.",
            source="Levante",
        )
        services = app.bot_data.services
        result = await services.pools.search.run(services.archive.ingest, [("forward", draft)])
        assert result.added

        real = datetime.now(UTC)
        shift = (real.replace(second=57, microsecond=500_000) - real) % timedelta(minutes=1)
        kolkata = ZoneInfo("Asia/Kolkata")
        at = (clock() + timedelta(minutes=1)).astimezone(kolkata).strftime("%H:%M")
        reply = await command(botapi, chat, ana, f"/subscribe {at} Asia/Kolkata")
        assert f"<b>{at}</b> (Asia/Kolkata)" in reply
        subscribed = wallclock.monotonic()

        calls = await botapi.wait_for("sendMessage", count=2, chat_id=chat["id"], timeout=10)
        assert 0.5 < wallclock.monotonic() - subscribed < 5  # at the minute, not at once
        digest = calls[1].params["text"]
        assert digest.startswith("📰 <b>Novedades del archivo</b> · 2 artículos nuevos")
        assert digest.index("El puerto de Valencia amplía") < digest.index(SAMPLE_TITLE)
        assert "• <b>El puerto de Valencia amplía su terminal norte</b> — Levante" in digest
        assert (
            "<blockquote>El puerto de Valencia ha aprobado este lunes la ampliación de su "
            "terminal norte, que duplicará la capacidad de contenedores en 2027.</blockquote>"
        ) in digest
        today = clock().astimezone(kolkata).date()
        subs = digests(app).subscriptions
        await botapi.wait_until(lambda: subs.status(chat["id"], today) is DeliveryStatus.SENT)
