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
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from corpus.gazetteer import fold
from corpus.models import Article
from corpus.store import ArticleStore, StoryMember

__all__ = ["MAX_DAYS_APART", "StorySignature", "same_story", "signature", "story_member"]

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
    names = {fold(word) for word in _NAME.findall(f"{title}\n{text}")}
    return StorySignature(day, mean / norm, frozenset(names - _NOT_NAMES))


def same_story(a: StorySignature, b: StorySignature) -> bool:
    if abs((a.day - b.day).days) > MAX_DAYS_APART:
        return False
    closeness = float(a.vector @ b.vector)
    if closeness >= CLOSE_ENOUGH:
        return True
    return closeness >= CLOSE_WITH_NAMES and _share_names(a, b.names)


def story_member(store: ArticleStore, article: Article, chunk_vectors: np.ndarray) -> StoryMember:
    """The article's place: in the story of the closest article told within a few days that
    passes `same_story`, or at the start of its own story.

    The vectors of those days are compared in one product; names are read only for the few
    articles close enough to need them."""
    day = (article.published or article.added_at).date()
    mine = signature(day, chunk_vectors, article.title, article.text)
    window = timedelta(days=MAX_DAYS_APART)
    around = store.story_window(day - window, day + window)
    story = article.id
    if len(around.article_ids):
        closeness = around.vectors @ mine.vector
        for row in np.argsort(-closeness):
            if closeness[row] < CLOSE_WITH_NAMES:
                break
            other = int(around.article_ids[row])
            if other == article.id:
                continue
            if closeness[row] >= CLOSE_ENOUGH or _share_names(mine, store.story_names(other)):
                story = int(around.story_ids[row])
                break
    return StoryMember(article.id, story, day, mine.vector, mine.names)


def _share_names(mine: StorySignature, theirs: frozenset[str]) -> bool:
    shared = len(mine.names & theirs) / max(1, min(len(mine.names), len(theirs)))
    return shared >= SHARED_NAMES
