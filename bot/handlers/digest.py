"""/subscribe, /unsubscribe, /digest, and the JobQueue jobs that deliver each chat's digest.

Each subscribed chat has one job, due at its next local delivery (bot/schedule.py computes it;
the job is given as a delay measured on the feature's clock, so tests can move the clock). A job
sends the digest for the local date it was scheduled for, then schedules the next one. At start-up
every chat gets its job, and a chat whose time passed while the bot was down gets one catch-up.
All the delivery rules (ledger, 403, migration, 429, timeouts, pacing) live in bot/delivery.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import BotCommand, Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import CommandHandler, JobQueue, filters

from bot import i18n
from bot.config import ConfigError
from bot.context import BotApplication, BotContext, Feature
from bot.delivery import Clock, DigestDelivery, Pacer
from bot.handlers import NO_PREVIEW
from bot.language import user_language
from bot.schedule import (
    Delivery,
    DigestTime,
    ScheduleError,
    catch_up_due,
    next_delivery,
    parse_subscribe_args,
)
from bot.settings import DigestSettings
from bot.subscriptions import Subscriptions

__all__ = ["FEATURE", "JOB_PREFIX", "digest_feature", "job_name"]

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
CATCH_UP_PREFIX = "digest-catch-up:"
CATCH_UP_SPACING_SECONDS = 0.5  # catch-ups after downtime start spread out, not all at once
_MANAGERS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def job_name(chat_id: int) -> str:
    return f"{JOB_PREFIX}{chat_id}"


def _language(update: Update, context: BotContext) -> str:
    user = update.effective_user
    return user_language(
        user.language_code if user else None, context.settings.bot.default_language
    )


def _digests(context: BotContext) -> DigestDelivery:
    digests = context.services.digests
    if digests is None:
        raise RuntimeError("the digest feature did not start (its on_start hook never ran)")
    return digests


# --- commands -------------------------------------------------------------------------------


async def subscribe_command(update: Update, context: BotContext) -> None:
    """Subscribe this chat, or change its time; the reply names the next local delivery."""
    managed = await _managed_chat(update, context)
    if managed is None:
        return
    message, chat, language = managed
    digest = context.settings.digest
    try:
        slot = parse_subscribe_args(
            context.args or [], digest.default_time, digest.default_timezone
        )
    except ScheduleError as error:
        await message.reply_html(i18n.html(f"digest_{error.code}", language, value=error.value))
        return
    digests = _digests(context)
    await digests.run(digests.subscriptions.subscribe, chat.id, slot, language, digests.clock())
    delivery = schedule_chat(_queue(context), digests, chat.id, slot)
    await message.reply_html(
        i18n.html(
            "digest_subscribed",
            language,
            time=slot.hhmm,
            timezone=slot.timezone,
            next=_local(delivery, slot, language),
        )
    )


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    """Stop this chat's digest and its scheduled job."""
    managed = await _managed_chat(update, context)
    if managed is None:
        return
    message, chat, language = managed
    digests = _digests(context)
    removed = await digests.run(digests.subscriptions.unsubscribe, chat.id)
    unschedule_chat(_queue(context), chat.id)
    await message.reply_html(
        i18n.html("digest_unsubscribed" if removed else "digest_not_subscribed", language)
    )


async def digest_command(update: Update, context: BotContext) -> None:
    """What is new since this chat's last digest, now, subscribed or not."""
    message, chat, language = (
        update.effective_message,
        update.effective_chat,
        _language(update, context),
    )
    if message is None or chat is None:
        return
    digests = _digests(context)
    async with digests.chat_lock(chat.id):
        messages, content = await digests.run(digests.compose, chat.id, language, True)
        for text in messages:
            await message.reply_html(text, link_preview_options=NO_PREVIEW, do_quote=False)
        if content.covered_until is not None:
            await digests.run(digests.subscriptions.advance, chat.id, content.covered_until)


async def _managed_chat(update: Update, context: BotContext) -> tuple[Message, Chat, str] | None:
    """The message, chat and language when the sender may manage the chat's digest.

    Anyone else gets the polite refusal here, and None.
    """
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None
    language = _language(update, context)
    if not await _may_manage(message, chat, context):
        await message.reply_html(i18n.html("digest_admins_only", language))
        return None
    return message, chat, language


async def _may_manage(message: Message, chat: Chat, context: BotContext) -> bool:
    """Private chats manage themselves; in groups, administrators and the bot's admins."""
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator speaks as the group itself
    user = message.from_user
    if user is None:
        return False
    if user.id in context.settings.bot.admin_ids:
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _MANAGERS


def _local(delivery: Delivery, slot: DigestTime, language: str) -> str:
    local = delivery.due.astimezone(slot.zone)
    return f"{i18n.date(local, language)}, {local.strftime('%H:%M')}"


# --- jobs -----------------------------------------------------------------------------------


def schedule_chat(
    queue: JobQueue[BotContext],
    digests: DigestDelivery,
    chat_id: int,
    slot: DigestTime,
    not_before: datetime | None = None,
) -> Delivery:
    """(Re)place the chat's job at its next delivery after now (and after `not_before`)."""
    unschedule_chat(queue, chat_id, catch_up=False)
    now = digests.clock()
    delivery = next_delivery(slot, max(now, not_before) if not_before else now)
    queue.run_once(
        _digest_job, when=delivery.due - now, data=delivery, name=job_name(chat_id), chat_id=chat_id
    )
    return delivery


