"""Passages → Telegram HTML messages. Pure: no I/O, no Telegram calls, easy to test.

Every piece of article text (quote, title, outlet, URL) is escaped, so an article containing
`<`, `&` or `</blockquote>` cannot break the markup. Telegram refuses messages over 4,096
characters of *visible* text counted in UTF-16 code units (an emoji counts two), so that is what
`telegram_length` measures. Long answers are split between passages, never inside one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from bot import i18n
from bot.asking import Outcome, Reply
from retrieval.models import Passage

MESSAGE_LIMIT = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"
MAX_TITLE_CHARS = 300
MAX_OUTLET_CHARS = 100
MAX_URL_CHARS = 2000

_TAG = re.compile(r"<[^>]*>")
_LINKABLE = re.compile(r"https?://\S+", re.IGNORECASE)


def telegram_length(message: str) -> int:
    """Length of an HTML message as Telegram limits it: visible text in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", message))
    return len(visible.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def source_line(passage: Passage, language: str) -> str:
    """ "— Title · Outlet · 5 Sep 2023", the title linked to the article when it has a URL."""
    title = _shorten(passage.title.strip(), MAX_TITLE_CHARS) or i18n.plain(
        "untitled", language, id=passage.article_id
    )
    url = passage.url.strip()
    if _LINKABLE.fullmatch(url) and len(url) <= MAX_URL_CHARS:
        parts = [f'<a href="{html.escape(url, quote=True)}">{escape(title)}</a>']
    else:
        parts = [f"<b>{escape(title)}</b>"]
    if passage.source.strip():
        parts.append(escape(_shorten(passage.source.strip(), MAX_OUTLET_CHARS)))
    if passage.published:
        parts.append(i18n.date(passage.published, language))
    return "— " + " · ".join(parts)


def passage_block(passage: Passage, language: str, limit: int = MESSAGE_LIMIT) -> str:
    """The quote in a blockquote, then its source line; the quote is cut (with …) only if the
    block alone would not fit in one message, which real quotes never come near."""
    source = source_line(passage, language)
    quote = passage.quote.strip()
    block = _block(quote, source)
    while telegram_length(block) > limit and quote:
        excess = telegram_length(block) - limit
        quote = quote[: max(0, len(quote) - excess - len(ELLIPSIS))].rstrip()
        block = _block(quote + ELLIPSIS, source)
    return block


def answer_messages(
    passages: Sequence[Passage],
    language: str,
    first_number: int = 1,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """A header and one block per passage, packed into as few messages as fit in `limit`."""
    if first_number == 1:
        header = i18n.html("answer_header", language)
    else:
        header = i18n.html(
            "more_header", language, first=first_number, last=first_number + len(passages) - 1
        )
    budget = limit - telegram_length(header + BLOCK_SEPARATOR)
    blocks = [passage_block(p, language, budget) for p in passages]
    return pack([header, *blocks], limit)


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages of at most `limit`, splitting only between blocks."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{BLOCK_SEPARATOR}{block}" if current else block
        if current and telegram_length(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def reply_messages(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The messages that answer a question: quotes, or a clear word on why there are none."""
    language = reply.language
    if reply.outcome is Outcome.ANSWER:
        return answer_messages(reply.passages, language, reply.first_number, limit)
    if reply.outcome is Outcome.NOT_FOUND:
        return [i18n.html("not_found", language, articles=reply.articles)]
    if reply.outcome is Outcome.EMPTY:
        example = i18n.plain("example_question", language)
        return [i18n.html("empty_question", language, example=example)]
    if reply.outcome is Outcome.TOO_LONG:
        return [i18n.html("too_long", language, length=reply.length, limit=reply.limit)]
    if reply.outcome is Outcome.RATE_LIMITED:
        return [i18n.html("rate_limited", language, limit=reply.limit, seconds=reply.wait_seconds)]
    if reply.outcome is Outcome.NO_MORE:
        return [i18n.html("no_more", language)]
    if reply.outcome is Outcome.NOT_YOURS:
        return [i18n.html("not_yours", language)]
    return [i18n.html("expired", language)]


def help_message(
    articles: int, newest: datetime | None, language: str, bot_username: str, kept_days: int
) -> str:
    """/start and /help: what the bot does, what it knows, an example, the commands, and how
    long questions are kept (people should know their questions are stored)."""
    if articles:
        when = i18n.date(newest, language) if newest else "?"
        archive = i18n.plain("archive_facts", language, articles=articles, newest=when)
    else:
        archive = i18n.plain("archive_empty", language)
    return i18n.html(
        "help",
        language,
        archive=archive,
        example=i18n.plain("example_question", language),
        bot=bot_username,
        days=kept_days,
    )


def inline_message(passage: Passage, language: str) -> str:
    """What a person sends from inline mode: one quote and its source."""
    return passage_block(passage, language)


def snippet(text: str, length: int = 120) -> str:
    """A one-line plain-text preview (inline result descriptions)."""
    return _shorten(" ".join(text.split()), length)


def _block(quote: str, source: str) -> str:
    return f"<blockquote>{escape(quote)}</blockquote>\n{source}"


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + ELLIPSIS
