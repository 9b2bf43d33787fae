"""Search: embedders, dense (FAISS) and sparse (BM25) indexes, fusion and verbatim quoting."""

from retrieval.archive import Archive, ArchiveSettings, ArchiveStats, EmbedderMismatchError
from retrieval.dense import CorruptIndexError, IndexMismatchError
from retrieval.embedders import Embedder, EmbedderError, make_embedder
from retrieval.models import Passage, QuestionError, SearchResult
from retrieval.searcher import Searcher

__all__ = [
    "Archive",
    "ArchiveSettings",
    "ArchiveStats",
    "CorruptIndexError",
    "Embedder",
    "EmbedderError",
    "EmbedderMismatchError",
    "IndexMismatchError",
    "Passage",
    "QuestionError",
    "SearchResult",
    "Searcher",
    "make_embedder",
]
