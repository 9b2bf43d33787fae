"""Who may do what, as decorators on handlers: the bot's admins, a chat's managers, the rate limit.

Each guard answers a refused update itself (a reply for a message, an alert for a button) and
never calls the handler, so a handler's body is only the permitted path.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot import i18n
from bot.context import BotContext
from bot.core.limits import QuestionLimiter

__all__ = ["Handler", "admin_only", "chat_managers_only", "rate_limited"]

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
# What a rate-limited update gets: (update, context, seconds to wait, the limit that was hit).
Refusal = Callable[[Update, BotContext, int, int], Awaitable[None]]
_MANAGERS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def is_admin(context: BotContext, user_id: int | None) -> bool:
    """An admin is a numeric id from [bot] admin_ids: never a username or a forward's origin."""
    return user_id is not None and user_id in context.settings.bot.admin_ids


def admin_only(handler: Handler) -> Handler:
    """Only the archive's admins; anyone else gets a short refusal and nothing changes."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        user = update.effective_user
        if is_admin(context, user.id if user else None):
            await handler(update, context)
            return
        refusal = i18n.plain("admin.only", context.language)
        if update.callback_query is not None:
            await update.callback_query.answer(refusal, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(refusal)

    return guarded


def chat_managers_only(refusal_key: str) -> Callable[[Handler], Handler]:
    """Private chats manage themselves; in groups, administrators and the bot's admins."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            message = update.effective_message
            if message is None or update.effective_chat is None:
                return
            if await _may_manage(update, context):
                await handler(update, context)
                return
            await message.reply_html(i18n.html(refusal_key, context.language))

        return guarded

    return decorate


def rate_limited(
    limiter: Callable[[BotContext], QuestionLimiter],
    refuse: Refusal,
    counts: Callable[[Update, BotContext], bool] = lambda update, context: True,
) -> Callable[[Handler], Handler]:
    """At most `limiter`'s questions a minute per person; `counts` says whether this update is
    one (an empty or over-long question is refused by the handler without using the budget)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            if counts(update, context):
                chosen = limiter(context)
                wait = chosen.try_acquire(_asker(update))
                if wait:
                    await refuse(update, context, wait, chosen.limit)
                    return
            await handler(update, context)

        return guarded

    return decorate


async def _may_manage(update: Update, context: BotContext) -> bool:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator speaks as the group itself
    user = message.from_user
    if user is None:
        return False
    if is_admin(context, user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _MANAGERS


def _asker(update: Update) -> int:
    """Whom a question is counted against: the person, or the chat when no person is known."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else 0
