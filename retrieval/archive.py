"""The archive as a service: store + embedder + indexes, kept in step.

The store is the truth and keeps a change log (corpus/store.py); the indexes are caches that
replay it. Ingestion embeds only new chunks and writes each article, with its log entry, in one
transaction; the indexes then replay the log's tail and are saved atomically with the last
change they cover. So:
- several processes can write one archive (the bot, `hemeroteca ingest`, `delete`): each
  replays the others' changes before searching (`catch_up`), and a chunk deleted elsewhere is
  simply gone from the next search;
- at open, a saved index replays only the changes after the ones it covers; one that is
  missing, corrupt (checksums) or still out of step is rebuilt from the stored embeddings
  (never re-embedded), and the rebuild is logged.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.chunking import chunk_text
from corpus.language import detect_language
from corpus.models import ArticleDraft, Chunk, IngestFailure, IngestResult, Span
from corpus.problems import Problem
from corpus.settings import ChunkingSettings, IngestSettings, StorageSettings
from corpus.store import ArticleStore, Change, DuplicateArticleError
from retrieval.dense import (
    CorruptIndexError,
    DenseIndex,
    DenseIndexInfo,
    IndexMismatchError,
    read_description,
)
from retrieval.embedders import Embedder, make_embedder
from retrieval.locks import folder_lock
from retrieval.settings import EmbeddingSettings, IndexSettings, SearchSettings
from retrieval.sparse import SparseIndex, read_manifest
from retrieval.tokens import analyze
from retrieval.vectors import embed_article

log = logging.getLogger(__name__)

EMBEDDER_META_KEY = "embedder"
DEFAULT_LANGUAGE = "es"


# A search replays other processes' changes at most this often, so a long upload elsewhere
# does not rebuild the keyword index on every question; writers replay at once.
CATCH_UP_SECONDS = 1.0


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
    dense_vectors: int
    sparse_documents: int
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
        self._index_lock = threading.Lock()  # one thread replays changes into the indexes
        self.embedding_seconds = 0.0  # time spent inside the embedder, for the ingest benchmark
        self.dense: DenseIndex | None = None
        self.sparse = SparseIndex()
        self._seen = 0  # the last store change both in-memory indexes reflect
        self._last_catch_up = 0.0
        self._languages: frozenset[str] | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedding)
        return self._embedder

    def open_indexes(self) -> None:
        """Load the indexes, replay the store's changes since they were saved, and rebuild any
        that is missing, corrupt or still out of step."""
        self._check_embedder()
        with self._index_lock:
            with folder_lock(self._lock_path, shared=True):
                dense, sparse = self._load_dense(), self._load_sparse()
            self.dense = dense or DenseIndex(self._dense_info(), self.settings.index)
            self.sparse = sparse or SparseIndex()
            self._seen = min(self.dense.covered, self.sparse.covered)
            # One snapshot of the store for replaying and checking: other processes writing
            # meanwhile must not make a sound index look out of step.
            with self.store.read_snapshot():
                replayed = self._replay(self.store.changes_since(self._seen))
                store_ids = self.store.chunk_ids()
                if dense is None or not np.array_equal(np.sort(self.dense.ids()), store_ids):
                    if dense is not None:
                        log.warning("dense index is out of step with the store; rebuilding it")
                    self.dense = self._rebuild_dense()
                if sparse is None or not np.array_equal(self.sparse.ids(), store_ids):
                    if sparse is not None:
                        log.warning("keyword index is out of step with the store; rebuilding it")
                    self.sparse = self._rebuild_sparse()
            self._seen = min(self.dense.covered, self.sparse.covered)
            if replayed or dense is None or sparse is None:
                self._save_quietly()

    def close(self) -> None:
        self.store.close()

    @property
    def _dense_path(self) -> Path:
        return self.settings.storage.index_dir / "dense.faiss"

    @property
    def _sparse_path(self) -> Path:
        return self.settings.storage.index_dir / "sparse"

    @property
    def _lock_path(self) -> Path:
        return self.settings.storage.index_dir / ".lock"

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

    def _load_dense(self) -> DenseIndex | None:
        try:
            dense = DenseIndex.load(self._dense_path, self._dense_info(), self.settings.index)
        except FileNotFoundError:
            log.info("no dense index yet; building it from the stored embeddings")
            return None
        except (CorruptIndexError, IndexMismatchError) as error:
            log.warning(
                "dense index unusable (%s); rebuilding it from the stored embeddings", error
            )
            return None
        return dense if self._not_ahead(dense.covered, "dense index") else None

    def _load_sparse(self) -> SparseIndex | None:
        try:
            sparse = SparseIndex.load(self._sparse_path)
        except CorruptIndexError as error:
            if self._sparse_path.exists():
                log.warning("keyword index unusable (%s); rebuilding it", error)
            else:
                log.info("no keyword index yet; building it")
            return None
        return sparse if self._not_ahead(sparse.covered, "keyword index") else None

    def _not_ahead(self, covered: int, name: str) -> bool:
        """An index that covers changes the store does not have (a store restored from an
        older backup) cannot be trusted: replaying cannot take changes back."""
        latest = self.store.last_change()
        if covered > latest:
            log.warning(
                "%s covers change %d but the store ends at %d; rebuilding it", name, covered, latest
            )
            return False
        return True

    def _rebuild_dense(self) -> DenseIndex:
        dense = DenseIndex(self._dense_info(), self.settings.index)
        # Read first: a change made while the embeddings are read is replayed again later,
        # which is harmless (replay skips what an index already has).
        dense.covered = self.store.last_change()
        ids, vectors = self.store.chunk_embeddings()
        dense.add(ids, vectors)
        return dense

    def _rebuild_sparse(self) -> SparseIndex:
        sparse = SparseIndex()
        sparse.covered = self.store.last_change()
        sparse.set_documents(self._stored_terms())
        return sparse

    def _stored_terms(self) -> dict[int, list[str]]:
        return {r.chunk.id: analyze(r.chunk.text, r.language) for r in self.store.chunk_records()}

    def _ensure_sparse_terms(self) -> None:
        """A keyword index loaded from disk keeps no terms; bm25s can only rebuild from them.

        Without this, the first change after a restart would rebuild from the new chunks only.
        """
        if not self.sparse.has_cached_terms():
            self.sparse.set_documents(self._stored_terms())

    # --- replaying the store's change log -----------------------------------------------------

    def catch_up(self, *, wait: bool = False) -> int:
        """Replay changes other processes (or this one) made to the store since the indexes
        last saw; returns how many were replayed.

        Searches call this with wait=False: it costs one indexed query when nothing changed,
        replays at most every CATCH_UP_SECONDS, and never waits behind a replay already
        running on another thread. Writers call it with wait=True.
        """
        if self.dense is None or self.store.last_change() <= self._seen:
            return 0
        if not wait and time.monotonic() - self._last_catch_up < CATCH_UP_SECONDS:
            return 0
        if not self._index_lock.acquire(blocking=wait):
            return 0
        try:
            return self._replay(self.store.changes_since(self._seen))
        finally:
            self._index_lock.release()

    def _replay(self, changes: Sequence[Change]) -> int:
        """Apply `changes` to both indexes (holding _index_lock). Idempotent: an index that
        already has an added chunk skips it, and removing an absent chunk does nothing."""
        self._last_catch_up = time.monotonic()
        if not changes:
            return 0
        assert self.dense is not None
        removed = [
            chunk_id
            for change in changes
            if change.kind == "delete"
            for chunk_id in range(change.first_chunk, change.last_chunk + 1)
        ]
        # Chunk ids are never reused, so a chunk added and deleted in the same tail is gone.
        ranges = [(c.first_chunk, c.last_chunk) for c in changes if c.kind == "add"]
        records, vectors = self.store.chunks_with_embeddings(ranges)
        ids = np.array([r.chunk.id for r in records], dtype=np.int64)
        new = ~np.isin(ids, self.dense.ids()) if len(ids) else np.zeros(0, dtype=bool)
        self.dense.remove(removed)
        if new.any():
            self.dense.add(ids[new], vectors[new])
        self._ensure_sparse_terms()
        self.sparse.update(
            {r.chunk.id: analyze(r.chunk.text, r.language) for r in records}, removed
        )
        self._seen = changes[-1].seq
        self.dense.covered = self.sparse.covered = self._seen
        self._languages = None
        return len(changes)

    # --- writes -------------------------------------------------------------------------------

    def ingest(
        self,
        drafts: Iterable[tuple[str, ArticleDraft]],
        progress: ProgressCallback | None = None,
    ) -> IngestResult:
        """Store and index each (where, draft); bad ones are reported, good ones always kept."""
        result = IngestResult()
        with self._write_lock:
            self.dense_index()
            self._check_index_directory()
            for where, draft in drafts:
                self._ingest_one(where, draft, result)
                if progress is not None:
                    progress(1)
            if result.added:
                self._commit_indexes()
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
            )
        except DuplicateArticleError as duplicate:  # another process stored it meanwhile
            result.duplicates.append((where, duplicate.existing_id))
            return
        result.added.append(article.id)
        result.chunks_added += len(chunks)

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
            self.dense_index()
            self._check_index_directory()
            if not self.store.delete_article(article_id):
                return False
            self._commit_indexes()
            return True

    def reindex(self, progress: ProgressCallback | None = None) -> int:
        """Rebuild both indexes; re-embed first only if the configured embedder changed.

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
            with self._index_lock:
                self.dense = self._rebuild_dense()
                self.sparse = self._rebuild_sparse()
                self._seen = min(self.dense.covered, self.sparse.covered)
                self._save_indexes()
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

    def dense_index(self) -> DenseIndex:
        """The dense index, loading (or rebuilding) the indexes on first use."""
        if self.dense is None:
            self.open_indexes()
        assert self.dense is not None
        return self.dense

    def _commit_indexes(self) -> None:
        """After a write: replay it (and anything from other processes) and save."""
        self.catch_up(wait=True)
        with self._index_lock:
            self._save_indexes()

    def _save_indexes(self) -> None:
        """Save both indexes (holding _index_lock), unless another process already saved a
        newer state: its save covers ours, and replaying forward is how we would catch up."""
        assert self.dense is not None
        self.settings.storage.index_dir.mkdir(parents=True, exist_ok=True)
        with folder_lock(self._lock_path):
            saved = self._saved_covers()
            if saved is not None and self._seen < saved <= self.store.last_change():
                return
            self.dense.save(self._dense_path, self.dense.covered)
            self.sparse.save(self._sparse_path, self.sparse.covered)

    def _save_quietly(self) -> None:
        """Save after open-time repairs. A reader (`ask`, the bot) whose index folder is not
        writable still answers from memory; the next writer saves or says what to fix."""
        try:
            self._save_indexes()
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
            for saved in (self._dense_path, self._sparse_path):
                if saved.exists() and not os.access(saved, os.W_OK):
                    raise PermissionError(f"{saved} is read-only")
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
            dense_vectors=len(self.dense) if self.dense is not None else 0,
            sparse_documents=len(self.sparse),
            index_bytes=size,
            latest_change=self.store.last_change(),
            saved_covers=self._saved_covers(),
        )

    def _saved_covers(self) -> int | None:
        """The oldest change the saved index files cover, from their descriptions (cheap: the
        indexes themselves are not loaded)."""
        try:
            covers = [
                read_description(self._dense_path)["covered"],
                read_manifest(self._sparse_path)["covered"],
            ]
            return min(int(str(c)) for c in covers)
        except (CorruptIndexError, KeyError, ValueError):
            return None
