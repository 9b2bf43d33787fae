"""What every `hemeroteca` subcommand shares: exit codes and opening the archive."""

from __future__ import annotations

from bot.config import Settings
from retrieval.archive import Archive

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "open_archive"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def open_archive(settings: Settings) -> Archive:
    """The archive with its indexes loaded (caught up from the store if behind)."""
    archive = Archive(settings.archive)
    archive.open_indexes()
    return archive