def unschedule_chat(queue: JobQueue[BotContext], chat_id: int, catch_up: bool = True) -> None:
    names = [job_name(chat_id)] + ([f"{CATCH_UP_PREFIX}{chat_id}"] if catch_up else [])
    for name in names:
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()


async def _digest_job(context: BotContext) -> None:
    """Deliver the digest this job was scheduled for, then schedule the chat's next one."""
    job = context.job
    if job is None or not isinstance(job.data, Delivery) or job.chat_id is None:
        return
    digests = _digests(context)
    delivery: Delivery = job.data
    result = await digests.deliver(context.bot, job.chat_id, delivery.local_date)
    log.info("digest %s for chat %s: %s", delivery.local_date, job.chat_id, result.outcome)
    if result.chat_id != job.chat_id:
        unschedule_chat(_queue(context), job.chat_id)  # the group became a supergroup
    subscription = await digests.run(digests.subscriptions.get, result.chat_id)
    if subscription is None:  # unsubscribed meanwhile, or removed after a 403
        unschedule_chat(_queue(context), result.chat_id)
        return
    # Never before this delivery's own instant: a job run early cannot repeat its date. A
    # catch-up lands on the chat's regular next delivery, which replaces itself unchanged.
    schedule_chat(_queue(context), digests, result.chat_id, subscription.slot, delivery.due)


def _queue(context: BotContext) -> JobQueue[BotContext]:
    return _job_queue(context.application)  # type: ignore[arg-type]  # PTB's generic Application


def _job_queue(application: BotApplication) -> JobQueue[BotContext]:
    if application.job_queue is None:
        raise RuntimeError("the digest feature needs python-telegram-bot[job-queue]")
    return application.job_queue


# --- the feature ----------------------------------------------------------------------------


def digest_feature(
    clock: Clock | None = None,
    pacer_factory: Callable[[], Pacer] = Pacer,
    send_timeout: float | None = None,
) -> Feature:
    """The digest feature; tests pass a controllable clock, a quicker pacer, a short timeout."""
    now = clock or (lambda: datetime.now(UTC))

    async def on_start(application: BotApplication) -> None:
        services = application.bot_data.services
        check_settings(services.settings.digest)
        store = services.archive.store
        subscriptions = await services.run(Subscriptions, store)
        digests = DigestDelivery(
            store,
            subscriptions,
            services.settings.digest,
            services.executor,
            now,
            pacer_factory(),
            send_timeout=send_timeout,
        )
        services.digests = digests
        released, uncertain = await digests.run(subscriptions.recover_interrupted, now())
        if released or uncertain:
            log.warning(
                "digests interrupted by the last shutdown: %d to send again, %d maybe delivered",
                released,
                uncertain,
            )
        await _schedule_all(application, digests)

    async def on_stop(application: BotApplication) -> None:
        for job in _job_queue(application).jobs():
            if (job.name or "").startswith((JOB_PREFIX, CATCH_UP_PREFIX)):
                job.schedule_removal()

    return Feature("digest", register, commands, on_start, on_stop)


def check_settings(settings: DigestSettings) -> None:
    """Refuse to start on a default a person would only discover by running /subscribe."""
    try:
        parse_subscribe_args([], settings.default_time, settings.default_timezone)
    except ScheduleError as error:
        raise ConfigError(f"[digest] default_time / default_timezone: {error}") from error
    if settings.max_articles < 1:
        raise ConfigError(f"[digest] max_articles must be at least 1, got {settings.max_articles}")


async def _schedule_all(application: BotApplication, digests: DigestDelivery) -> None:
    """Every subscription's next job, plus one catch-up per chat whose time passed while down."""
    subscriptions = await digests.run(digests.subscriptions.all)
    catch_ups = 0
    for subscription in subscriptions:
        chat_id, slot = subscription.chat_id, subscription.slot
        schedule_chat(_job_queue(application), digests, chat_id, slot)
        now = digests.clock()
        today = now.astimezone(slot.zone).date()
        sent = await digests.run(digests.subscriptions.was_sent, chat_id, today)
        missed = catch_up_due(slot, now, subscription.updated_at, sent)
        if missed is None:
            continue
        _job_queue(application).run_once(
            _digest_job,
            when=CATCH_UP_SPACING_SECONDS * catch_ups,
            data=missed,
            name=f"{CATCH_UP_PREFIX}{chat_id}",
            chat_id=chat_id,
        )
        catch_ups += 1
    log.info("digests scheduled for %d chats, %d catch-ups", len(subscriptions), catch_ups)


def commands(language: str) -> list[BotCommand]:
    return [
        BotCommand("digest", i18n.plain("command_digest", language)),
        BotCommand("subscribe", i18n.plain("command_subscribe", language)),
        BotCommand("unsubscribe", i18n.plain("command_unsubscribe", language)),
    ]


def register(application: BotApplication) -> None:
    message = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("subscribe", subscribe_command, filters=message))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe_command, filters=message))
    application.add_handler(CommandHandler("digest", digest_command, filters=message))


FEATURE = digest_feature()
