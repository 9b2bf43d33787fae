"""The archive: articles, their chunks and the SQLite store that is the source of truth."""

from corpus.chunking import chunk_article, chunk_text
from corpus.loaders import LoadedItem, LoadError, iter_files, load_path
from corpus.models import Article, ArticleDraft, Chunk, IngestFailure, IngestResult, Span
from corpus.settings import ChunkingSettings, FetchSettings, IngestSettings, StorageSettings
from corpus.store import ArticleStore, StoreError
from corpus.web import FetchError, fetch_article

__all__ = [
    "Article",
    "ArticleDraft",
    "ArticleStore",
    "Chunk",
    "ChunkingSettings",
    "FetchError",
    "FetchSettings",
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
    "fetch_article",
    "iter_files",
    "load_path",
]
