"""The search façade used by the CLI and the bot: question → verbatim quotes with sources."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from corpus.language import detect_language
from corpus.models import Article
from corpus.sentences import paragraph_spans
from retrieval.archive import DEFAULT_LANGUAGE, Archive
from retrieval.backends import SearchFilters
from retrieval.dates import TimeIntent, read_time
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.glossary import keywords_in
from retrieval.models import Passage, QuestionError, SearchResult
from retrieval.overview import asks_only_when, latest_days, period_overview
from retrieval.quantities import QuantityQuestion, quantities_first, read_quantity
from retrieval.quotes import ChunkCandidate, QuoteWeights, Window, best_windows, select_quotes
from retrieval.relevance import Closest, Relevance
from retrieval.retellings import Retellings
from retrieval.speakers import SpeakerQuestion, Speakers, read_speaker
from retrieval.stories import shown_mates
from retrieval.tokens import analyze


class Searcher:
    def __init__(self, archive: Archive, weights: QuoteWeights | None = None) -> None:
        self.archive = archive
        self.settings = archive.settings.search
        self.weights = weights or QuoteWeights()

    def validate(self, question: str) -> str:
        """The question, trimmed; raises QuestionError with a message for the user."""
        question = question.strip()
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question has {len(question):,} characters; the limit is "
                f"{self.settings.max_question_chars:,}"
            )
        return question

    def detect_language(self, question: str, hint: str = "") -> str:
        """The question's language, chosen among the archive's languages, Spanish and English.

        Limiting the choice matters: unrestricted, many Spanish questions come out as Catalan or
        Portuguese and would lose keyword matching against every Spanish article.
        """
        fallback = hint or DEFAULT_LANGUAGE
        candidates = self.archive.languages() | {fallback, DEFAULT_LANGUAGE, "en"}
        return detect_language(question, fallback=fallback, candidates=candidates)

    def search(
        self,
        question: str,
        k: int | None = None,
        language_hint: str = "",
        offset: int = 0,
        per_article: int | None = None,
        filters: SearchFilters | None = None,
        today: date | None = None,
    ) -> SearchResult:
        """Quotes for `question`, best first; `offset` skips that many (for "more results").

        `per_article` overrides the configured cap on quotes from one article; `filters` keeps
        only passages of some dates, sources or languages. Times the question names ("ayer",
        "en marzo") are read against `today` (default: the real one) and filter too.
        """
        question = self.validate(question)
        language = self.detect_language(question, language_hint)
        time = read_time(question, today or date.today())
        if self._asks_only_when(time, language, filters):  # not searched: nothing to embed
            return self._overview(question, language, time, filters, k, offset)
        query = self.archive.embedder.embed_queries([time.text])[0]
        return self.search_embedded(
            question, query, language, k, offset, per_article, filters, time
        )

    def search_embedded(
        self,
        question: str,
        query: np.ndarray,
        language: str,
        k: int | None = None,
        offset: int = 0,
        per_article: int | None = None,
        filters: SearchFilters | None = None,
        time: TimeIntent | None = None,
    ) -> SearchResult:
        """`search` for a question already validated, its language known, its time read
        (`time`; None: it names none) and embedded as `query` (the benchmark times search
        without the model this way)."""
        time = time or TimeIntent(question)
        if self._asks_only_when(time, language, filters):
            return self._overview(question, language, time, filters, k, offset)
        self.archive.search_backend()  # opened on first use
        self.archive.catch_up()  # other processes' writes, within CATCH_UP_SECONDS
        reading = _Reading(
            text=time.text,
            language=language,
            speaker=read_speaker(time.text),
            quantity=read_quantity(time.text, language),
            recent=time.recent,
            # A question about a time asks what happened: news tells that in its first
            # paragraph (the lead), so quotes from it come first among equals.
            prefer_lead=time.recent or time.period is not None,
            k=(k or self.settings.k) + offset,
            per_article=per_article or self.settings.per_article,
        )
        filters = filters or SearchFilters()
        if time.recent and not filters.published_to and time.today is not None:
            # "the latest" as of `today`: what was published after it does not exist yet
            filters = replace(filters, published_to=time.today)
        period = None if filters.published_from or filters.published_to else time.period
        period_empty = False
        if period is not None:
            dated = replace(filters, published_from=period.start, published_to=period.end)
            quoted = self._answer(query, reading, dated)
            if not quoted.passages:  # say so, and offer the best from any date
                period_empty = True
                quoted = self._answer(query, reading, filters)
        else:
            quoted = self._answer(query, reading, filters)
        return SearchResult(
            question,
            language,
            quoted.passages[offset:],
            period=period,
            period_empty=period_empty,
            ignored_date=time.impossible,
            speaker=reading.speaker.speaker if reading.speaker else "",
            speaker_found=quoted.speaker_found,
        )

    @staticmethod
    def _asks_only_when(time: TimeIntent, language: str, filters: SearchFilters | None) -> bool:
        """A question naming a time it may be answered for ("the latest", or a period the
        caller's own date filters do not override) and no topic."""
        dated = filters is not None and bool(filters.published_from or filters.published_to)
        asks_when = time.recent or (time.period is not None and not dated)
        return asks_when and asks_only_when(time.text, language)

    def _overview(
        self,
        question: str,
        language: str,
        time: TimeIntent,
        filters: SearchFilters | None,
        k: int | None,
        offset: int,
    ) -> SearchResult:
        """ "¿Qué pasó ayer?", "últimas noticias": the period's (or the newest week's) stories,
        since a question naming no topic has no passages closer to it than others."""
        store = self.archive.store
        filters = filters or SearchFilters()
        period = None if time.recent else time.period
        if period is not None:
            first, last = period.start, period.end
        else:
            first, last = latest_days(store, time.today or date.today())
        k = k or self.settings.k
        passages = period_overview(store, first, last, language, filters, k, offset)
        return SearchResult(
            question,
            language,
            passages,
            period=period,
            ignored_date=time.impossible,
            overview=True,
        )

    def _answer(self, query: np.ndarray, reading: _Reading, filters: SearchFilters) -> _Quoted:
        candidates, closest = self._candidates(query, reading.text, reading.language, filters)
        quoted = self._quote(candidates, closest, reading)
        speaker = reading.speaker
        if quoted.passages or speaker is None or not speaker.topic:
            return quoted
        # A speaker's words can pull the whole question away from every passage (a name the
        # archive has never seen, a role said in another language), so the topic alone is
        # searched; its quotes by that speaker still come first, and when there are none
        # the answer says that no statement by that speaker was found.
        topic = replace(reading, text=speaker.topic)
        topic_query = self.archive.embedder.embed_queries([speaker.topic])[0]
        candidates, closest = self._candidates(topic_query, topic.text, topic.language, filters)
        return self._quote(candidates, closest, topic)

    def _candidates(
        self, query: np.ndarray, question: str, language: str, filters: SearchFilters | None
    ) -> tuple[list[ChunkCandidate], Closest]:
        settings = self.settings
        backend = self.archive.search_backend()
        filters = filters or SearchFilters()
        dense_hits = backend.dense_search(query, settings.candidates, filters)
        sparse_hits = backend.keyword_search(
            analyze(question, language), settings.candidates, filters
        )
        # The question's words said in each other language of the archive, searched among
        # that language's passages: an English question matches Spanish articles by their
        # words (glossary.py) and keeps names such as "Zaragoza" or "Meridia".
        elsewhere = [
            backend.keyword_search(
                list(keywords_in(question, language, other)),
                settings.candidates,
                replace(filters, languages=frozenset({other})),
            )
            for other in self._other_languages(language, filters)
        ]
        found = {h.chunk_id for hits in (dense_hits, sparse_hits, *elsewhere) for h in hits}
        records = self.archive.store.get_chunk_records(found)
        # A chunk deleted by another process since the last catch-up is just skipped.
        dense_hits = [h for h in dense_hits if h.chunk_id in records]
        same = [
            h.chunk_id
            for h in sparse_hits
            if h.chunk_id in records and records[h.chunk_id].language == language
        ]
        crossed = [[h.chunk_id for h in hits if h.chunk_id in records] for hits in elsewhere]
        fused = reciprocal_rank_fusion(
            [[h.chunk_id for h in dense_hits], same, *crossed],
            [
                settings.dense_weight,
                settings.sparse_weight,
                *[settings.cross_language_sparse_weight] * len(crossed),
            ],
            k=settings.rrf_k,
        )
        ranked = sorted(fused.items(), key=lambda item: item[1], reverse=True)
        ranked = ranked[: settings.chunks_to_quote]
        best_dense = dense_hits[0].score if dense_hits else 0.0
        dense_scores = {h.chunk_id: h.score for h in dense_hits}
        floor = dense_hits[-1].score if dense_hits else 0.0  # unseen chunks score at most this
        candidates = [
            ChunkCandidate(
                records[cid].chunk, records[cid].language, dense_scores.get(cid, floor) - best_dense
            )
            for cid, _ in ranked
        ]
        with_sentences, best_sentence = self._with_sentence_gaps(candidates, query)
        return with_sentences, Closest(best_dense, best_sentence)

    def _other_languages(self, language: str, filters: SearchFilters) -> list[str]:
        """The archive's other languages a question may be matched in (at most a few)."""
        others = sorted(self.archive.languages() - {language})
        if filters.languages:
            others = [other for other in others if other in filters.languages]
        return others[:MAX_OTHER_LANGUAGES]

    def _with_sentence_gaps(
        self, candidates: list[ChunkCandidate], query: np.ndarray
    ) -> tuple[list[ChunkCandidate], float]:
        """Each candidate sentence's similarity to the question minus the best, and the best."""
        similarities = []
        for candidate in candidates:
            chunk = candidate.chunk
            spans, vectors = self.archive.store.sentence_vectors(
                chunk.article_id, chunk.start, chunk.end
            )
            scores = vectors @ query if len(spans) else np.zeros(0)
            similarities.append({s.start: float(v) for s, v in zip(spans, scores, strict=True)})
        best = max((max(s.values()) for s in similarities if s), default=0.0)
        gapped = [
            replace(c, sentence_gaps={start: v - best for start, v in s.items()})
            for c, s in zip(candidates, similarities, strict=True)
        ]
        return gapped, best

    def _quote(
        self, candidates: list[ChunkCandidate], closest: Closest, reading: _Reading
    ) -> _Quoted:
        if not candidates:
            return _Quoted([])
        articles = self.archive.store.get_articles(list({c.chunk.article_id for c in candidates}))
        candidates = [c for c in candidates if c.chunk.article_id in articles]  # deleted meanwhile
        if not candidates:
            return _Quoted([])
        backend = self.archive.search_backend()
        language = reading.language
        terms = {
            lang: {
                t: backend.keyword_weight(t) * share
                for t, share in keywords_in(reading.text, language, lang).items()
            }
            for lang in {language, *(c.language for c in candidates)}
        }
        windows = best_windows(
            candidates,
            {a.id: a.text for a in articles.values()},
            terms,
            self.settings.max_quote_sentences,
            self.settings.max_quote_chars,
            self.weights,
            self.settings.min_quote_chars,
        )
        relevance = Relevance(
            self.settings,
            self.archive.embedder.relevance_floor,
            language,
            {a.id: a.language for a in articles.values()},
            closest,
        )
        if not windows or not relevance.answers(windows[0]):
            return _Quoted([])
        texts = {a.id: (a.text, a.language) for a in articles.values()}
        if reading.quantity is not None:
            windows = quantities_first(windows, texts, reading.quantity)
        attributions = self.archive.store.attributions(articles)
        speakers = Speakers(attributions, reading.speaker)
        found = False
        if reading.speaker is not None:
            windows, found = speakers.rank(windows)
        if reading.prefer_lead:
            windows = _lead_first(windows, articles)
        if reading.recent:
            windows = _newest_first(windows, articles)
        mates = self.archive.store.story_mates(articles)
        stories = {i: min([i, *others]) for i, others in mates.items()}
        chosen = select_quotes(
            windows,
            reading.k,
            reading.per_article,
            self.settings.merge_quote_chars,
            stories,
            Retellings(reading.text, language, texts, backend.keyword_weight),
            lambda w: relevance.adds_to_answer(w, by_speaker_asked=found),
        )
        told_elsewhere = shown_mates(
            self.archive.store, [w.article_id for w in chosen], articles, mates
        )
        return _Quoted(
            [
                Passage.quoting(
                    articles[w.article_id],
                    w.start,
                    w.end,
                    w.score,
                    speakers.of(w),
                    told_elsewhere[w.article_id],
                )
                for w in chosen
            ],
            found,
        )


@dataclass(frozen=True)
class _Reading:
    """How a question was read: the text to search, its language, who and when it asks
    about, and how many quotes it wants."""

    text: str
    language: str
    speaker: SpeakerQuestion | None
    quantity: QuantityQuestion | None
    recent: bool
    prefer_lead: bool
    k: int
    per_article: int


@dataclass(frozen=True)
class _Quoted:
    passages: list[Passage]
    speaker_found: bool = False


# "Latest on X": the windows about X are those scoring within RECENT_MARGIN of the best (in
# retrieval/quotes.py's units, a best sentence 0.05 less similar to the question); among them
# the newest article comes first. Set on the news QA set (README).
RECENT_MARGIN = 1.0


def _newest_first(windows: list[Window], articles: dict[int, Article]) -> list[Window]:
    days = {i: (a.published or a.added_at).date() for i, a in articles.items()}
    best = max(w.score for w in windows)
    about = [w for w in windows if w.score >= best - RECENT_MARGIN]
    rest = [w for w in windows if w.score < best - RECENT_MARGIN]
    about.sort(key=lambda w: (days[w.article_id], w.score), reverse=True)
    return about + rest


MAX_OTHER_LANGUAGES = 3  # keyword searches in other languages, each a few ms at a million

LEAD_WEIGHT = 0.5  # what opening the article adds to a window, for questions about a time


def _lead_first(windows: list[Window], articles: dict[int, Article]) -> list[Window]:
    leads = {i: paragraph_spans(a.text)[:1] for i, a in articles.items()}
    boosted = [
        replace(w, score=w.score + LEAD_WEIGHT)
        if any(w.start < lead.end for lead in leads[w.article_id])
        else w
        for w in windows
    ]
    return sorted(boosted, key=lambda w: w.score, reverse=True)
