"""The archive as a service: store + embedder + indexes, kept in step.

The store is the truth and keeps a change log (corpus/store.py); the search backend is a cache
that replays it. Ingestion embeds only new chunks and writes each article, with its log entry,
in one transaction; the backend then replays the log's tail, and its saved state records the
last change it covers. So:
- several processes can write one archive (the bot, `hemeroteca ingest`, `delete`): each
  replays the others' changes before searching (`catch_up`), and a chunk deleted elsewhere is
  simply gone from the next search;
- at open, a saved index replays only the changes after the ones it covers; one that is
  missing, corrupt (checksums) or still out of step is rebuilt from the stored embeddings
  (never re-embedded), and the rebuild is logged.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus.attribution import ATTRIBUTION_VERSION, attribute
from corpus.chunking import chunk_text
from corpus.language import detect_language
from corpus.models import Article, ArticleDraft, Chunk, IngestFailure, IngestResult, Span
from corpus.problems import Problem
from corpus.settings import ChunkingSettings, IngestSettings, StorageSettings
from corpus.store import ArticleStore, Change, ChunkRecord, DuplicateArticleError, StoreError
from retrieval.backends import ChunkFacts, IndexBatch, SearchBackend, open_backend, saved_covers
from retrieval.backends.embedded.dense import DenseIndexInfo
from retrieval.embedders import Embedder, make_embedder
from retrieval.settings import EmbeddingSettings, IndexSettings, SearchSettings
from retrieval.stories import StoryPlacer
from retrieval.tokens import analyze
from retrieval.vectors import embed_article

log = logging.getLogger(__name__)

EMBEDDER_META_KEY = "embedder"
ATTRIBUTION_META_KEY = "attribution_version"
STORY_ROWS_KEPT = 20_000  # story vectors kept between writes: weeks of a busy newsroom
ATTRIBUTION_BATCH = 500
DEFAULT_LANGUAGE = "es"


# A search replays other processes' changes at most this often, so a long upload elsewhere
# does not cost every question a keyword-index commit; writers replay at once.
CATCH_UP_SECONDS = 1.0
# Writing the vector snapshot costs what the whole archive costs (1.5 GB at a million passages),
# so a write saves it only once this many changes have piled up since the last one; until then
# the next start replays them from the store (well under a second for this many). Closing the
# archive saves it too.
SNAPSHOT_EVERY_CHANGES = 500
REPLAY_SLICE = 2_000  # changes (articles) replayed at once: about 10,000 passages
REBUILD_SLICE = 10_000  # chunks read and indexed at once when rebuilding from the store


class EmbedderMismatchError(RuntimeError):
    """The archive's vectors come from another embedder than the configured one."""


class IndexDirectoryError(RuntimeError):
    """The index folder cannot be written; nothing was changed. The message says what to do."""


@dataclass(frozen=True)
class ArchiveSettings:
    storage: StorageSettings = field(default_factory=StorageSettings)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    search: SearchSettings = field(default_factory=SearchSettings)


@dataclass(frozen=True)
class ArchiveStats:
    articles: int
    chunks: int
    embedder: str
    index_bytes: int
    latest_change: int  # the store's newest change
    saved_covers: int | None  # the oldest change the saved indexes cover; None: none saved


ProgressCallback = Callable[[int], None]


