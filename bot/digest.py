"""A chat's digest: which articles are new for it, and the HTML messages that present them.

No Telegram here: `collect` reads the store, `render` is pure, so both are tested directly.
Everything quoted from an article is a verbatim slice (see retrieval/summaries.py) and is
HTML-escaped with bot/render.py's helpers; the bot's own words come from bot/i18n.py.
"""

from __future__ import annotations

import html
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import i18n
from bot import render as render_helpers
from corpus.models import Article
from corpus.store import ArticleStore
from retrieval.summaries import Summary, SummarySettings, summarize

__all__ = ["DigestContent", "DigestItem", "SummaryCache", "collect", "render"]

MESSAGE_LIMIT = render_helpers.MESSAGE_LIMIT
FIRST_DIGEST_WINDOW = timedelta(hours=24)
_MAX_TITLE_CHARS = render_helpers.MAX_TITLE_CHARS
_LINKABLE = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class DigestItem:
    article: Article
    summary: Summary


@dataclass(frozen=True)
class DigestContent:
    """What a digest shows; `covered_until` is where the chat's next digest starts."""

    items: list[DigestItem]
    more: int  # new articles beyond the cap, not shown
    next_title: str  # title of the newest one not shown: an example of what to ask about
    covered_until: datetime | None  # added_at of the newest new article; None when nothing new

    @property
    def empty(self) -> bool:
        return not self.items


class SummaryCache:
    """Summaries by article id and content, because many chats get the same articles each day."""

    def __init__(self, settings: SummarySettings | None = None, size: int = 512) -> None:
        self._settings = settings or SummarySettings()
        self._size = size
        self._cache: OrderedDict[tuple[int, str], Summary] = OrderedDict()
        self._lock = threading.Lock()  # digests are composed on several worker threads at once

    def get(self, article: Article) -> Summary:
        key = (article.id, article.content_hash)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = summarize(article, self._settings)
        with self._lock:
            self._cache[key] = found
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return found


def collect(
    store: ArticleStore,
    covered_until: datetime | None,
    now: datetime,
    cap: int,
    summaries: SummaryCache,
) -> DigestContent:
    """Articles added after `covered_until` (or in the last 24 hours), newest first, capped."""
    since = covered_until or now - FIRST_DIGEST_WINDOW
    articles = store.list_articles(since=since, limit=cap + 1)
    shown = articles[:cap]
    more = _count_added_since(store, since) - len(shown) if len(articles) > cap else 0
    return DigestContent(
        items=[DigestItem(article, summaries.get(article)) for article in shown],
        more=more,
        next_title=articles[cap].title if len(articles) > cap else "",
        covered_until=articles[0].added_at if articles else None,
    )


def _count_added_since(store: ArticleStore, since: datetime) -> int:
    # ArticleStore has no count-since; this reads its documented `added_at` column directly.
    rows = store.query(
        "SELECT COUNT(*) FROM articles WHERE added_at > ?", (since.astimezone(UTC).isoformat(),)
    )
    return int(rows[0][0])


# --- rendering ----------------------------------------------------------------------------------


def render(content: DigestContent, language: str, send_when_empty: bool = False) -> list[str]:
    """HTML messages, each under Telegram's limit, split only between articles."""
    if content.empty:
        return [i18n.html("digest_nothing", language)] if send_when_empty else []
    total = len(content.items) + content.more
    count = (
        i18n.plain("digest_count_one", language)
        if total == 1
        else i18n.plain("digest_count_many", language, n=total)
    )
    blocks = [i18n.html("digest_header", language, count=count)]
    for source, items in _groups(content.items):
        blocks += _group_blocks(source, items, language)
    if content.more:
        example = render_helpers.snippet(content.next_title, 80)
        blocks.append(
            i18n.html("digest_more", language, n=content.more, example=example)
            if example
            else i18n.html("digest_more_no_example", language, n=content.more)
        )
    return render_helpers.pack(blocks, MESSAGE_LIMIT)


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
    heading = f"<b>{render_helpers.escape(_shorten(source, render_helpers.MAX_OUTLET_CHARS))}</b>"
    continued = f"{heading} {i18n.html('digest_continued', language)}"
    budget = MESSAGE_LIMIT - render_helpers.telegram_length(continued + "\n")
    parts = render_helpers.pack(articles, budget)
    return [f"{heading if number == 0 else continued}\n{part}" for number, part in enumerate(parts)]


def _item(item: DigestItem, language: str, show_source: bool) -> str:
    article = item.article
    title = render_helpers.escape(_shorten(article.title or article.text, _MAX_TITLE_CHARS))
    url = article.url.strip()
    if _LINKABLE.fullmatch(url) and len(url) <= render_helpers.MAX_URL_CHARS:
        title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    details = []
    if show_source and article.source:
        details.append(
            render_helpers.escape(_shorten(article.source, render_helpers.MAX_OUTLET_CHARS))
        )
    if article.published is not None:
        details.append(i18n.date(article.published, language))
    line = f"• <b>{title}</b>"
    if details:
        line += " — " + " · ".join(details)
    summary = render_helpers.escape(item.summary.text)
    if item.summary.truncated:
        summary += render_helpers.ELLIPSIS
    return f"{line}\n<blockquote>{summary}</blockquote>"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + render_helpers.ELLIPSIS
