"""The JobQueue jobs that deliver each chat's digest: scheduled, re-scheduled, caught up.

Each subscribed chat has one job, due at its next local delivery (digest/schedule.py computes
it; the job is given as a delay measured on the digest service's clock, so tests can move the
clock). A job sends the digest for the local date it was scheduled for, then schedules the next
one. At start-up every chat gets its job, and a chat whose time passed while the bot was down
gets one catch-up. The delivery rules (ledger, 403, migration, 429, timeouts, pacing) live in
digest/delivery.py.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram.ext import JobQueue

from bot.context import BotApplication, BotContext
from bot.digest.schedule import Delivery, DigestTime, catch_up_due, next_delivery
from bot.digest.service import DigestService

__all__ = ["CATCH_UP_PREFIX", "JOB_PREFIX", "job_name", "schedule_chat", "unschedule_chat"]

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
CATCH_UP_PREFIX = "digest-catch-up:"
CATCH_UP_SPACING_SECONDS = 0.5  # catch-ups after downtime start spread out, not all at once


def job_name(chat_id: int) -> str:
    return f"{JOB_PREFIX}{chat_id}"


def schedule_chat(
    queue: JobQueue[BotContext],
    digests: DigestService,
    chat_id: int,
    slot: DigestTime,
    not_before: datetime | None = None,
) -> Delivery:
    """(Re)place the chat's job at its next delivery after now (and after `not_before`)."""
    unschedule_chat(queue, chat_id, catch_up=False)
    now = digests.clock()
    delivery = next_delivery(slot, max(now, not_before) if not_before else now)
    queue.run_once(
        digest_job, when=delivery.due - now, data=delivery, name=job_name(chat_id), chat_id=chat_id
    )
    return delivery


def unschedule_chat(queue: JobQueue[BotContext], chat_id: int, catch_up: bool = True) -> None:
    names = [job_name(chat_id)] + ([f"{CATCH_UP_PREFIX}{chat_id}"] if catch_up else [])
    for name in names:
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()


async def digest_job(context: BotContext) -> None:
    """Deliver the digest this job was scheduled for, then schedule the chat's next one."""
    job = context.job
    if job is None or not isinstance(job.data, Delivery) or job.chat_id is None:
        return
    services, queue = context.services, job_queue(context.application)  # type: ignore[arg-type]
    delivery: Delivery = job.data
    result = await services.delivery.deliver(context.bot, job.chat_id, delivery.local_date)
    log.info("digest %s for chat %s: %s", delivery.local_date, job.chat_id, result.outcome)
    if result.chat_id != job.chat_id:
        unschedule_chat(queue, job.chat_id)  # the group became a supergroup
    digests = services.digests
    subscription = await context.run(digests.subscriptions.get, result.chat_id)
    if subscription is None:  # unsubscribed meanwhile, or removed after a 403
        unschedule_chat(queue, result.chat_id)
        return
    # Never before this delivery's own instant: a job run early cannot repeat its date. A
    # catch-up lands on the chat's regular next delivery, which replaces itself unchanged.
    schedule_chat(queue, digests, result.chat_id, subscription.slot, delivery.due)


def job_queue(application: BotApplication) -> JobQueue[BotContext]:
    if application.job_queue is None:
        raise RuntimeError("the digest feature needs python-telegram-bot[job-queue]")
    return application.job_queue


async def start(application: BotApplication) -> None:
    """Recover what the last shutdown interrupted, then schedule every subscribed chat."""
    services = application.bot_data.services
    digests, pool = services.digests, services.pools.search
    released, uncertain = await pool.run(digests.subscriptions.recover_interrupted, digests.clock())
    if released or uncertain:
        log.warning(
            "digests interrupted by the last shutdown: %d to send again, %d maybe delivered",
            released,
            uncertain,
        )
    queue, catch_ups = job_queue(application), 0
    subscriptions = await pool.run(digests.subscriptions.all)
    for subscription in subscriptions:
        chat_id, slot = subscription.chat_id, subscription.slot
        schedule_chat(queue, digests, chat_id, slot)
        now = digests.clock()
        sent = await pool.run(
            digests.subscriptions.was_sent, chat_id, now.astimezone(slot.zone).date()
        )
        missed = catch_up_due(slot, now, subscription.updated_at, sent)
        if missed is None:
            continue
        queue.run_once(
            digest_job,
            when=CATCH_UP_SPACING_SECONDS * catch_ups,
            data=missed,
            name=f"{CATCH_UP_PREFIX}{chat_id}",
            chat_id=chat_id,
        )
        catch_ups += 1
    log.info("digests scheduled for %d chats, %d catch-ups", len(subscriptions), catch_ups)


async def stop(application: BotApplication) -> None:
    for job in job_queue(application).jobs():
        if (job.name or "").startswith((JOB_PREFIX, CATCH_UP_PREFIX)):
            job.schedule_removal()
