"""The search backend named by `[index] backend`, or a clear error saying how to get it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from retrieval.backends.base import SearchBackend
from retrieval.backends.embedded import EmbeddedBackend
from retrieval.backends.embedded import saved_covers as embedded_saved_covers
from retrieval.backends.embedded.dense import DenseIndexInfo
from retrieval.settings import IndexSettings

BACKENDS = ("embedded", "qdrant")


class BackendError(RuntimeError):
    """The configured backend does not exist or cannot be used; the message says what to do."""


def open_backend(
    settings: IndexSettings,
    directory: Path,
    info: DenseIndexInfo,
    latest_change: int,
) -> SearchBackend:
    if settings.backend == "embedded":
        return EmbeddedBackend.open(directory, info, settings, latest_change)
    if settings.backend == "qdrant":
        if importlib.util.find_spec("qdrant_client") is None:
            raise BackendError(
                "the qdrant backend needs the Qdrant client: `pip install qdrant-client`"
            )
        raise BackendError(
            'the qdrant backend is not available in this version yet; use backend = "embedded"'
        )
    raise BackendError(
        f"unknown search backend {settings.backend!r} in [index] backend; "
        f"valid backends: {', '.join(BACKENDS)}"
    )


def saved_covers(settings: IndexSettings, directory: Path) -> int | None:
    """The last store change the backend's saved state covers, read without loading it (for
    `hemeroteca stats`); None when nothing usable is saved."""
    return embedded_saved_covers(directory) if settings.backend == "embedded" else None
