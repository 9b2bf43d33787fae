"""The `hemeroteca` command: a thin front door onto the same archive and services the bot uses.

One module per group of subcommands, each adding its own parser: ask, ingest, maintenance
(reindex, stats, delete), bench (eval, bench scale), serve.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import ask, bench, ingest, maintenance, serve
from bot.cli.common import EXIT_FAILED
from bot.config import ConfigError, load_settings
from corpus.store import StoreError
from retrieval.archive import EmbedderMismatchError, IndexDirectoryError
from retrieval.backends import BackendError
from retrieval.embedders import EmbedderError

__all__ = ["main"]

log = logging.getLogger("hemeroteca")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
        return int(args.handler(args, settings))
    except (
        ConfigError,
        StoreError,
        EmbedderError,
        EmbedderMismatchError,
        IndexDirectoryError,
        BackendError,
    ) as error:
        print(f"hemeroteca: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hemeroteca",
        description="Ask a news archive; answers are verbatim quotes with sources.",
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default: $HEMEROTECA_CONFIG or ./config.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    ingest.add_parser(commands)
    ask.add_parser(commands)
    maintenance.add_parsers(commands)
    bench.add_parsers(commands)
    serve.add_parser(commands)
    return parser
