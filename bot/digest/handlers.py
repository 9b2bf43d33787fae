"""/subscribe, /unsubscribe and /digest. The jobs that deliver digests are in digest/jobs.py.

In a group only its administrators (or the bot's admins) may subscribe or unsubscribe it;
anyone may ask for /digest, which shows what is new without changing the subscription.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotApplication, BotContext, Command, Feature
from bot.core.guards import chat_managers_only
from bot.core.replies import NO_PREVIEW
from bot.digest import jobs, view
from bot.digest.service import BadSchedule

__all__ = ["FEATURE"]


@chat_managers_only("digest.admins_only")
async def subscribe_command(update: Update, context: BotContext) -> None:
    """Subscribe this chat, or change its time; the reply names the next local delivery."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None  # checked by the guard
    digests, language = context.services.digests, context.language
    result = await context.run(digests.subscribe, chat.id, context.args or [], language)
    if isinstance(result, BadSchedule):
        await message.reply_html(view.bad_schedule(result, language))
        return
    queue = jobs.job_queue(context.application)  # type: ignore[arg-type]
    delivery = jobs.schedule_chat(queue, digests, chat.id, result.slot)
    await message.reply_html(view.subscribed(result, delivery.due, language))


@chat_managers_only("digest.admins_only")
async def unsubscribe_command(update: Update, context: BotContext) -> None:
    """Stop this chat's digest and its scheduled job."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None  # checked by the guard
    removed = await context.run(context.services.digests.subscriptions.unsubscribe, chat.id)
    jobs.unschedule_chat(jobs.job_queue(context.application), chat.id)  # type: ignore[arg-type]
    await message.reply_html(view.unsubscribed(removed, context.language))


async def digest_command(update: Update, context: BotContext) -> None:
    """What is new since this chat's last digest, now, subscribed or not."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    delivery = context.services.delivery
    async with delivery.chat_lock(chat.id):
        texts, content = await delivery.compose(chat.id, context.language, True)
        for text in texts:
            await message.reply_html(text, link_preview_options=NO_PREVIEW, do_quote=False)
        await context.run(context.services.digests.advance, chat.id, content)


def register(application: BotApplication) -> None:
    message = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("subscribe", subscribe_command, filters=message))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe_command, filters=message))
    application.add_handler(CommandHandler("digest", digest_command, filters=message))


FEATURE = Feature(
    "digest",
    register,
    commands=(
        Command("digest", "command.digest"),
        Command("subscribe", "command.subscribe"),
        Command("unsubscribe", "command.unsubscribe"),
    ),
    help_line="help_line.digest",
    help_rank=2,
    on_start=jobs.start,
    on_stop=jobs.stop,
)
