"""The `hemeroteca` command: a thin front door onto the same services the bot uses."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from corpus.loaders import iter_files, load_path
from corpus.models import ArticleDraft, IngestFailure, IngestResult
from corpus.problems import Problem
from corpus.store import StoreError
from retrieval.archive import (
    Archive,
    ArchiveStats,
    EmbedderMismatchError,
    IndexDirectoryError,
)
from retrieval.backends import BackendError, SearchFilters
from retrieval.embedders import EmbedderError
from retrieval.models import Passage, QuestionError, SearchResult
from retrieval.searcher import Searcher

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
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

    ingest = commands.add_parser("ingest", help="add article files or folders to the archive")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument(
        "--if-empty", action="store_true", help="do nothing when the archive has articles"
    )
    ingest.set_defaults(handler=_ingest)

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
    ask.set_defaults(handler=_ask)

    reindex = commands.add_parser(
        "reindex", help="rebuild the indexes (re-embeds if the embedder changed)"
    )
    reindex.set_defaults(handler=_reindex)

    stats = commands.add_parser("stats", help="articles, chunks, embedder, index sizes")
    stats.set_defaults(handler=_stats)

    delete = commands.add_parser("delete", help="remove an article by id")
    delete.add_argument("article_id", type=int)
    delete.set_defaults(handler=_delete)

    evaluate = commands.add_parser("eval", help="retrieval benchmark on a SQuAD-format file")
    evaluate.add_argument("dataset", type=Path)
    evaluate.add_argument("--limit", type=int, default=None, help="only the first N questions")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--keep-archive",
        type=Path,
        default=None,
        help="build (or reuse) the benchmark archive here",
    )
    evaluate.set_defaults(handler=_eval)

    bench = commands.add_parser("bench", help="benchmarks that print figures")
    benchmarks = bench.add_subparsers(required=True, metavar="BENCHMARK")
    scale = benchmarks.add_parser(
        "scale", help="build a synthetic archive of N passages and time it (hash embedder)"
    )
    scale.add_argument("--passages", type=int, default=20_000, help="at least this many")
    scale.add_argument("--json", action="store_true", help="print one JSON object")
    scale.add_argument(
        "--keep-archive", type=Path, default=None, help="build it in this new folder and keep it"
    )
    scale.add_argument("--seed", type=int, default=0, help="another synthetic archive")
    scale.set_defaults(handler=_bench_scale)

    serve = commands.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    serve.set_defaults(handler=_serve)
    return parser


def _open(settings: Settings) -> Archive:
    archive = Archive(settings.archive)
    archive.open_indexes()
    return archive


# --- ingest -----------------------------------------------------------------------------------


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    archive = _open(settings)
    try:
        if args.if_empty and archive.store.count_articles() > 0:
            print(
                f"The archive already has {archive.store.count_articles()} articles; "
                "nothing to ingest."
            )
            return EXIT_OK
        files = list(iter_files(args.paths))
        missing = [p for p in args.paths if not p.exists()]
        result = IngestResult(
            failed=[IngestFailure(str(p), Problem.of("missing_path")) for p in missing]
        )
        with _progress(len(files), "ingest") as tick:
            result.merge(archive.ingest(_drafts(files, result.failed, tick)))
        _print_ingest_summary(result)
        return EXIT_FAILED if result.failed else EXIT_OK
    finally:
        archive.close()


def _drafts(
    files: list[Path], failures: list[IngestFailure], file_done: Callable[[], None]
) -> Iterator[tuple[str, ArticleDraft]]:
    """Articles from the files, lazily; unreadable files and lines are collected in `failures`."""
    for path in files:
        for item in load_path(path):
            if item.draft is not None:
                yield item.where, item.draft
            elif item.problem is not None:
                failures.append(IngestFailure(item.where, item.problem))
        file_done()


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; silent when output is piped or in CI."""
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit="file", disable=not sys.stderr.isatty()) as bar:
        yield lambda: bar.update(1)


