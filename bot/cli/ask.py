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
    ask.add_argument(
        "--as-of",
        dest="as_of",
        type=_day,
        default=None,
        help='the day questions\' "hoy", "ayer", "la semana pasada" are read against '
        "(YYYY-MM-DD; default: today)",
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
            return _ask_stream(searcher, args.k, filters, args.as_of)
        try:
            result = searcher.search(args.question, k=args.k, filters=filters, today=args.as_of)
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


def _ask_stream(
    searcher: Searcher, k: int | None, filters: SearchFilters, today: date | None
) -> int:
    """One JSON object per input line; a bad line gets an object with an "error" key."""
    status = EXIT_OK
    for line in sys.stdin:
        question = line.rstrip("\n")
        try:
            payload = searcher.search(question, k=k, filters=filters, today=today).to_json()
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
    notes = _notes(result)
    if not result.passages:
        if result.overview and result.period is not None:
            return "\n".join(notes)  # "Nothing was published on …"
        return "\n".join([*notes, "Nothing in the archive answers that question."])
    blocks = []
    for number, passage in enumerate(result.passages, start=1):
        lines = [f"{number}. «{passage.quote}»"]
        if passage.speaker:
            lines.append(f"   — {passage.speaker}")
        lines.append(f"   — {source_line(passage)}")
        if passage.also_in:
            outlets = ", ".join(m.source or m.title for m in passage.also_in)
            lines.append(f"   Also in: {outlets}")
        blocks.append("\n".join(lines))
    return "\n\n".join([*notes, *blocks]) if notes else "\n\n".join(blocks)


def _notes(result: SearchResult) -> list[str]:
    """What the answer says about how the question was read: its period, a date that does
    not exist, a speaker with no statement."""
    notes = []
    if result.ignored_date:
        notes.append(f"There is no such date as “{result.ignored_date}”; searched every date.")
    if result.period is not None:
        start, end = result.period.start.isoformat(), result.period.end.isoformat()
        span = f"on {start}" if start == end else f"from {start} to {end}"
        if not result.passages:
            if result.overview:
                notes.append(f"Nothing was published {span}.")
            # else nothing answers, from that period or any other: said below
        elif result.period_empty:
            # Articles of those days may exist: none of them answers.
            notes.append(f"Nothing published {span} answers that; the best from any date:")
        else:
            notes.append(f"Published {span}:")
    if result.speaker and not result.speaker_found and result.passages:
        notes.append(f"No statement by {result.speaker} was found; the closest quotes:")
    return notes


def source_line(passage: Passage) -> str:
    parts = [passage.title or f"article {passage.article_id}"]
    details = [passage.source] if passage.source else []
    if passage.published:
        details.append(passage.published.date().isoformat())
    if passage.url:
        details.append(passage.url)
    return " — ".join([parts[0], ", ".join(details)]) if details else parts[0]
