"""The archive: articles, their chunks and the SQLite store that is the source of truth."""

from corpus.chunking import chunk_article, chunk_text
from corpus.loaders import LoadedItem, LoadError, iter_files, load_path
from corpus.models import Article, ArticleDraft, Chunk, IngestFailure, IngestResult, Span
from corpus.settings import ChunkingSettings, IngestSettings, StorageSettings
from corpus.store import ArticleStore, StoreError

__all__ = [
    "Article",
    "ArticleDraft",
    "ArticleStore",
    "Chunk",
    "ChunkingSettings",
    "IngestFailure",
    "IngestResult",
    "IngestSettings",
    "LoadError",
    "LoadedItem",
    "Span",
    "StorageSettings",
    "StoreError",
    "chunk_article",
    "chunk_text",
    "iter_files",
    "load_path",
]