class Archive:
    """One archive directory. Thread-safe: writes are serialised, searches run alongside."""

    def __init__(self, settings: ArchiveSettings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = ArticleStore(settings.storage.database_path)
        self._embedder = embedder
        self._write_lock = threading.Lock()  # one writer at a time in this process
        self._index_lock = threading.Lock()  # one thread replays changes into the backend
        self.embedding_seconds = 0.0  # time spent inside the embedder, for the ingest benchmark
        self._backend: SearchBackend | None = None
        self._snapshot_covers = 0  # the change the last snapshot this process made or loaded
        self._last_catch_up = 0.0
        self._languages: frozenset[str] | None = None
        self._attributing: threading.Thread | None = None
        self._stop_attributing = threading.Event()
        self._stories = StoryPlacer(self.store)

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedding)
        return self._embedder

    def open_indexes(self) -> None:
        """Open the search backend, replay the store's changes since it was saved, and rebuild
        it when it is still out of step."""
        self._check_embedder()
        self._start_attributing()
        with self._index_lock:
            backend = open_backend(
                self.settings.index,
                self.settings.storage.index_dir,
                self._dense_info(),
                self.store.last_change(),
            )
            self._snapshot_covers = backend.covered
            # One snapshot of the store for replaying and checking: other processes writing
            # meanwhile must not make a sound index look out of step.
            with self.store.read_snapshot():
                replayed = self._replay(backend, self.store.changes_since(backend.covered))
                rebuilt = not backend.consistent_with(self.store.chunk_ids())
                if rebuilt:
                    if backend.count() or backend.covered:
                        log.warning("search index is out of step with the store; rebuilding it")
                    self._rebuild(backend)
            self._backend = backend
            if rebuilt or replayed >= SNAPSHOT_EVERY_CHANGES:
                self._flush_quietly()

    def close(self) -> None:
        """Save what the last snapshot lacks (best effort), then let go of the files."""
        self._stop_attributing.set()
        if self._attributing is not None:
            self._attributing.join()
        if self._backend is not None:
            if self._backend.covered > self._snapshot_covers:
                with self._index_lock:
                    self._flush_quietly()
            self._backend.close()
        self.store.close()

    def search_backend(self) -> SearchBackend:
        """The search backend, opened (and caught up or rebuilt) on first use."""
        if self._backend is None:
            self.open_indexes()
        assert self._backend is not None
        return self._backend

    def _dense_info(self) -> DenseIndexInfo:
        return DenseIndexInfo(self.embedder.name, self.embedder.dim, self.settings.index.type)

    def _check_embedder(self) -> None:
        stored = self.store.get_meta(EMBEDDER_META_KEY)
        if stored is None or self.store.count_chunks() == 0:
            self.store.set_meta(EMBEDDER_META_KEY, self.embedder.name)
        elif stored != self.embedder.name:
            raise EmbedderMismatchError(
                f"the archive was embedded with {stored} but the configured embedder is "
                f"{self.embedder.name}; run `hemeroteca reindex` to re-embed it"
            )

    def _start_attributing(self) -> None:
        """Find who says what, and which story each article belongs to, for articles stored
        before these analyses existed (or before the attribution rules changed), in a
        background thread: a few ms an article, so minutes for a million passages that must
        not delay the start. Until it is done, older articles' quotes show no speaker and no
        other outlets."""
        stale = self.store.get_meta(ATTRIBUTION_META_KEY) != str(ATTRIBUTION_VERSION)
        unplaced = self.store.articles_without_story()
        if not stale and not unplaced:
            return
        self._attributing = threading.Thread(
            target=self._analyse_older_articles,
            args=(stale, unplaced),
            name="article-analyses",
            daemon=True,
        )
        self._attributing.start()

    def _analyse_older_articles(self, stale: bool, unplaced: list[int]) -> None:
        if stale:
            self._attribute_older_articles()
        try:
            for article_id in unplaced:
                if self._stop_attributing.is_set():
                    return
                article = self.store.get_article(article_id)
                vectors = self.store.chunk_vectors_of(article_id)
                if article is not None and len(vectors):
                    self._place_in_story(article, vectors)
        except StoreError as error:
            log.warning("could not group older articles into stories: %s", error)

    def _place_in_story(self, article: Article, chunk_vectors: np.ndarray) -> None:
        self._stories.place(article, chunk_vectors)

    def wait_for_analyses(self) -> None:
        """Block until older articles are analysed (tests and benchmarks)."""
        if self._attributing is not None:
            self._attributing.join()

    def _attribute_older_articles(self) -> None:
        try:
            ids = self.store.article_ids()
            for start in range(0, len(ids), ATTRIBUTION_BATCH):
                if self._stop_attributing.is_set():
                    return  # closing: the next start goes on from the beginning
                articles = self.store.get_articles(ids[start : start + ATTRIBUTION_BATCH])
                self.store.replace_attributions(
                    {a.id: attribute(a.text, a.language) for a in articles.values()}
                )
            self.store.set_meta(ATTRIBUTION_META_KEY, str(ATTRIBUTION_VERSION))
            if ids:
                log.info("found who says what in %d stored articles", len(ids))
        except StoreError as error:  # a reader on a read-only archive answers without them
            log.warning("could not store who says what in older articles: %s", error)

    # --- replaying the store's change log -----------------------------------------------------

    def catch_up(self, *, wait: bool = False) -> int:
        """Replay changes other processes (or this one) made to the store since the backend
        last saw; returns how many were replayed.

        Searches call this with wait=False: it costs one indexed query when nothing changed,
        replays at most every CATCH_UP_SECONDS, and never waits behind a replay already
        running on another thread. Writers call it with wait=True.
        """
        backend = self._backend
        if backend is None or self.store.last_change() <= backend.covered:
            return 0
        if not wait and time.monotonic() - self._last_catch_up < CATCH_UP_SECONDS:
            return 0
        if not self._index_lock.acquire(blocking=wait):
            return 0
        try:
            return self._replay(backend, self.store.changes_since(backend.covered))
        finally:
            self._index_lock.release()

    def _replay(self, backend: SearchBackend, changes: Sequence[Change]) -> int:
        """Apply `changes` to the backend (holding _index_lock); safe to repeat.

        In slices of REPLAY_SLICE changes, so that replaying a long tail (a bulk ingest, a
        restart after many writes) holds one slice's vectors and terms in memory, not all.
        """
        self._last_catch_up = time.monotonic()
        for start in range(0, len(changes), REPLAY_SLICE):
            part = changes[start : start + REPLAY_SLICE]
            removed = [
                chunk_id
                for change in part
                if change.kind == "delete"
                for chunk_id in range(change.first_chunk, change.last_chunk + 1)
            ]
            # Chunk ids are never reused, so a chunk added and deleted in the same tail is gone
            # from the store and simply not read back here.
            added = [(c.first_chunk, c.last_chunk) for c in part if c.kind == "add"]
            batch = self._batch(*self.store.chunks_with_embeddings(added))
            batch.removed = removed
            backend.apply(batch, part[-1].seq)
        if changes:
            self._languages = None
        return len(changes)

    def _rebuild(self, backend: SearchBackend) -> None:
        """Empty the backend and fill it from every stored chunk (never re-embedding), a
        slice of chunk ids at a time so that memory holds one slice's texts and terms."""
        # Read first: a change made while the chunks are read is replayed again later, which
        # is harmless (a batch may repeat what a backend has).
        covered = self.store.last_change()
        ids = self.store.chunk_ids()
        slices = (ids[start : start + REBUILD_SLICE] for start in range(0, len(ids), REBUILD_SLICE))
        backend.rebuild(
            (
                self._batch(*self.store.chunks_with_embeddings([(int(part[0]), int(part[-1]))]))
                for part in slices
            ),
            covered,
        )

    @staticmethod
    def _batch(records: Sequence[ChunkRecord], vectors: np.ndarray) -> IndexBatch:
        return IndexBatch(
            ids=np.array([r.chunk.id for r in records], dtype=np.int64),
            vectors=vectors,
            terms=[analyze(r.chunk.text, r.language) for r in records],
            facts=[ChunkFacts(r.published, r.source, r.language) for r in records],
        )

    # --- writes -------------------------------------------------------------------------------

    def ingest(
        self,
        drafts: Iterable[tuple[str, ArticleDraft]],
        progress: ProgressCallback | None = None,
    ) -> IngestResult:
        """Store and index each (where, draft); bad ones are reported, good ones always kept."""
        result = IngestResult()
        with self._write_lock:
            self.search_backend()
            self._check_index_directory()
            for where, draft in drafts:
                self._ingest_one(where, draft, result)
                if progress is not None:
                    progress(1)
            if result.added:
                self._commit_indexes()
            # After a bulk import, keep the story vectors of a few weeks for the next articles.
            self._stories.trim(STORY_ROWS_KEPT)
        return result

    def _ingest_one(self, where: str, draft: ArticleDraft, result: IngestResult) -> None:
        problem = self._validate(draft)
        if problem is not None:
            result.failed.append(IngestFailure(where, problem))
            return
        duplicate_of = self.store.find_duplicate(draft)
        if duplicate_of is not None:
            result.duplicates.append((where, duplicate_of))
            return
        language = draft.language or detect_language(draft.text, DEFAULT_LANGUAGE)
        spans = chunk_text(draft.text, self.settings.chunking)
        started = time.perf_counter()
        vectors = embed_article(self.embedder, draft.title, draft.text, spans)
        self.embedding_seconds += time.perf_counter() - started
        try:
            article, chunks = self.store.add_article(
                draft,
                language,
                spans,
                vectors.chunk_vectors,
                vectors.sentences,
                vectors.sentence_vectors,
                attribute(draft.text, language),
            )
        except DuplicateArticleError as duplicate:  # another process stored it meanwhile
            result.duplicates.append((where, duplicate.existing_id))
            return
        result.added.append(article.id)
        result.chunks_added += len(chunks)
        self._place_in_story(article, vectors.chunk_vectors)

    def _validate(self, draft: ArticleDraft) -> Problem | None:
        limits = self.settings.ingest
        length = len(draft.text.strip())
        if length == 0:
            return Problem.of("empty")
        if length < limits.min_article_chars:
            return Problem.of("too_short", length=length, minimum=limits.min_article_chars)
        if length > limits.max_article_chars:
            return Problem.of("too_long", length=length, maximum=limits.max_article_chars)
        return None

    def delete(self, article_id: int) -> bool:
        """Remove an article from the store and both indexes; False if there was none."""
        with self._write_lock:
            self.search_backend()
            self._check_index_directory()
            if not self.store.delete_article(article_id):
                return False
            self._stories.forget()
            self._commit_indexes()
            return True

    def reindex(self, progress: ProgressCallback | None = None) -> int:
        """Rebuild the search backend; re-embed first only if the configured embedder changed.

        Returns how many chunks were re-embedded.
        """
        with self._write_lock:
            re_embedded = 0
            missing_sentences = self.store.count_sentences() == 0 < self.store.count_chunks()
            if missing_sentences or self.store.get_meta(EMBEDDER_META_KEY) != self.embedder.name:
                # Marked first: an interrupted re-embedding leaves mixed vectors, and the next
                # open must refuse them rather than search a mix of two vector spaces.
                self.store.set_meta(
                    EMBEDDER_META_KEY, f"incomplete reindex to {self.embedder.name}"
                )
                re_embedded = self._re_embed(progress)
            self.store.set_meta(EMBEDDER_META_KEY, self.embedder.name)
            self._check_index_directory()
            backend = self._backend or open_backend(
                self.settings.index,
                self.settings.storage.index_dir,
                self._dense_info(),
                self.store.last_change(),
            )
            with self._index_lock:
                self._rebuild(backend)
                self._backend = backend
                self._flush()
            return re_embedded

    def _re_embed(self, progress: ProgressCallback | None) -> int:
        """Re-embed every article with the configured embedder; returns the chunks updated."""
        chunks_by_article: dict[int, list[Chunk]] = {}
        for record in self.store.chunk_records():
            chunks_by_article.setdefault(record.chunk.article_id, []).append(record.chunk)
        for article in self.store.get_articles(list(chunks_by_article)).values():
            chunks = chunks_by_article[article.id]
            vectors = embed_article(
                self.embedder, article.title, article.text, [Span(c.start, c.end) for c in chunks]
            )
            self.store.replace_embeddings(
                article.id,
                [c.id for c in chunks],
                vectors.chunk_vectors,
                vectors.sentences,
                vectors.sentence_vectors,
            )
            if progress is not None:
                progress(1)
        return sum(len(c) for c in chunks_by_article.values())

    def _commit_indexes(self) -> None:
        """After a write: replay it (and anything from other processes) into the backend, and
        save a snapshot when enough changes have piled up since the last one."""
        self.catch_up(wait=True)
        with self._index_lock:
            if self.search_backend().covered - self._snapshot_covers >= SNAPSHOT_EVERY_CHANGES:
                self._flush()

    def _flush(self) -> None:
        backend = self.search_backend()
        backend.flush()
        self._snapshot_covers = backend.covered

    def _flush_quietly(self) -> None:
        """Save after open-time repairs, or at close. A reader (`ask`, the bot) whose index
        folder is not writable still answers from memory; the next writer saves or says what
        to fix."""
        try:
            self._flush()
        except OSError as error:
            log.warning(
                "could not save the indexes in %s (%s); answering from memory",
                self.settings.storage.index_dir,
                error,
            )

    def _check_index_directory(self) -> None:
        """Refuse a write before anything is stored when its indexes could not be saved."""
        directory = self.settings.storage.index_dir
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
                pass
        except OSError as error:
            raise IndexDirectoryError(
                f"cannot write the index folder {directory}: {error}. Make it writable by this "
                "user (or set HEMEROTECA_DATA_DIR); nothing was changed"
            ) from error

    # --- reads --------------------------------------------------------------------------------

    def languages(self) -> frozenset[str]:
        """Languages of the stored articles (cached; ingestion refreshes it)."""
        if self._languages is None:
            self._languages = frozenset(self.store.languages())
        return self._languages

    def stats(self) -> ArchiveStats:
        index_dir = self.settings.storage.index_dir
        files = index_dir.rglob("*") if index_dir.exists() else iter(())
        size = sum(p.stat().st_size for p in files if p.is_file())
        return ArchiveStats(
            articles=self.store.count_articles(),
            chunks=self.store.count_chunks(),
            embedder=self.store.get_meta(EMBEDDER_META_KEY) or self.settings.embedding.backend,
            index_bytes=size,
            latest_change=self.store.last_change(),
            saved_covers=saved_covers(self.settings.index, index_dir),
        )
