"""Admins grow and tidy the archive from Telegram: forwards, links, files, /sources, /delete…

An admin is a numeric user id from [bot] admin_ids / HEMEROTECA_ADMIN_IDS (the `admin_only`
guard). Each handler parses the update, makes one blocking call to the `Curator` on a pool, and
replies with what admin/view.py words. Additions run on the uploads pool: a long upload then
never takes the search threads that answer questions. Only new messages are handled: an edited
forward never becomes a second article.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import i18n
from bot.admin import view
from bot.admin.forwards import EmptyPostError, draft_from_forward
from bot.admin.service import MAX_FILE_BYTES, AddOutcome
from bot.context import BotApplication, BotContext, Feature
from bot.core.callbacks import SOURCES, UNDO
from bot.core.guards import admin_only
from bot.core.replies import NO_PREVIEW, markup, pressed
from corpus.loaders import SUPPORTED_SUFFIXES

__all__ = ["FEATURE"]

NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
_LINK_ONLY = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)


# --- adding -----------------------------------------------------------------------------------


@admin_only
async def add_forward(update: Update, context: BotContext) -> None:
    """A post forwarded to the bot in private becomes an article."""
    message = update.effective_message
    if message is None:
        return
    try:
        draft = draft_from_forward(message, i18n.plain("admin.forwarded_label", context.language))
    except EmptyPostError:
        await message.reply_html(i18n.html("admin.empty_post", context.language), do_quote=True)
        return
    curator = context.services.curator
    result = await context.services.pools.uploads.run(curator.add, draft, "forward")
    await _acknowledge(message, result, context.language)


@admin_only
async def add_command(update: Update, context: BotContext) -> None:
    """/add URL: fetch the page and store its article."""
    message, args = update.effective_message, context.args or []
    if message is None:
        return
    if len(args) != 1:
        await message.reply_html(i18n.html("admin.add_usage", context.language))
        return
    await _add_url(message, args[0], context)


async def add_link(update: Update, context: BotContext) -> None:
    """An admin's private message that is only a link (the filter checks both): as /add."""
    message = update.effective_message
    if message is not None and message.text:
        await _add_url(message, message.text.strip(), context)


async def _add_url(message: Message, url: str, context: BotContext) -> None:
    curator = context.services.curator
    result = await context.services.pools.uploads.run(curator.add_url, url)
    await _acknowledge(message, result, context.language)


@admin_only
async def add_document(update: Update, context: BotContext) -> None:
    """A .txt/.md/.html/.jsonl file, ingested with the CLI's loaders; a summary comes back."""
    message, language = update.effective_message, context.language
    if message is None or message.document is None:
        return
    name, size = message.document.file_name or "upload", message.document.file_size or 0
    if not name.lower().endswith(tuple(SUPPORTED_SUFFIXES)):
        await message.reply_html(view.file_type(name, language))
        return
    if size > MAX_FILE_BYTES:
        await message.reply_html(view.file_too_big(name, size, MAX_FILE_BYTES, language))
        return
    content = bytes(await (await message.document.get_file()).download_as_bytearray())
    curator = context.services.curator
    result = await context.services.pools.uploads.run(curator.add_file, name, content)
    await message.reply_html(view.file_summary(name, result, language), do_quote=True)


async def _acknowledge(message: Message, result: AddOutcome, language: str) -> None:
    text, keyboard = view.outcome(result, language)
    await message.reply_html(
        text, do_quote=True, reply_markup=markup(keyboard), link_preview_options=NO_PREVIEW
    )


# --- tidying ----------------------------------------------------------------------------------


@admin_only
async def sources_command(update: Update, context: BotContext) -> None:
    """/sources [page]: the newest articles, a page at a time, with buttons to move."""
    message, args = update.effective_message, context.args or []
    if message is None:
        return
    page = int(args[0]) if len(args) == 1 and args[0].isdigit() else 1
    curator = context.services.curator
    listing = await context.run(curator.sources, page, view.SOURCES_PER_PAGE)
    text, keyboard = view.sources(listing, context.language)
    await message.reply_html(text, reply_markup=markup(keyboard), link_preview_options=NO_PREVIEW)


@admin_only
async def sources_button(update: Update, context: BotContext) -> None:
    """The /sources page buttons: the listing is replaced by the page asked for."""
    press = pressed(update, SOURCES)
    if press is None:
        return
    query, parts = press
    curator = context.services.curator
    listing = await context.run(curator.sources, int(parts[0]), view.SOURCES_PER_PAGE)
    text, keyboard = view.sources(listing, context.language)
    await query.answer()
    await query.edit_message_text(
        text, parse_mode="HTML", reply_markup=markup(keyboard), link_preview_options=NO_PREVIEW
    )


@admin_only
async def delete_command(update: Update, context: BotContext) -> None:
    """/delete ID: the article, its passages and its vectors go; it is never quoted again."""
    message, args = update.effective_message, context.args or []
    if message is None:
        return
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await message.reply_html(i18n.html("admin.delete_usage", context.language))
        return
    article_id = int(args[0].lstrip("#"))
    deleted = await context.run(context.services.curator.delete, article_id)
    await message.reply_html(view.deleted("admin.deleted", article_id, deleted, context.language))


@admin_only
async def undo_button(update: Update, context: BotContext) -> None:
    """ "Undo" under an acknowledgement: the article just added goes again."""
    press = pressed(update, UNDO)
    if press is None:
        return
    query, (number,) = press
    article_id = int(number)
    deleted = await context.run(context.services.curator.delete, article_id)
    await query.answer()
    text = view.deleted("admin.undone", article_id, deleted, context.language)
    await query.edit_message_text(text, parse_mode="HTML")


@admin_only
async def stats_command(update: Update, context: BotContext) -> None:
    """/stats: how big the archive is and how much it is used."""
    message = update.effective_message
    if message is None:
        return
    figures = await context.run(context.services.curator.stats, datetime.now(UTC))
    await message.reply_html(view.stats(figures, context.language))


# --- wiring -----------------------------------------------------------------------------------


def register(application: BotApplication) -> None:
    """Before `ask`: forwards and an admin's bare links are not questions."""
    admins = filters.User(user_id=application.bot_data.settings.bot.admin_ids)
    link_only = filters.Regex(_LINK_ONLY) & filters.TEXT & ~filters.COMMAND
    private = PRIVATE & NEW_MESSAGE
    application.add_handler(CommandHandler("add", add_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("sources", sources_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("delete", delete_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("stats", stats_command, filters=NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(undo_button, pattern=UNDO.pattern))
    application.add_handler(CallbackQueryHandler(sources_button, pattern=SOURCES.pattern))
    application.add_handler(MessageHandler(private & filters.FORWARDED, add_forward))
    application.add_handler(MessageHandler(private & filters.Document.ALL, add_document))
    application.add_handler(MessageHandler(private & admins & link_only, add_link))


FEATURE = Feature("admin", register)
