"""Search: embedders, search backends (embedded FAISS + BM25), fusion and verbatim quoting."""

from retrieval.archive import Archive, ArchiveSettings, ArchiveStats, EmbedderMismatchError
from retrieval.backends import CorruptIndexError, IndexMismatchError, SearchFilters
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
    "SearchFilters",
    "SearchResult",
    "Searcher",
    "make_embedder",
]
