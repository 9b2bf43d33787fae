"""The one error handler: log with enough context to debug, tell the person without internals.

A 403 (the person blocked the bot, or it was removed from the group) is expected life for a
bot, not a bug: it is logged as a warning and nobody is messaged, since nobody can be.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError

from bot import i18n
from bot.context import BotContext

__all__ = ["on_error"]

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Registered with application.add_error_handler for every handler and job."""
    error = context.error
    where = _describe(update)
    if isinstance(error, Forbidden):
        log.warning("Telegram refused delivery (%s): %s", where, error.message)
        return
    if update is None and isinstance(error, NetworkError):
        log.warning("network trouble talking to Telegram (%s); retrying", error.message)
        return
    log.error("failed to handle %s", where, exc_info=error)
    if isinstance(update, Update):
        await _apologise(update, context)


async def _apologise(update: Update, context: BotContext) -> None:
    language = context.language
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(i18n.plain("error.alert", language), show_alert=True)
        elif update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(
                update.effective_chat.id,
                i18n.html("error.message", language),
                parse_mode=ParseMode.HTML,
            )
    except TelegramError as error:
        log.warning("could not tell %s that something went wrong: %s", _describe(update), error)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return "a job or the polling loop" if update is None else type(update).__name__
    parts = [f"update {update.update_id}"]
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id} ({update.effective_chat.type})")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    kind = next(
        (name for name in ("message", "callback_query", "inline_query") if getattr(update, name)),
        "other",
    )
    parts.append(kind)
    return ", ".join(parts)
