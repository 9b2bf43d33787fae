"""Questions: private messages, /ask, mentions and replies in groups, inline mode, buttons.

Each handler parses the update, makes one call to the ask service, renders with the view and
replies. Only new messages are handled (filters.UpdateType.MESSAGE): an edited question never
gets a second answer. In groups the bot speaks only when spoken to, so it never spams a group.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import (
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

from bot.ask import view
from bot.ask.service import Expired, NoMore, NotYours, Page
from bot.ask.state import VoteOutcome
from bot.context import BotApplication, BotContext, Command, Feature
from bot.core.callbacks import FEEDBACK, MORE
from bot.core.guards import rate_limited
from bot.core.limits import QuestionLimiter
from bot.core.replies import NO_PREVIEW, pressed, reply_all

__all__ = ["FEATURE"]

INLINE_CACHE_SECONDS = 60


class _AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == message.get_bot().id:
            return True
        return bool(_bot_mentions(message))


NEW_MESSAGE = filters.UpdateType.MESSAGE
TEXT = filters.TEXT & ~filters.COMMAND & NEW_MESSAGE
PRIVATE_QUESTION = filters.ChatType.PRIVATE & TEXT
GROUP_QUESTION = filters.ChatType.GROUPS & TEXT & _AddressedToBot(name="AddressedToBot")


# --- what the question is -------------------------------------------------------------------


def private_text(update: Update) -> str:
    """In a private chat, the whole text."""
    message = update.effective_message
    return (message.text or "") if message else ""


def group_text(update: Update) -> str:
    """In a group, the text without the mentions of this bot (offsets are UTF-16)."""
    message = update.effective_message
    if message is None:
        return ""
    text = (message.text or "").encode("utf-16-le")
    for entity in sorted(_bot_mentions(message), key=lambda e: e.offset, reverse=True):
        text = text[: entity.offset * 2] + text[(entity.offset + entity.length) * 2 :]
    return " ".join(text.decode("utf-16-le").split())


def command_text(update: Update) -> str:
    """After /ask, keeping the question's line breaks."""
    message = update.effective_message
    if message is None or not message.text:
        return ""
    command = message.entities[0] if message.entities else None
    return message.text[command.length if command and command.offset == 0 else 0 :]


def inline_text(update: Update) -> str:
    return update.inline_query.query if update.inline_query else ""


def _searchable(text: Callable[[Update], str]) -> Callable[[Update, BotContext], bool]:
    """A question that will reach a search, and so counts against the person's budget."""
    return lambda update, context: (
        context.services.asker.check(text(update), context.language) is None
    )


def _questions(context: BotContext) -> QuestionLimiter:
    return context.services.limits.questions


def _inline(context: BotContext) -> QuestionLimiter:
    return context.services.limits.inline


# --- refusals when over the limit -------------------------------------------------------------


async def _say_slow_down(update: Update, context: BotContext, wait: int, limit: int) -> None:
    text = view.rate_limited_message(context.language, limit, wait)
    if update.effective_message is not None:
        await reply_all(update.effective_message, [text], quote=True)


async def _alert_slow_down(update: Update, context: BotContext, wait: int, limit: int) -> None:
    if update.callback_query is not None:
        alert = view.rate_limited_alert(context.language, wait)
        await update.callback_query.answer(alert, show_alert=True)


async def _note_slow_down(update: Update, context: BotContext, wait: int, limit: int) -> None:
    if update.inline_query is not None:
        note = view.rate_limited_alert(context.language, wait)
        await update.inline_query.answer([], button=_inline_button(note), cache_time=0)


# --- handlers ---------------------------------------------------------------------------------


@rate_limited(_questions, _say_slow_down, counts=_searchable(private_text))
async def ask_private(update: Update, context: BotContext) -> None:
    """In a private chat, any text is a question."""
    await _answer(update, context, private_text(update))


@rate_limited(_questions, _say_slow_down, counts=_searchable(group_text))
async def ask_in_group(update: Update, context: BotContext) -> None:
    """In a group, a message that mentions the bot or replies to it; the mention is dropped."""
    await _answer(update, context, group_text(update))


@rate_limited(_questions, _say_slow_down, counts=_searchable(command_text))
async def ask_command(update: Update, context: BotContext) -> None:
    """/ask QUESTION, anywhere; the question keeps its line breaks."""
    await _answer(update, context, command_text(update))


async def _answer(update: Update, context: BotContext, question: str) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    asker, user_id = context.services.asker, user.id if user else message.chat_id
    refused = asker.check(question, context.language)
    result = (
        refused
        if refused is not None
        else await context.run(
            asker.first_page, question, message.chat_id, user_id, context.language
        )
    )
    await reply_all(message, view.messages(result), view.keyboard(result), quote=True)


