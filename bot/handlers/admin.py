"""Admins grow and tidy the archive from Telegram: forwards, links, files, /sources, /delete…

An admin is a numeric user id from [bot] admin_ids / HEMEROTECA_ADMIN_IDS — never a username
and never a forwarded message's origin. Each handler parses the update, makes one blocking call
to the `Curator` off the event loop (`asyncio.to_thread`: a long upload then never takes the
search threads that answer questions), and replies. Anyone else gets a short refusal and nothing
changes. Only new messages are handled: an edited forward never becomes a second article.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import i18n
from bot.context import BotApplication, BotContext, Feature
from bot.curation import (
    MAX_FILE_BYTES,
    Added,
    AddOutcome,
    AdminStats,
    Curator,
    Duplicate,
    FileOutcome,
    SourcesPage,
)
from bot.forwards import EmptyPostError, draft_from_forward
from bot.handlers import NO_PREVIEW
from bot.language import user_language
from bot.problems import describe
from corpus.loaders import SUPPORTED_SUFFIXES
from corpus.models import Article

NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
UNDO, SOURCES = "adm:undo", "adm:src"
_CALLBACK = re.compile(r"^adm:(undo|src):(\d+)$")
_LINK_ONLY = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)
SOURCES_PER_PAGE = 8
FAILURES_SHOWN = 10
TITLE_CHARS = 90


# --- adding ---------------------------------------------------------------------------------


async def add_forward(update: Update, context: BotContext) -> None:
    """A post forwarded to the bot in private becomes an article."""
    message, language = _message(update, context)
    if message is None or not await _admin_or_refuse(message, context, language):
        return
    label = i18n.plain("admin_forwarded_label", language)
    try:
        draft = draft_from_forward(message, label)
    except EmptyPostError:
        await message.reply_html(i18n.html("admin_empty_post", language), do_quote=True)
        return
    outcome = await asyncio.to_thread(_curator(context).add, draft, "forward")
    await _reply_outcome(message, outcome, language)


async def add_command(update: Update, context: BotContext) -> None:
    """/add URL: fetch the page and store its article."""
    message, language = _message(update, context)
    if message is None or not await _admin_or_refuse(message, context, language):
        return
    if len(context.args or ()) != 1:
        await message.reply_html(i18n.html("admin_add_usage", language))
        return
    await _add_url(message, (context.args or [""])[0], context, language)


async def add_link(update: Update, context: BotContext) -> None:
    """An admin's private message that is only a link: the same as /add with it."""
    message, language = _message(update, context)
    if message is not None and message.text:
        await _add_url(message, message.text.strip(), context, language)


async def add_document(update: Update, context: BotContext) -> None:
    """A .txt/.md/.html/.jsonl file, ingested with the CLI's loaders; a summary comes back."""
    message, language = _message(update, context)
    if message is None or message.document is None:
        return
    if not await _admin_or_refuse(message, context, language):
        return
    document = message.document
    name = document.file_name or "upload"
    if not any(name.lower().endswith(suffix) for suffix in SUPPORTED_SUFFIXES):
        await message.reply_html(i18n.html("admin_file_type", language, name=name))
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        size = f"{(document.file_size or 0) / 1024 / 1024:.1f}"
        limit = MAX_FILE_BYTES // 1024 // 1024
        await message.reply_html(
            i18n.html("admin_file_too_big", language, name=name, size=size, limit=limit)
        )
        return
    file = await document.get_file()
    content = bytes(await file.download_as_bytearray())
    outcome = await asyncio.to_thread(_curator(context).add_file, name, content)
    await message.reply_html(_file_summary(name, outcome, language), do_quote=True)


async def _add_url(message: Message, url: str, context: BotContext, language: str) -> None:
    outcome = await asyncio.to_thread(_curator(context).add_url, url)
    await _reply_outcome(message, outcome, language)


# --- tidying --------------------------------------------------------------------------------


async def sources_command(update: Update, context: BotContext) -> None:
    """/sources [page]: the newest articles, a page at a time, with buttons to move."""
    message, language = _message(update, context)
    if message is None or not await _admin_or_refuse(message, context, language):
        return
    args = context.args or []
    page = int(args[0]) if len(args) == 1 and args[0].isdigit() else 1
    listing = await asyncio.to_thread(_curator(context).sources, page, SOURCES_PER_PAGE)
    text, markup = _sources_message(listing, language)
    await message.reply_html(text, reply_markup=markup, link_preview_options=NO_PREVIEW)


