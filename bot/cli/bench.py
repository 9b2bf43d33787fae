"""`hemeroteca eval` and `hemeroteca bench scale`: benchmarks that print figures."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from bot.config import Settings

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="retrieval benchmark: a SQuAD-format file, or a news QA folder (tests/data/news)",
    )
    evaluate.add_argument("dataset", type=Path)
    evaluate.add_argument(
        "--translations",
        type=Path,
        default=None,
        help="ask these translations of the questions instead (JSON list of id, question)",
    )
    evaluate.add_argument(
        "--original",
        action="store_true",
        help="with --translations: ask those questions in the dataset's own words instead",
    )
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


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.evaluation import load_translations, run_eval

    if not args.dataset.exists():
        print(
            f"hemeroteca: benchmark file {args.dataset} not found; skipping the benchmark.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.dataset.is_dir():
        return _eval_news(args, settings)
    translations = load_translations(args.translations) if args.translations else None
    if translations is not None and args.original:
        translations = dict.fromkeys(translations, "")  # "": the question's own words
    report = run_eval(
        args.dataset,
        settings.archive,
        args.limit,
        args.keep_archive,
        progress=_eval_progress(),
        translations=translations,
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


def _eval_news(args: argparse.Namespace, settings: Settings) -> int:
    """The news QA set: hit@1/@3 per kind of question, speakers, periods, stories, silence."""
    from retrieval.news_eval import run_news_eval

    report = run_news_eval(
        args.dataset, settings.archive, args.keep_archive, progress=_eval_progress()
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return EXIT_OK
    print(f"{'kind':<10}{'questions':>10}{'hit@1':>8}{'hit@3':>8}{'any@1':>8}  other")
    for kind, score in report.kinds.items():
        other = []
        if score.speaker_right is not None:
            other.append(f"speaker named right {score.speaker_right:.3f}")
        if score.period_right is not None:
            other.append(f"period right {score.period_right:.3f}")
        print(
            f"{kind:<10}{score.questions:>10}{score.hit_at_1:>8.3f}{score.hit_at_3:>8.3f}"
            f"{score.any_at_1:>8.3f}  " + ", ".join(other)
        )
    print(f"{'all':<10}{sum(s.questions for s in report.kinds.values()):>10}"
          f"{report.hit_at_1:>8.3f}{report.hit_at_3:>8.3f}{report.any_at_1:>8.3f}")  # fmt: skip
    print(
        f"off-topic questions answered with silence: {report.off_topic_rejected:.3f} "
        f"of {report.off_topic_questions}"
    )
    if report.story_precision is not None and report.story_recall is not None:
        print(
            f"story grouping: precision {report.story_precision:.3f}, "
            f"recall {report.story_recall:.3f}"
        )
    print(f"mean first quote: {report.mean_first_quote_chars:.0f} characters")
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
