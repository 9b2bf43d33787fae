"""The retrieval benchmark: SQuAD-format questions over a throwaway archive of its articles.

A question is a hit at rank r when a gold answer's span (in the article built from the SQuAD
paragraphs) lies inside the span of the r-th returned quote.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.models import ArticleDraft, Span
from corpus.settings import StorageSettings
from retrieval.archive import Archive, ArchiveSettings
from retrieval.embedders import Embedder
from retrieval.searcher import Searcher

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    article_index: int
    gold: tuple[Span, ...]  # answer spans in the joined article text; empty when not verbatim


@dataclass(frozen=True)
class EvalReport:
    questions: int
    articles: int
    chunks: int
    hit_at_1: float
    hit_at_3: float
    mrr_at_10: float
    mean_first_quote_chars: float
    latency_p50_ms: float
    latency_p95_ms: float
    ingest_seconds: float
    embedding_seconds: float
    chunks_per_second: float

    @property
    def ingest_overhead(self) -> float:
        """Ingest wall time over time spent in the embedder: 1.0 means no overhead at all."""
        return self.ingest_seconds / self.embedding_seconds if self.embedding_seconds else 0.0

    def to_json(self) -> dict[str, float | int]:
        data: dict[str, float | int] = {
            k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()
        }
        data["ingest_overhead"] = round(self.ingest_overhead, 3)
        return data


def load_squad(
    path: Path, translations: dict[str, str] | None = None
) -> tuple[list[ArticleDraft], list[EvalQuestion]]:
    """Each SQuAD article becomes one article: its paragraphs joined by blank lines.

    With `translations` (question id → the question in another language), only the
    translated questions are asked, in their translation: English questions over the Spanish
    articles, for instance. An empty translation asks that question in its own words (the
    same questions' baseline in the dataset's language)."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    drafts, questions = [], []
    for index, entry in enumerate(data):
        offset, parts = 0, []
        for paragraph in entry["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                if translations is not None and qa["id"] not in translations:
                    continue
                asked = (translations or {}).get(qa["id"]) or qa["question"]
                questions.append(EvalQuestion(asked, index, _gold_spans(context, qa, offset)))
            parts.append(context)
            offset += len(context) + len(PARAGRAPH_SEPARATOR)
        title = entry["title"].replace("_", " ").strip()
        drafts.append(
            ArticleDraft(title=title, text=PARAGRAPH_SEPARATOR.join(parts), language="es")
        )
    return drafts, questions


def _gold_spans(context: str, qa: dict, offset: int) -> tuple[Span, ...]:
    spans = []
    for answer in qa["answers"]:
        text, start = answer["text"], answer["answer_start"]
        if not text:
            continue
        if context[start : start + len(text)] != text:
            start = context.find(text)  # machine translation shifted the offset
            if start < 0:
                continue  # not verbatim: a miss for every system alike
        spans.append(Span(offset + start, offset + start + len(text)))
    return tuple(spans)


@contextmanager
def archive_dir(keep: Path | None) -> Iterator[Path]:
    """`keep` (created if needed), or a temporary folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="hemeroteca-eval-") as directory:
        yield Path(directory)


def run_eval(
    dataset: Path,
    settings: ArchiveSettings,
    limit: int | None = None,
    keep_archive: Path | None = None,
    embedder: Embedder | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    translations: dict[str, str] | None = None,
) -> EvalReport:
    """Build (or reuse, with `keep_archive`) the benchmark archive, ask, score."""
    drafts, questions = load_squad(dataset, translations)
    questions = questions[:limit] if limit else questions
    with archive_dir(keep_archive) as directory:
        archive = Archive(replace(settings, storage=StorageSettings(data_dir=directory)), embedder)
        try:
            archive.open_indexes()
            article_ids, ingest_seconds = _ingest(archive, drafts, progress)
            searcher = Searcher(archive)
            searcher.search(questions[0].question)  # warm-up: first-call costs are not latency
            report = _score(archive, searcher, questions, article_ids, progress)
            return replace(
                report,
                ingest_seconds=ingest_seconds,
                chunks_per_second=report.chunks / ingest_seconds if ingest_seconds else 0.0,
            )
        finally:
            archive.close()


def _ingest(
    archive: Archive, drafts: list[ArticleDraft], progress: Callable[[str, int, int], None] | None
) -> tuple[list[int], float]:
    """Store the benchmark articles; returns their ids and the ingest wall time (0 if reused)."""
    started = time.perf_counter()
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("ingest", done, len(drafts))

    result = archive.ingest(((f"squad:{i}", d) for i, d in enumerate(drafts)), tick)
    seconds = time.perf_counter() - started if result.added else 0.0
    ids: list[int] = []
    for index, draft in enumerate(drafts):
        found = archive.store.find_duplicate(draft)
        if found is None:
            raise RuntimeError(f"benchmark article {index} was not stored")
        ids.append(found)
    return ids, seconds


def _score(
    archive: Archive,
    searcher: Searcher,
    questions: list[EvalQuestion],
    article_ids: list[int],
    progress: Callable[[str, int, int], None] | None,
) -> EvalReport:
    ranks: list[int | None] = []
    latencies: list[float] = []
    first_lengths: list[int] = []
    for number, item in enumerate(questions, start=1):
        started = time.perf_counter()
        # SQuAD "articles" are whole Wikipedia pages of ~40 paragraphs: the per-article cap of
        # a news answer would hide the right paragraph, so ranks count every quote, as the
        # paragraph-level baselines do.
        result = searcher.search(item.question, k=10, per_article=10)
        latencies.append((time.perf_counter() - started) * 1000)
        if result.passages:
            first_lengths.append(len(result.passages[0].quote))
        target = article_ids[item.article_index]
        ranks.append(
            next(
                (
                    rank
                    for rank, p in enumerate(result.passages, start=1)
                    if p.article_id == target
                    and any(p.start <= g.start and g.end <= p.end for g in item.gold)
                ),
                None,
            )
        )
        if progress is not None:
            progress("ask", number, len(questions))
    n = len(questions) or 1
    latencies.sort()
    chunks = archive.store.count_chunks()
    return EvalReport(
        questions=len(questions),
        articles=archive.store.count_articles(),
        chunks=chunks,
        hit_at_1=sum(r == 1 for r in ranks) / n,
        hit_at_3=sum(r is not None and r <= 3 for r in ranks) / n,
        mrr_at_10=sum(1 / r for r in ranks if r is not None) / n,
        mean_first_quote_chars=statistics.fmean(first_lengths) if first_lengths else 0.0,
        latency_p50_ms=_percentile(latencies, 50),
        latency_p95_ms=_percentile(latencies, 95),
        ingest_seconds=0.0,
        embedding_seconds=archive.embedding_seconds,
        chunks_per_second=0.0,
    )


def _percentile(sorted_values: list[float], percent: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(percent / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def load_translations(path: Path) -> dict[str, str]:
    """A translations file: a JSON list of {"id", "question"} (tests/data/squad-en-200.json)."""
    items = json.loads(path.read_text(encoding="utf-8"))
    return {str(item["id"]): str(item["question"]) for item in items}
