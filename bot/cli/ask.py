"""`hemeroteca ask`: quotes for a question, as text or JSON, or one JSON line per stdin line.

Two parts, each easy to extend: `add_parser` (the options, turned into SearchFilters in `run`)
and the plain-text rendering (`format_answer` → `source_line` per passage).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_USAGE, open_archive
from bot.config import Settings
from retrieval.backends import SearchFilters
from retrieval.models import Passage, QuestionError, SearchResult
from retrieval.searcher import Searcher

__all__ = ["add_parser", "format_answer", "source_line"]


def add_parser(commands: Any) -> None:
    ask = commands.add_parser("ask", help="answer a question (or one per line from stdin)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--k", type=int, default=None, help="how many quotes")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument(
        "--from",
        dest="date_from",
        type=_day,
        help="only articles published on or after (YYYY-MM-DD)",
    )
    ask.add_argument(
        "--to", dest="date_to", type=_day, help="only articles published until (YYYY-MM-DD)"
    )
    ask.add_argument(
        "--source", action="append", default=[], help="only this outlet (repeat for several)"
    )
    ask.add_argument(
        "--language", action="append", default=[], help="only articles in this language (es, en…)"
    )
    ask.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    archive = open_archive(settings)
    try:
        searcher = Searcher(archive)
        filters = SearchFilters(
            args.date_from, args.date_to, frozenset(args.source), frozenset(args.language)
        )
        if args.question is None:
            return _ask_stream(searcher, args.k, filters)
        try:
            result = searcher.search(args.question, k=args.k, filters=filters)
        except QuestionError as error:
            print(f"hemeroteca: {error}", file=sys.stderr)
            return EXIT_USAGE
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(format_answer(result))
        return EXIT_OK
    finally:
        archive.close()


def _ask_stream(searcher: Searcher, k: int | None, filters: SearchFilters) -> int:
    """One JSON object per input line; a bad line gets an object with an "error" key."""
    status = EXIT_OK
    for line in sys.stdin:
        question = line.rstrip("\n")
        try:
            payload = searcher.search(question, k=k, filters=filters).to_json()
        except QuestionError as error:
            payload = {"question": question, "error": str(error), "passages": []}
            status = EXIT_USAGE
        print(json.dumps(payload, ensure_ascii=False), flush=True)
    return status


def _day(text: str) -> date:
    """A YYYY-MM-DD date for argparse, which turns the error into a usage message."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def format_answer(result: SearchResult) -> str:
    if not result.passages:
        return "Nothing in the archive answers that question."
    blocks = []
    for number, passage in enumerate(result.passages, start=1):
        blocks.append(f"{number}. «{passage.quote}»\n   — {source_line(passage)}")
    return "\n\n".join(blocks)


def source_line(passage: Passage) -> str:
    parts = [passage.title or f"article {passage.article_id}"]
    details = [passage.source] if passage.source else []
    if passage.published:
        details.append(passage.published.date().isoformat())
    if passage.url:
        details.append(passage.url)
    return " — ".join([parts[0], ", ".join(details)]) if details else parts[0]
