"""The digest feature's logic: subscribing, and which articles are new for a chat.

Synchronous and Telegram-free: handlers and jobs call it through the search pool. Everything a
digest quotes from an article is a verbatim slice (retrieval/summaries.py); digest/view.py turns
the content into messages and digest/delivery.py sends them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import DigestSettings
from bot.digest.schedule import ScheduleError, parse_subscribe_args
from bot.digest.state import Subscription, Subscriptions
from corpus.catalog import count_added_since
from corpus.models import Article
from corpus.store import ArticleStore
from retrieval.summaries import Summary, SummarySettings, summarize

__all__ = [
    "BadSchedule",
    "Clock",
    "DigestContent",
    "DigestItem",
    "DigestService",
    "SummaryCache",
]

Clock = Callable[[], datetime]
FIRST_DIGEST_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class DigestItem:
    article: Article
    summary: Summary
    also_in: tuple[Article, ...] = ()  # other new tellings of the same story, not listed again


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


@dataclass(frozen=True)
class BadSchedule:
    """/subscribe arguments that cannot be used; `code` picks the catalogue's `schedule.*`."""

    code: str
    value: str


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


@dataclass(eq=False)
class DigestService:
    store: ArticleStore
    subscriptions: Subscriptions
    settings: DigestSettings
    clock: Clock  # now, as digests see it (tests move it)
    summaries: SummaryCache = field(default_factory=SummaryCache)

    def subscribe(
        self, chat_id: int, args: Sequence[str], language: str
    ) -> Subscription | BadSchedule:
        """Subscribe `chat_id` (or move its time) from /subscribe's arguments."""
        try:
            slot = parse_subscribe_args(
                args, self.settings.default_time, self.settings.default_timezone
            )
        except ScheduleError as error:
            return BadSchedule(error.code, error.value)
        return self.subscriptions.subscribe(chat_id, slot, language, self.clock())

    def content(self, chat_id: int) -> DigestContent:
        """What is new for `chat_id`: after its last digest, or in the last 24 hours."""
        return collect(
            self.store,
            self.subscriptions.covered_until(chat_id),
            self.clock(),
            self.settings.max_articles,
            self.summaries,
        )

    def advance(self, chat_id: int, content: DigestContent) -> None:
        """What `content` showed is seen: the chat's next digest starts after it."""
        if content.covered_until is not None:
            self.subscriptions.advance(chat_id, content.covered_until)


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
    more = count_added_since(store, since) - len(shown) if len(articles) > cap else 0
    return DigestContent(
        items=_one_per_story(store, shown, summaries),
        more=more,
        next_title=articles[cap].title if len(articles) > cap else "",
        covered_until=articles[0].added_at if articles else None,
    )


def _one_per_story(
    store: ArticleStore, articles: list[Article], summaries: SummaryCache
) -> list[DigestItem]:
    """Each story once, at its newest telling, with the digest's other tellings beside it."""
    mates = store.story_mates(a.id for a in articles)
    by_id = {a.id: a for a in articles}
    told: set[int] = set()
    items = []
    for article in articles:  # newest first
        if article.id in told:
            continue
        others = tuple(by_id[m] for m in mates.get(article.id, ()) if m in by_id)
        told.update(a.id for a in others)
        items.append(DigestItem(article, summaries.get(article), others))
    return items