def _from_a_message(update: Update, context: BotContext) -> bool:
    return update.callback_query is not None and isinstance(update.callback_query.message, Message)


@rate_limited(_questions, _alert_slow_down, counts=_from_a_message)
async def more_results(update: Update, context: BotContext) -> None:
    """The "more results" button: the next page follows as a new message."""
    press = pressed(update, MORE)
    message = press[0].message if press else None
    if press is None or not isinstance(message, Message):
        return
    query, (token,) = press
    asker, user_id = context.services.asker, query.from_user.id
    result = await context.run(asker.next_page, token, message.chat_id, user_id, context.language)
    if isinstance(result, Page):
        await query.answer()
        await reply_all(message, view.messages(result), view.keyboard(result), quote=False)
    else:
        await query.answer(view.alert(result), show_alert=isinstance(result, NotYours))
    if isinstance(result, Page | NoMore | Expired):
        await _drop_more_button(message)


async def feedback(update: Update, context: BotContext) -> None:
    """👍 / 👎 under an answer: stored with the question and the passages shown."""
    press = pressed(update, FEEDBACK)
    if press is None:
        return
    query, parts = press
    if query.message is None:  # too old for Telegram to say where it was pressed
        await query.answer(view.alert(Expired(context.language)))
        return
    token, vote = parts[0], 1 if parts[1] == "+" else -1
    asker = context.services.asker
    outcome = await context.run(asker.vote, token, query.message.chat.id, query.from_user.id, vote)
    text = view.vote_answer(outcome, context.language)
    await query.answer(text, show_alert=outcome is VoteOutcome.NOT_YOURS)


@rate_limited(_inline, _note_slow_down, counts=_searchable(inline_text))
async def inline_query(update: Update, context: BotContext) -> None:
    """`@bot question` in any chat: the top quotes, each ready to send with its source."""
    query = update.inline_query
    if query is None:
        return
    if not query.query.strip():
        prompt = _inline_button(view.inline_prompt(context.language))
        await query.answer([], button=prompt, cache_time=0)
        return
    asker = context.services.asker
    refused = asker.check(query.query, context.language)
    result = (
        refused
        if refused is not None
        else await context.run(asker.inline, query.query, context.language)
    )
    if not isinstance(result, Page):
        await query.answer([], button=_inline_button(view.inline_note(result)), cache_time=0)
        return
    await query.answer(_inline_results(result), cache_time=INLINE_CACHE_SECONDS)


# --- Telegram shapes --------------------------------------------------------------------------


def _inline_results(page: Page) -> list[InlineQueryResultArticle]:
    return [
        InlineQueryResultArticle(
            id=quote.id,
            title=quote.title,
            description=quote.description,
            input_message_content=InputTextMessageContent(
                quote.message, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            ),
        )
        for quote in view.inline_quotes(page)
    ]


def _inline_button(text: str) -> InlineQueryResultsButton:
    """The line above inline results; it opens a private chat with the bot (/start help)."""
    return InlineQueryResultsButton(text=text, start_parameter="help")


async def _drop_more_button(message: Message) -> None:
    """Keep the 👍/👎 buttons but not "more results", whose page has now been shown."""
    markup = message.reply_markup
    if markup is None:
        return
    rows = [
        [b for b in row if MORE.parse(str(b.callback_data or "")) is None]
        for row in markup.inline_keyboard
    ]
    kept = InlineKeyboardMarkup([row for row in rows if row])
    if kept != markup:
        await message.edit_reply_markup(kept)


def _bot_mentions(message: Message) -> list[MessageEntity]:
    username = (message.get_bot().username or "").lower()
    return [
        entity
        for entity, text in message.parse_entities([MessageEntity.MENTION]).items()
        if text[1:].lower() == username
    ]


# --- wiring -----------------------------------------------------------------------------------


def register(application: BotApplication) -> None:
    """Handlers of this feature; the private-chat catch-all must stay the last feature's."""
    application.add_handler(CommandHandler("ask", ask_command, filters=NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(more_results, pattern=MORE.pattern))
    application.add_handler(CallbackQueryHandler(feedback, pattern=FEEDBACK.pattern))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(MessageHandler(GROUP_QUESTION, ask_in_group))
    application.add_handler(MessageHandler(PRIVATE_QUESTION, ask_private))


FEATURE = Feature(
    "ask",
    register,
    commands=(Command("ask", "command.ask"),),
    help_line="help_line.ask",
    help_rank=1,
)
