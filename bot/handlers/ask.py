"""Questions: private messages, /ask, mentions and replies in groups, inline mode, buttons.

Each handler parses the update, makes one call to the ask service, renders and replies.
Only new messages are handled (filters.UpdateType.MESSAGE): an edited question never gets a
second answer. In groups the bot speaks only when spoken to, so it never spams a group.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import i18n, render
from bot.asking import Outcome, Reply
from bot.context import BotApplication, BotContext, Feature
from bot.feedback import VoteOutcome
from bot.handlers import NO_PREVIEW
from bot.language import user_language

MORE = "more"
FEEDBACK = "fb"
# A page token is URL-safe base64 (bot/feedback.py); anything else is not our button.
_MORE_DATA = re.compile(rf"^{MORE}:([A-Za-z0-9_-]{{1,64}})$")
_FEEDBACK_DATA = re.compile(rf"^{FEEDBACK}:([A-Za-z0-9_-]{{1,64}}):([+-])$")
_VOTE_ANSWERS = {
    VoteOutcome.STORED: "thanks",
    VoteOutcome.EXPIRED: "expired",
    VoteOutcome.NOT_YOURS: "not_yours",
}
INLINE_CACHE_SECONDS = 60
PRUNE_EVERY = timedelta(hours=6)
PRUNE_JOB = "prune-old-answers"


class _AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return bool(_bot_mentions(message))


ADDRESSED_TO_BOT = _AddressedToBot(name="AddressedToBot")
NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE_QUESTION = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & NEW_MESSAGE
GROUP_QUESTION = (
    filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & NEW_MESSAGE & ADDRESSED_TO_BOT
)


async def ask_private(update: Update, context: BotContext) -> None:
    """In a private chat, any text is a question."""
    message = update.effective_message
    if message and message.text:
        await _answer(message, message.text, context)


async def ask_in_group(update: Update, context: BotContext) -> None:
    """In a group, a message that mentions the bot or replies to it; the mention is dropped."""
    message = update.effective_message
    if message and message.text:
        await _answer(message, _without_bot_mentions(message), context)


async def ask_command(update: Update, context: BotContext) -> None:
    """/ask QUESTION, anywhere; the question keeps its line breaks."""
    message = update.effective_message
    if message and message.text:
        command = message.entities[0] if message.entities else None
        skip = command.length if command and command.offset == 0 else 0
        await _answer(message, message.text[skip:], context)


async def more_results(update: Update, context: BotContext) -> None:
    """The "more results" button: the next page follows as a new message."""
    query = update.callback_query
    match = _MORE_DATA.match(query.data or "") if query else None
    if query is None or match is None or not isinstance(query.message, Message):
        return
    user = query.from_user
    reply = await context.services.asker.more(
        match.group(1),
        chat_id=query.message.chat_id,
        user_id=user.id,
        language_code=user.language_code,
    )
    if reply.outcome is not Outcome.ANSWER:
        alert = reply.outcome in (Outcome.RATE_LIMITED, Outcome.NOT_YOURS)
        await query.answer(_alert(reply), show_alert=alert)
        if reply.outcome in (Outcome.NO_MORE, Outcome.EXPIRED):
            await _drop_more_button(query.message)
        return
    await query.answer()
    await _send(query.message, reply, quote=False)
    await _drop_more_button(query.message)


async def feedback(update: Update, context: BotContext) -> None:
    """👍 / 👎 under an answer: stored with the question and the passages shown."""
    query = update.callback_query
    match = _FEEDBACK_DATA.match(query.data or "") if query else None
    if query is None or match is None:
        return
    language = _language(context, query.from_user.language_code)
    if query.message is None:  # too old for Telegram to say where it was pressed
        await query.answer(i18n.plain("expired", language))
        return
    outcome = await context.services.asker.vote(
        match.group(1),
        chat_id=query.message.chat.id,
        user_id=query.from_user.id,
        vote=1 if match.group(2) == "+" else -1,
    )
    key = _VOTE_ANSWERS[outcome]
    await query.answer(i18n.plain(key, language), show_alert=outcome is VoteOutcome.NOT_YOURS)


async def inline_query(update: Update, context: BotContext) -> None:
    """`@bot question` in any chat: the top quotes, each ready to send with its source."""
    query = update.inline_query
    if query is None:
        return
    user = query.from_user
    if not query.query.strip():
        language = _language(context, user.language_code)
        await query.answer([], button=_inline_button("inline_prompt", language), cache_time=0)
        return
    reply = await context.services.asker.inline(
        query.query, user_id=user.id, language_code=user.language_code
    )
    if reply.outcome is not Outcome.ANSWER:
        await query.answer([], button=_inline_button(_inline_note(reply), reply), cache_time=0)
        return
    await query.answer(_inline_results(reply), cache_time=INLINE_CACHE_SECONDS)


# --- helpers --------------------------------------------------------------------------------


async def _answer(message: Message, question: str, context: BotContext) -> None:
    user = message.from_user
    reply = await context.services.asker.ask(
        question,
        chat_id=message.chat_id,
        user_id=user.id if user else message.chat_id,
        language_code=user.language_code if user else None,
    )
    await _send(message, reply, quote=True)


async def _send(message: Message, reply: Reply, *, quote: bool) -> None:
    """The reply's messages in order; the first quotes the question, the last has the buttons."""
    texts = render.reply_messages(reply)
    markup = _keyboard(reply)
    for index, text in enumerate(texts):
        await message.reply_html(
            text,
            do_quote=quote and index == 0,
            allow_sending_without_reply=True,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup if index == len(texts) - 1 else None,
        )


