"""`hemeroteca ingest PATH...`: files and folders into the archive, with a summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot import i18n
from bot.cli.common import EXIT_FAILED, EXIT_OK, open_archive
from bot.config import Settings
from corpus.loaders import drafts_from_files, iter_files
from corpus.models import IngestFailure, IngestResult
from corpus.problems import Problem

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    ingest = commands.add_parser("ingest", help="add article files or folders to the archive")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument(
        "--if-empty", action="store_true", help="do nothing when the archive has articles"
    )
    ingest.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    archive = open_archive(settings)
    try:
        if args.if_empty and archive.store.count_articles() > 0:
            stored = i18n.count("articles", archive.store.count_articles(), "en")
            print(f"The archive already has {stored}; nothing to ingest.")
            return EXIT_OK
        files = list(iter_files(args.paths))
        missing = [p for p in args.paths if not p.exists()]
        result = IngestResult(
            failed=[IngestFailure(str(p), Problem.of("missing_path")) for p in missing]
        )
        with _progress(len(files), "ingest") as tick:
            result.merge(archive.ingest(drafts_from_files(files, result.failed, file_done=tick)))
        _print_ingest_summary(result)
        return EXIT_FAILED if result.failed else EXIT_OK
    finally:
        archive.close()


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; silent when output is piped or in CI."""
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit="file", disable=not sys.stderr.isatty()) as bar:
        yield lambda: bar.update(1)


def _print_ingest_summary(result: IngestResult) -> None:
    added = i18n.count("articles", len(result.added), "en")
    passages = i18n.count("passages", result.chunks_added, "en")
    duplicates = i18n.count("duplicates", len(result.duplicates), "en")
    print(f"Added {added} ({passages}), {duplicates}, {len(result.failed)} failed.")
    for where, article_id in result.duplicates:
        print(f"  duplicate: {where} is already article {article_id}")
    for failure in result.failed:
        print(f"  failed: {failure.where}: {failure.reason}", file=sys.stderr)
