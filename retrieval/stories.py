"""Which articles tell the same story: other outlets, other languages, a few days apart.

Measured on the news QA set (tests/data/news, README): two tellings of one event are
published within 3 days, their mean passage vectors are very close (cosine ≥ 0.93 in the same
language; 0.89–0.93 across languages) and they name the same people and places. Follow-ups
weeks later are other stories, and so are unrelated articles of the same days (≤ 0.89, and
sharing almost no names). The rule below separates all 17 same-story pairs of that set from
the 448 others.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from corpus.gazetteer import fold
from corpus.models import Article
from corpus.store import ArticleStore, StoryMember
from retrieval.models import StoryMate

__all__ = ["MAX_DAYS_APART", "StoryPlacer", "StorySignature", "same_story", "signature"]

MAX_DAYS_APART = 3
CLOSE_ENOUGH = 0.93  # mean-vector cosine that alone says "same story"
CLOSE_WITH_NAMES = 0.87  # … or this close and sharing this share of their names
SHARED_NAMES = 0.3

_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\w-]{3,}")
_NOT_NAMES = frozenset(
    fold(w)
    for w in """Este Esta Estos Estas Según Desde Para Pero Tras Durante Aunque Además También
    Mientras Sin Con Por Los Las Del Una Unos Unas Hasta Ante This That These Those There Their
    They When While After Before With From Into Over Under About According However""".split()
)


@dataclass(frozen=True)
class StorySignature:
    """What story grouping compares: the article's day, its mean passage vector (unit
    length) and the names it mentions (folded)."""

    day: date
    vector: np.ndarray
    names: frozenset[str]


def signature(day: date, chunk_vectors: np.ndarray, title: str, text: str) -> StorySignature:
    mean = np.asarray(chunk_vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    names = {fold(word) for word in set(_NAME.findall(f"{title}\n{text}"))}  # each name once
    return StorySignature(day, mean / norm, frozenset(names - _NOT_NAMES))


def same_story(a: StorySignature, b: StorySignature) -> bool:
    if abs((a.day - b.day).days) > MAX_DAYS_APART:
        return False
    closeness = float(a.vector @ b.vector)
    if closeness >= CLOSE_ENOUGH:
        return True
    return closeness >= CLOSE_WITH_NAMES and _share_names(a, b.names)


class StoryPlacer:
    """Places articles in stories: in the story of the closest article told within a few
    days that passes `same_story`, or at the start of its own story.

    It keeps the story vectors of the days it has read, a block a day. A bulk import places
    thousands of articles over the same days, and reading each one's week from the store
    cost ~10 ms an article at a million passages (2,000 rows). Whenever another connection
    has written to the archive (SQLite's data_version), the blocks are dropped, so another
    process's articles are never missed. Thread-safe: ingest and the background analyses of
    older articles share one placer.
    """

    def __init__(self, store: ArticleStore, max_rows: int = 250_000) -> None:
        self._store = store
        self._max_rows = max_rows
        self._days: OrderedDict[int, _DayBlock] = OrderedDict()  # by ordinal, least recent first
        self._rows = 0
        self._version = store.data_version()
        self._lock = threading.Lock()

    def place(self, article: Article, chunk_vectors: np.ndarray) -> StoryMember:
        """Find the article's story and record it in the store."""
        day = (article.published or article.added_at).date()
        mine = signature(day, chunk_vectors, article.title, article.text)
        with self._lock:
            self._drop_if_stale()
            member = StoryMember(
                article.id, self._story_of(article.id, mine), day, mine.vector, mine.names
            )
            self._store.set_story(member)
            self._remember(member)
            self._trim(self._max_rows)
        return member

    def forget(self) -> None:
        """Drop every block (after this process deleted articles)."""
        with self._lock:
            self._days.clear()
            self._rows = 0

    def trim(self, rows: int) -> None:
        """Keep at most `rows` rows, those of the days used last (after a bulk import)."""
        with self._lock:
            self._trim(rows)

    def _story_of(self, article_id: int, mine: StorySignature) -> int:
        """The vectors of those days are compared block by block; names are read only for the
        few articles close enough to need them."""
        close: list[tuple[float, int, int]] = []  # (closeness, article, story)
        for block in self._blocks(mine.day.toordinal()):
            if not len(block.article_ids):
                continue
            closeness = block.vectors.astype(np.float32) @ mine.vector
            for row in np.flatnonzero(closeness >= CLOSE_WITH_NAMES):
                close.append(
                    (float(closeness[row]), int(block.article_ids[row]), int(block.story_ids[row]))
                )
        for closeness, other, story in sorted(close, reverse=True):
            if other == article_id:
                continue
            if closeness >= CLOSE_ENOUGH or _share_names(mine, self._store.story_names(other)):
                return story
        return article_id

    def _blocks(self, ordinal: int) -> list[_DayBlock]:
        wanted = range(ordinal - MAX_DAYS_APART, ordinal + MAX_DAYS_APART + 1)
        missing = [day for day in wanted if day not in self._days]
        if missing:
            self._load(missing[0], missing[-1])
        for day in wanted:
            self._days.move_to_end(day)
        return [self._days[day] for day in wanted]

    def _load(self, first: int, last: int) -> None:
        window = self._store.story_window(date.fromordinal(first), date.fromordinal(last))
        for day in range(first, last + 1):
            if day in self._days:
                continue
            rows = window.days == day
            block = _DayBlock(
                window.article_ids[rows], window.story_ids[rows], window.vectors[rows]
            )
            self._days[day] = block
            self._rows += len(block.article_ids)

    def _remember(self, member: StoryMember) -> None:
        day = self._days.get(member.day.toordinal())
        if day is None:  # evicted meanwhile: read again when next needed
            return
        day.article_ids = np.append(day.article_ids, member.article_id)
        day.story_ids = np.append(day.story_ids, member.story_id)
        vector = np.asarray(member.vector, dtype=np.float16)[None, :]
        day.vectors = vector if not len(day.vectors) else np.vstack([day.vectors, vector])
        self._rows += 1

    def _drop_if_stale(self) -> None:
        version = self._store.data_version()
        if version != self._version:
            self._days.clear()
            self._rows = 0
            self._version = version

    def _trim(self, rows: int) -> None:
        while self._rows > rows and self._days:
            _, block = self._days.popitem(last=False)
            self._rows -= len(block.article_ids)


@dataclass
class _DayBlock:
    article_ids: np.ndarray
    story_ids: np.ndarray
    vectors: np.ndarray  # float16 as stored: half the memory, and the same figures


def _share_names(mine: StorySignature, theirs: frozenset[str]) -> bool:
    shared = len(mine.names & theirs) / max(1, min(len(mine.names), len(theirs)))
    return shared >= SHARED_NAMES


def shown_mates(
    store: ArticleStore,
    article_ids: Sequence[int],
    known: Mapping[int, Article],
    mates: Mapping[int, Sequence[int]] | None = None,
) -> dict[int, tuple[StoryMate, ...]]:
    """For each of `article_ids`, the other articles of its story, oldest first, as answers
    list them beside a quote. `known` and `mates` are what the caller already read from the
    store (articles; `story_mates`); the rest is read here."""
    mates = mates if mates is not None else store.story_mates(article_ids)
    wanted = {m for i in article_ids for m in mates.get(i, ())}
    found = store.get_articles([m for m in wanted if m not in known])
    found.update({i: a for i, a in known.items() if i in wanted})
    told: dict[int, tuple[StoryMate, ...]] = {}
    for article_id in article_ids:
        others = [found[m] for m in mates.get(article_id, ()) if m in found]
        others.sort(key=lambda a: (a.published or a.added_at, a.id))
        told[article_id] = tuple(
            StoryMate(a.id, a.title, a.source, a.url, a.published) for a in others
        )
    return told