def _inline_results(reply: Reply) -> list[InlineQueryResultArticle]:
    """One sendable result per quote: a preview line, and the quote with its source."""
    return [
        InlineQueryResultArticle(
            id=f"{p.article_id}:{p.start}:{p.end}",
            title=render.snippet(
                p.title or i18n.plain("untitled", reply.language, id=p.article_id), 64
            ),
            description=render.snippet(p.quote),
            input_message_content=InputTextMessageContent(
                render.inline_message(p, reply.language),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
        )
        for p in reply.passages
    ]


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if reply.outcome is not Outcome.ANSWER or not reply.page_token:
        return None
    language, page = reply.language, reply.page_token
    rows = [
        [
            InlineKeyboardButton(
                i18n.plain("button_up", language), callback_data=f"{FEEDBACK}:{page}:+"
            ),
            InlineKeyboardButton(
                i18n.plain("button_down", language), callback_data=f"{FEEDBACK}:{page}:-"
            ),
        ]
    ]
    if reply.has_more:
        rows.append(
            [
                InlineKeyboardButton(
                    i18n.plain("button_more", language), callback_data=f"{MORE}:{page}"
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


async def _drop_more_button(message: Message) -> None:
    """Keep the 👍/👎 buttons but not "more results", whose page has now been shown."""
    markup = message.reply_markup
    if markup is None:
        return
    rows = [
        [b for b in row if not str(b.callback_data or "").startswith(f"{MORE}:")]
        for row in markup.inline_keyboard
    ]
    kept = InlineKeyboardMarkup([row for row in rows if row])
    if kept != markup:
        await message.edit_reply_markup(kept)


def _alert(reply: Reply) -> str:
    if reply.outcome is Outcome.RATE_LIMITED:
        return i18n.plain("rate_limited_plain", reply.language, seconds=reply.wait_seconds)
    if reply.outcome is Outcome.EXPIRED:
        return i18n.plain("expired", reply.language)
    if reply.outcome is Outcome.NOT_YOURS:
        return i18n.plain("not_yours", reply.language)
    return i18n.plain("no_more", reply.language)


def _inline_note(reply: Reply) -> str:
    if reply.outcome is Outcome.TOO_LONG:
        return "inline_too_long"
    if reply.outcome is Outcome.RATE_LIMITED:
        return "rate_limited_plain"
    return "inline_nothing"


def _inline_button(key: str, reply_or_language: Reply | str) -> InlineQueryResultsButton:
    """The line above inline results; it opens a private chat with the bot (/start help)."""
    if isinstance(reply_or_language, Reply):
        language, seconds = reply_or_language.language, reply_or_language.wait_seconds
    else:
        language, seconds = reply_or_language, 0
    return InlineQueryResultsButton(
        text=i18n.plain(key, language, seconds=seconds), start_parameter="help"
    )


def _language(context: BotContext, language_code: str | None) -> str:
    return user_language(language_code, context.settings.bot.default_language)


def _bot_mentions(message: Message) -> list[MessageEntity]:
    username = (message.get_bot().username or "").lower()
    return [
        entity
        for entity, text in message.parse_entities([MessageEntity.MENTION]).items()
        if text[1:].lower() == username
    ]


def _without_bot_mentions(message: Message) -> str:
    """The message text with every @mention of this bot removed (offsets are UTF-16)."""
    text = (message.text or "").encode("utf-16-le")
    for entity in sorted(_bot_mentions(message), key=lambda e: e.offset, reverse=True):
        text = text[: entity.offset * 2] + text[(entity.offset + entity.length) * 2 :]
    return " ".join(text.decode("utf-16-le").split())


# --- wiring ---------------------------------------------------------------------------------


def commands(language: str) -> list[BotCommand]:
    return [BotCommand("ask", i18n.plain("command_ask", language))]


async def prune_old_answers(context: BotContext) -> None:
    """Forget what is older than `answers_kept_days`, as /help promises, while the bot runs."""
    before = datetime.now(UTC) - timedelta(days=context.settings.bot.answers_kept_days)
    asker = context.services.asker
    await asker.run(asker.prune, before)


async def on_start(application: BotApplication) -> None:
    if application.job_queue is None:  # without the job-queue extra: pruned at start-up only
        return
    application.job_queue.run_repeating(
        prune_old_answers, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB
    )


def register(application: BotApplication) -> None:
    """Handlers of this feature; the private-chat catch-all must stay the last feature's."""
    application.add_handler(CommandHandler("ask", ask_command, filters=NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(more_results, pattern=_MORE_DATA))
    application.add_handler(CallbackQueryHandler(feedback, pattern=_FEEDBACK_DATA))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(MessageHandler(GROUP_QUESTION, ask_in_group))
    application.add_handler(MessageHandler(PRIVATE_QUESTION, ask_private))


FEATURE = Feature("ask", register, commands, on_start=on_start)