async def delete_command(update: Update, context: BotContext) -> None:
    """/delete ID: the article, its passages and its vectors go; it is never quoted again."""
    message, language = _message(update, context)
    if message is None or not await _admin_or_refuse(message, context, language):
        return
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await message.reply_html(i18n.html("admin_delete_usage", language))
        return
    article_id = int(args[0].lstrip("#"))
    deleted = await asyncio.to_thread(_curator(context).delete, article_id)
    if deleted is None:
        await message.reply_html(i18n.html("admin_not_found", language, id=article_id))
        return
    await message.reply_html(
        i18n.html("admin_deleted", language, id=deleted.id, title=_title(deleted, language))
    )


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats: how big the archive is and how much it is used."""
    message, language = _message(update, context)
    if message is None or not await _admin_or_refuse(message, context, language):
        return
    stats = await asyncio.to_thread(_curator(context).stats, datetime.now(UTC))
    await message.reply_html(_stats_message(stats, language))


async def admin_button(update: Update, context: BotContext) -> None:
    """ "Undo" under an acknowledgement, and the /sources page buttons."""
    query = update.callback_query
    match = _CALLBACK.match(query.data or "") if query else None
    if query is None or match is None:
        return
    language = _language(context, query.from_user)
    if not _is_admin(context, query.from_user):
        await query.answer(i18n.plain("admin_only", language), show_alert=True)
        return
    action, number = match.group(1), int(match.group(2))
    if action == "undo":
        await _undo(query, number, context, language)
        return
    listing = await asyncio.to_thread(_curator(context).sources, number, SOURCES_PER_PAGE)
    text, markup = _sources_message(listing, language)
    await query.answer()
    await query.edit_message_text(
        text, parse_mode="HTML", reply_markup=markup, link_preview_options=NO_PREVIEW
    )


async def _undo(query: CallbackQuery, article_id: int, context: BotContext, language: str) -> None:
    deleted = await asyncio.to_thread(_curator(context).delete, article_id)
    await query.answer()
    key = "admin_undone" if deleted is not None else "admin_not_found"
    title = _title(deleted, language) if deleted is not None else ""
    await query.edit_message_text(
        i18n.html(key, language, id=article_id, title=title), parse_mode="HTML"
    )


# --- replies --------------------------------------------------------------------------------


async def _reply_outcome(message: Message, outcome: AddOutcome, language: str) -> None:
    if isinstance(outcome, Added):
        article = outcome.article
        undo = InlineKeyboardButton(
            i18n.plain("button_undo", language), callback_data=f"{UNDO}:{article.id}"
        )
        text = i18n.html(
            "admin_added",
            language,
            id=article.id,
            title=_title(article, language),
            details=_details(article, language),
            passages=outcome.passages,
        )
        markup: InlineKeyboardMarkup | None = InlineKeyboardMarkup([[undo]])
    elif isinstance(outcome, Duplicate):
        article = outcome.article
        details = _details(article, language) + (f"\n{article.url}" if article.url else "")
        text = i18n.html(
            "admin_duplicate",
            language,
            id=article.id,
            title=_title(article, language),
            details=details,
        )
        markup = None
    else:
        reason = describe(outcome.problem, language)
        text, markup = i18n.html("admin_refused", language, reason=reason), None
    await message.reply_html(
        text, do_quote=True, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


def _file_summary(name: str, outcome: FileOutcome, language: str) -> str:
    lines = [
        i18n.html(
            "admin_file_summary",
            language,
            name=name,
            added=outcome.added,
            passages=outcome.passages,
            duplicates=outcome.duplicates,
            failed=len(outcome.failed),
        )
    ]
    for failure in outcome.failed[:FAILURES_SHOWN]:
        lines.append(
            i18n.html(
                "admin_file_failure",
                language,
                where=failure.where,
                reason=describe(failure.problem, language),
            )
        )
    if len(outcome.failed) > FAILURES_SHOWN:
        more = len(outcome.failed) - FAILURES_SHOWN
        lines.append(i18n.html("admin_file_more_failures", language, n=more))
    return "\n".join(lines)


def _sources_message(
    listing: SourcesPage, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not listing.rows:
        return i18n.html("admin_sources_empty", language), None
    first = (listing.page - 1) * SOURCES_PER_PAGE + 1
    lines = [
        i18n.html(
            "admin_sources_header",
            language,
            first=first,
            last=first + len(listing.rows) - 1,
            total=listing.total,
        )
    ]
    for row in listing.rows:
        lines.append(
            i18n.html(
                "admin_sources_row",
                language,
                id=row.article.id,
                title=_title(row.article, language),
                details=_details(row.article, language),
                passages=row.passages,
            )
        )
    buttons = []
    if listing.page > 1:
        buttons.append(
            InlineKeyboardButton(
                i18n.plain("button_newer", language), callback_data=f"{SOURCES}:{listing.page - 1}"
            )
        )
    if listing.page < listing.pages:
        buttons.append(
            InlineKeyboardButton(
                i18n.plain("button_older", language), callback_data=f"{SOURCES}:{listing.page + 1}"
            )
        )
    return "\n\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


def _stats_message(stats: AdminStats, language: str) -> str:
    counts = stats.questions_24h
    if counts is None:
        questions = i18n.plain("admin_not_recorded", language)
    else:
        questions = i18n.plain(
            "admin_questions", language, asked=counts.asked, unanswered=counts.unanswered
        )
    text = i18n.html(
        "admin_stats",
        language,
        articles=stats.articles,
        passages=stats.passages,
        sources=stats.sources,
        subscribers=stats.subscribers,
        questions=questions,
        index_size=_size(stats.index_bytes),
        database_size=_size(stats.database_bytes),
        embedder=stats.embedder,
    )
    if counts is not None and counts.recent_unanswered:
        # What people looked for and did not find: the news the archive is missing.
        lines = [i18n.html("admin_unanswered_header", language)]
        lines += [
            i18n.html("admin_unanswered_question", language, question=_clip(question, TITLE_CHARS))
            for question in counts.recent_unanswered
        ]
        text += "\n\n" + "\n".join(lines)
    return text


def _clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(article: Article, language: str) -> str:
    return _clip(article.title, TITLE_CHARS) or i18n.plain("admin_untitled", language)


def _details(article: Article, language: str) -> str:
    """ "Source · date": the line that tells an admin where a stored article came from."""
    when = article.published or None
    date = i18n.date(when, language) if when else i18n.plain("admin_no_date", language)
    return " · ".join(part for part in (article.source, date) if part)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


# --- who may ----------------------------------------------------------------------------------


def _curator(context: BotContext) -> Curator:
    """Stateless over the shared archive, so one per call costs nothing and needs no wiring."""
    return Curator(context.services.archive, context.settings.fetch)


def _is_admin(context: BotContext, user: User | None) -> bool:
    return user is not None and user.id in context.settings.bot.admin_ids


async def _admin_or_refuse(message: Message, context: BotContext, language: str) -> bool:
    if _is_admin(context, message.from_user):
        return True
    await message.reply_text(i18n.plain("admin_only", language))
    return False


def _message(update: Update, context: BotContext) -> tuple[Message | None, str]:
    message = update.effective_message
    user = message.from_user if message else None
    return message, _language(context, user)


def _language(context: BotContext, user: User | None) -> str:
    return user_language(
        user.language_code if user else None, context.settings.bot.default_language
    )


# --- wiring ---------------------------------------------------------------------------------


def register(application: BotApplication) -> None:
    """Before `ask`: forwards and an admin's bare links are not questions."""
    admins = filters.User(user_id=application.bot_data.settings.bot.admin_ids)
    link_only = filters.Regex(_LINK_ONLY) & filters.TEXT & ~filters.COMMAND
    application.add_handler(CommandHandler("add", add_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("sources", sources_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("delete", delete_command, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("stats", stats_command, filters=NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(admin_button, pattern=_CALLBACK))
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.FORWARDED, add_forward))
    application.add_handler(
        MessageHandler(PRIVATE & NEW_MESSAGE & filters.Document.ALL, add_document)
    )
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & admins & link_only, add_link))


FEATURE = Feature("admin", register)
