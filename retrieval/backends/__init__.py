"""Search backends: the protocol every engine implements, and the factory that picks one."""

from retrieval.backends.base import (
    ChunkFacts,
    CorruptIndexError,
    Hit,
    IndexBatch,
    IndexMismatchError,
    SearchBackend,
    SearchFilters,
)
from retrieval.backends.factory import BACKENDS, BackendError, open_backend, saved_covers

__all__ = [
    "BACKENDS",
    "BackendError",
    "ChunkFacts",
    "CorruptIndexError",
    "Hit",
    "IndexBatch",
    "IndexMismatchError",
    "SearchBackend",
    "SearchFilters",
    "open_backend",
    "saved_covers",
]
