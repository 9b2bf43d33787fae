"""A digest's content → HTML messages, and the digest commands' replies. Pure: no Telegram.

Articles sharing an outlet are grouped under its name; messages stay under Telegram's limit and
are split only between articles (a group split in two repeats its heading).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from bot import i18n
from bot.core import html
from bot.digest.schedule import DigestTime
from bot.digest.service import BadSchedule, DigestContent, DigestItem
from bot.digest.state import Subscription

__all__ = ["bad_schedule", "messages", "subscribed", "unsubscribed"]


def messages(content: DigestContent, language: str, send_when_empty: bool = False) -> list[str]:
    """HTML messages, each under Telegram's limit, split only between articles."""
    if content.empty:
        return [i18n.html("digest.nothing", language)] if send_when_empty else []
    total = len(content.items) + content.more
    count = i18n.count("new_articles", total, language)
    blocks = [i18n.html("digest.header", language, count=count)]
    for source, items in _groups(content.items):
        blocks += _group_blocks(source, items, language)
    if content.more:
        example = html.shorten(content.next_title, 80)
        blocks.append(
            i18n.html("digest.more", language, n=content.more, example=example)
            if example
            else i18n.html("digest.more_no_example", language, n=content.more)
        )
    return html.pack(blocks, html.MESSAGE_LIMIT)


def subscribed(subscription: Subscription, due: datetime, language: str) -> str:
    """The reply to /subscribe: the chat's time and zone, and its next delivery, local."""
    slot = subscription.slot
    return i18n.html(
        "digest.subscribed",
        language,
        time=slot.hhmm,
        timezone=slot.timezone,
        next=_local(due, slot, language),
    )


def bad_schedule(refused: BadSchedule, language: str) -> str:
    return i18n.html(f"schedule.{refused.code}", language, value=refused.value)


def unsubscribed(removed: bool, language: str) -> str:
    return i18n.html("digest.unsubscribed" if removed else "digest.not_subscribed", language)


def _local(due: datetime, slot: DigestTime, language: str) -> str:
    local = due.astimezone(slot.zone)
    return f"{i18n.date(local, language)}, {local.strftime('%H:%M')}"


def _groups(items: Sequence[DigestItem]) -> list[tuple[str, list[DigestItem]]]:
    """Articles sharing a source together (ordered by their newest); others stand alone."""
    counts = Counter(item.article.source for item in items if item.article.source)
    groups: dict[str, list[DigestItem]] = {}
    order: list[tuple[str, list[DigestItem]]] = []
    for item in items:
        source = item.article.source
        if counts[source] > 1:
            if source not in groups:
                groups[source] = []
                order.append((source, groups[source]))
            groups[source].append(item)
        else:
            order.append(("", [item]))
    return order


def _group_blocks(source: str, items: Sequence[DigestItem], language: str) -> list[str]:
    """A group is kept in one message when it fits; if not, its heading is repeated."""
    articles = [_item(item, language, show_source=not source) for item in items]
    if not source:
        return articles
    heading = f"<b>{html.escape(html.shorten(source, html.MAX_OUTLET_CHARS))}</b>"
    continued = f"{heading} {i18n.html('digest.continued', language)}"
    budget = html.MESSAGE_LIMIT - html.telegram_length(continued + "\n")
    parts = html.pack(articles, budget)
    return [f"{heading if number == 0 else continued}\n{part}" for number, part in enumerate(parts)]


def _item(item: DigestItem, language: str, show_source: bool) -> str:
    article = item.article
    title = html.link(
        html.escape(html.shorten(article.title or article.text, html.MAX_TITLE_CHARS)), article.url
    )
    details = []
    if show_source and article.source:
        details.append(html.escape(html.shorten(article.source, html.MAX_OUTLET_CHARS)))
    if article.published is not None:
        details.append(i18n.date(article.published, language))
    line = f"• <b>{title}</b>"
    if details:
        line += " — " + " · ".join(details)
    summary = html.escape(item.summary.text)
    if item.summary.truncated:
        summary += html.ELLIPSIS
    block = f"{line}\n<blockquote>{summary}</blockquote>"
    if item.also_in:
        outlets = html.outlet_links([(a.source or a.title, a.url) for a in item.also_in])
        block += "\n" + i18n.html("digest.also_in", language, outlets=i18n.Markup(outlets))
    return block