def _print_ingest_summary(result: IngestResult) -> None:
    print(
        f"Added {len(result.added)} article(s) ({result.chunks_added} passages), "
        f"{len(result.duplicates)} duplicate(s), {len(result.failed)} failed."
    )
    for where, article_id in result.duplicates:
        print(f"  duplicate: {where} is already article {article_id}")
    for failure in result.failed:
        print(f"  failed: {failure.where}: {failure.reason}", file=sys.stderr)


# --- ask --------------------------------------------------------------------------------------


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    archive = _open(settings)
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


# --- maintenance ------------------------------------------------------------------------------


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
    archive = _open(settings)
    try:
        if archive.delete(args.article_id):
            print(f"Deleted article {args.article_id}.")
            return EXIT_OK
        print(f"hemeroteca: there is no article {args.article_id}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        archive.close()


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.evaluation import run_eval

    if not args.dataset.exists():
        print(
            f"hemeroteca: benchmark file {args.dataset} not found; skipping the benchmark.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    report = run_eval(
        args.dataset, settings.archive, args.limit, args.keep_archive, progress=_eval_progress()
    )
    if args.json:
        print(json.dumps(report.to_json()))
        return EXIT_OK
    print(
        f"questions:            {report.questions} over {report.articles} articles "
        f"({report.chunks} passages)"
    )
    print(f"hit@1:                {report.hit_at_1:.3f}")
    print(f"hit@3:                {report.hit_at_3:.3f}")
    print(f"MRR@10:               {report.mrr_at_10:.3f}")
    print(f"mean first quote:     {report.mean_first_quote_chars:.0f} characters")
    print(f"latency p50 / p95:    {report.latency_p50_ms:.1f} / {report.latency_p95_ms:.1f} ms")
    if report.ingest_seconds:
        print(
            f"ingest:               {report.ingest_seconds:.1f} s, "
            f"{report.chunks_per_second:.2f} passages/s; "
            f"embedder {report.embedding_seconds:.1f} s "
            f"(ingest/embedder = {report.ingest_overhead:.3f})"
        )
    return EXIT_OK


def _eval_progress() -> Callable[[str, int, int], None]:
    def show(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total or done % 500 == 0:
            print(
                f"\r{stage}: {done}/{total}",
                end="\n" if done == total else "",
                file=sys.stderr,
                flush=True,
            )

    return show


def _bench_scale(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.bench import BenchError, kept_archive_hint, run_scale

    def say(stage: str) -> None:
        print(f"bench scale: {stage}", file=sys.stderr, flush=True)

    try:
        report = run_scale(args.passages, settings.archive, args.keep_archive, args.seed, say)
    except BenchError as error:
        print(f"hemeroteca: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(report.to_json()) if args.json else "\n".join(report.lines()))
    if args.keep_archive is not None:  # on stderr: stdout stays the figures alone
        print(kept_archive_hint(args.keep_archive), file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until interrupted; the token comes only from the environment."""
    # Imported here so the other commands do not pay for loading python-telegram-bot.
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application, run

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("hemeroteca: set TELEGRAM_BOT_TOKEN to run the bot.", file=sys.stderr)
        return EXIT_USAGE
    if not args.verbose:
        logging.getLogger("bot").setLevel(logging.INFO)  # start-up and failures, not chatter
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if secret:  # a secret like the token: better kept out of config files
        settings = replace(settings, telegram=replace(settings.telegram, webhook_secret=secret))
    try:
        run(build_application(settings, token))
    except InvalidToken:
        print("hemeroteca: Telegram refused TELEGRAM_BOT_TOKEN (check the token).", file=sys.stderr)
        return EXIT_FAILED
    except NetworkError as error:
        print(
            f"hemeroteca: cannot reach the Bot API at {settings.telegram.api_base_url}: "
            f"{error.message}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
