"""The archive as a service: store + embedder + indexes, kept in step.

Ingestion embeds only new chunks, writes each article in one transaction, then updates and
atomically saves the indexes. At open, an index that is missing, corrupt or out of step with the
store is rebuilt from the stored embeddings (never re-embedded) and the rebuild is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.chunking import chunk_text
from corpus.language import detect_language
from corpus.models import ArticleDraft, Chunk, IngestFailure, IngestResult, Span
from corpus.problems import Problem
from corpus.settings import ChunkingSettings, IngestSettings, StorageSettings
from corpus.store import ArticleStore
from retrieval.dense import CorruptIndexError, DenseIndex, DenseIndexInfo, IndexMismatchError
from retrieval.embedders import Embedder, make_embedder
from retrieval.settings import EmbeddingSettings, IndexSettings, SearchSettings
from retrieval.sparse import SparseIndex
from retrieval.tokens import analyze
from retrieval.vectors import embed_article

log = logging.getLogger(__name__)

EMBEDDER_META_KEY = "embedder"
DEFAULT_LANGUAGE = "es"


class EmbedderMismatchError(RuntimeError):
    """The archive's vectors come from another embedder than the configured one."""


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


ProgressCallback = Callable[[int], None]


class Archive:
    """One archive directory. Thread-safe: writes are serialised, searches run alongside."""

    def __init__(self, settings: ArchiveSettings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = ArticleStore(settings.storage.database_path)
        self._embedder = embedder
        self._write_lock = threading.Lock()
        self.embedding_seconds = 0.0  # time spent inside the embedder, for the ingest benchmark
        self.dense: DenseIndex | None = None
        self.sparse = SparseIndex()
        self._languages: frozenset[str] | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedding)
        return self._embedder

    def open_indexes(self) -> None:
        """Load the indexes, rebuilding any that is missing, corrupt or out of step."""
        self._check_embedder()
        store_ids = self.store.chunk_ids()
        self.dense = self._load_dense(store_ids)
        self.sparse = self._load_sparse(store_ids)

    def close(self) -> None:
        self.store.close()

    @property
    def _dense_path(self) -> Path:
        return self.settings.storage.index_dir / "dense.faiss"

    @property
    def _sparse_path(self) -> Path:
        return self.settings.storage.index_dir / "sparse"

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

    def _load_dense(self, store_ids: np.ndarray) -> DenseIndex:
        try:
            dense = DenseIndex.load(self._dense_path, self._dense_info(), self.settings.index)
            if np.array_equal(np.sort(dense.ids()), store_ids):
                return dense
            log.warning("dense index is out of step with the store; rebuilding it")
        except FileNotFoundError:
            log.info("no dense index yet; building it from the stored embeddings")
        except (CorruptIndexError, IndexMismatchError) as error:
            log.warning(
                "dense index unusable (%s); rebuilding it from the stored embeddings", error
            )
        return self._rebuild_dense()

    def _rebuild_dense(self) -> DenseIndex:
        dense = DenseIndex(self._dense_info(), self.settings.index)
        ids, vectors = self.store.chunk_embeddings()
        dense.add(ids, vectors)
        dense.save(self._dense_path)
        return dense

    def _load_sparse(self, store_ids: np.ndarray) -> SparseIndex:
        try:
            sparse = SparseIndex.load(self._sparse_path)
            if np.array_equal(sparse.ids(), store_ids):
                return sparse
            log.warning("keyword index is out of step with the store; rebuilding it")
        except CorruptIndexError as error:
            if (self._sparse_path / "chunk_ids.json").exists():
                log.warning("keyword index unusable (%s); rebuilding it", error)
            else:
                log.info("no keyword index yet; building it")
        return self._rebuild_sparse()

    def _rebuild_sparse(self) -> SparseIndex:
        sparse = SparseIndex()
        sparse.set_documents(self._stored_terms())
        sparse.save(self._sparse_path)
        return sparse

    def _stored_terms(self) -> dict[int, list[str]]:
        return {r.chunk.id: analyze(r.chunk.text, r.language) for r in self.store.chunk_records()}

    def _ensure_sparse_terms(self) -> None:
        """A keyword index loaded from disk keeps no terms; bm25s can only rebuild from them.

        Without this, the first change after a restart would rebuild from the new chunks only.
        """
        if not self.sparse.has_cached_terms():
            self.sparse.set_documents(self._stored_terms())

    # --- writes -------------------------------------------------------------------------------

    def ingest(
        self,
        drafts: Iterable[tuple[str, ArticleDraft]],
        progress: ProgressCallback | None = None,
    ) -> IngestResult:
        """Store and index each (where, draft); bad ones are reported, good ones always kept."""
        result = IngestResult()
        with self._write_lock:
            dense = self.dense_index()
            new_terms: dict[int, list[str]] = {}
            for where, draft in drafts:
                self._ingest_one(where, draft, result, dense, new_terms)
                if progress is not None:
                    progress(1)
            if new_terms:
                self._ensure_sparse_terms()
                self.sparse.add(new_terms)
                self._save_indexes()
        return result

    def _ingest_one(
        self,
        where: str,
        draft: ArticleDraft,
        result: IngestResult,
        dense: DenseIndex,
        new_terms: dict[int, list[str]],
    ) -> None:
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
        article, chunks = self.store.add_article(
            draft,
            language,
            spans,
            vectors.chunk_vectors,
            vectors.sentences,
            vectors.sentence_vectors,
        )
        dense.add(np.array([c.id for c in chunks], dtype=np.int64), vectors.chunk_vectors)
        new_terms.update({c.id: analyze(c.text, language) for c in chunks})
        result.added.append(article.id)
        self._languages = None
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
            chunk_ids = self.store.delete_article(article_id)
            if not chunk_ids:
                return False
            self.dense_index().remove(chunk_ids)
            self._ensure_sparse_terms()
            self.sparse.remove(chunk_ids)
            self._save_indexes()
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
            self.dense = self._rebuild_dense()
            self.sparse = self._rebuild_sparse()
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

    def _save_indexes(self) -> None:
        self.dense_index().save(self._dense_path)
        self.sparse.save(self._sparse_path)

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
        )
