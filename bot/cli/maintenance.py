"""`hemeroteca reindex`, `stats` and `delete`: looking after the archive and its indexes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import EXIT_FAILED, EXIT_OK, open_archive
from bot.config import Settings
from retrieval.archive import Archive, ArchiveStats

__all__ = ["add_parsers", "index_state"]


def add_parsers(commands: Any) -> None:
    reindex = commands.add_parser(
        "reindex", help="rebuild the indexes (re-embeds if the embedder changed)"
    )
    reindex.set_defaults(handler=_reindex)

    stats = commands.add_parser("stats", help="articles, chunks, embedder, index sizes")
    stats.set_defaults(handler=_stats)

    delete = commands.add_parser("delete", help="remove an article by id")
    delete.add_argument("article_id", type=int)
    delete.set_defaults(handler=_delete)


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    archive = Archive(settings.archive)
    try:
        re_embedded = archive.reindex()
        stats = archive.stats()
        what = f"re-embedded {re_embedded} passages and rebuilt" if re_embedded else "rebuilt"
        print(f"Reindex done: {what} the indexes ({stats.chunks} passages, {stats.embedder}).")
        return EXIT_OK
    finally:
        archive.close()


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    archive = Archive(settings.archive)
    try:
        stats = archive.stats()
        dense = settings.archive.storage.index_dir / "dense.faiss"
        print(f"articles:       {stats.articles}")
        print(f"passages:       {stats.chunks}")
        print(f"embedder:       {stats.embedder}")
        print(f"index type:     {settings.archive.index.type}")
        print(f"dense index:    {dense.stat().st_size if dense.exists() else 0:,} bytes")
        print(f"index on disk:  {stats.index_bytes:,} bytes")
        print(f"index state:    {index_state(stats)}")
        print(f"data directory: {settings.archive.storage.data_dir}")
        return EXIT_OK
    finally:
        archive.close()


def index_state(stats: ArchiveStats) -> str:
    """Whether the saved index files reflect the store, as `stats` reads them off disk."""
    if stats.saved_covers is None:
        return "missing or unreadable: rebuilt from the store at the next start"
    behind = stats.latest_change - stats.saved_covers
    if behind > 0:
        return (
            f"out of step: {behind} change(s) behind the store, replayed at the next start "
            "(sizes above are of the saved files)"
        )
    if behind < 0:
        return "ahead of the store (restored from a backup?): rebuilt at the next start"
    return "in step with the store"


def _delete(args: argparse.Namespace, settings: Settings) -> int:
    archive = open_archive(settings)
    try:
        if archive.delete(args.article_id):
            print(f"Deleted article {args.article_id}.")
            return EXIT_OK
        print(f"hemeroteca: there is no article {args.article_id}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        archive.close()
