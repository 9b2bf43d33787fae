"""Questions that ask only when: "¿Qué pasó ayer?", "What happened last week?", "Noticias de hoy".

They name no topic, so the passages closest to them are close to nothing in particular (a
search answered "¿Qué pasó en julio?" with whatever mentioned "pasar"). Their answer is the
period's news instead: its stories, those told by most articles first, then the newest, each
quoted by its own summary (retrieval/summaries.py) with the other outlets beside it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from corpus.store import ArticleStore
from retrieval.backends import SearchFilters
from retrieval.models import Passage
from retrieval.quotes import Window
from retrieval.speakers import Speakers
from retrieval.stories import shown_mates
from retrieval.summaries import summarize
from retrieval.tokens import analyze

__all__ = ["asks_only_when", "latest_days", "period_overview"]

# Words that ask what happened without saying about what, in the languages questions come in.
_GENERIC = """pasar pasó pasado pasa pasando ocurrir ocurrió ocurrido ocurre suceder sucedió
sucedido sucede noticia noticias novedad novedades nuevo nueva nuevos nuevas hay habido
titulares resumen actualidad últimas último dame cuéntame cuenta dime happen happened happening
news new what whats what's was were there any headlines summary going tell me latest give"""

# "Las últimas noticias" with no topic: the newest week of the archive.
LATEST_DAYS = 7


@cache
def _generic_terms(language: str) -> frozenset[str]:
    return frozenset(analyze(_GENERIC, language))


def asks_only_when(text: str, language: str) -> bool:
    """Whether `text` (a question without its time phrase) names no topic at all."""
    return all(term in _generic_terms(language) for term in analyze(text, language))


def latest_days(store: ArticleStore, today: date) -> tuple[date, date]:
    """The newest LATEST_DAYS days of the archive, as of `today`."""
    newest = store.newest_published()
    last = today if newest is None or newest.date() >= today else newest.date()
    return last - timedelta(days=LATEST_DAYS - 1), last


def period_overview(
    store: ArticleStore,
    first: date,
    last: date,
    language: str,
    filters: SearchFilters,
    k: int,
    offset: int = 0,
) -> list[Passage]:
    """One passage per story dated `first`..`last`, biggest stories first (skipping `offset`).

    A story is quoted from its newest telling in the question's language, else its newest."""
    stories = store.stories_dated(first, last, filters.sources, filters.languages, k, offset)
    articles = store.get_articles([i for story in stories for i in story])
    chosen = []
    for story in stories:
        tellings = [articles[i] for i in story if i in articles]  # deleted meanwhile: skipped
        if tellings:
            chosen.append(next((a for a in tellings if a.language == language), tellings[0]))
    speakers = Speakers(store.attributions([a.id for a in chosen]))
    mates = shown_mates(store, [a.id for a in chosen], articles)
    passages = []
    for rank, article in enumerate(chosen):
        summary = summarize(article)
        window = Window(0, article.id, summary.start, summary.end, 0.0)
        passages.append(
            Passage.quoting(
                article,
                summary.start,
                summary.end,
                float(len(chosen) - rank),  # the order: no similarity was measured
                speakers.of(window),
                mates[article.id],
            )
        )
    return passages
