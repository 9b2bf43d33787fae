"""The news benchmark: our own hand-written archive and questions (tests/data/news/).

Where the SQuAD benchmark measures finding a paragraph, this one measures reading news: who
said it (speaker questions), when (dated questions, each with its own "today"), the latest on
a story, English questions over Spanish articles, which outlets carried a story, and saying
nothing when the archive has nothing (off-topic questions).

A question is a hit at rank r when the r-th quote comes from its article (or another telling
of the same story, `also_ok`) and contains the answer: verbatim in its own article, or most of
the answer's words in another outlet's telling.

Besides that strict hit@1, the report gives `any@1`: the first quote holds the reference answer
or one of the other passages that answer the question just as well (`alternatives.json`,
listed for every question by a reader who saw the articles and questions, not our answers).
A question often has several right answers ("What did X say about Y?", when X said two things
about Y); the strict figure is the one the floors are set on.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from corpus.gazetteer import fold
from corpus.loaders import load_path
from corpus.settings import StorageSettings
from retrieval.archive import Archive, ArchiveSettings
from retrieval.dates import Period
from retrieval.embedders import Embedder
from retrieval.evaluation import archive_dir
from retrieval.models import Passage, SearchResult
from retrieval.searcher import Searcher
from retrieval.tokens import analyze

KINDS = ("speaker", "fact", "dated", "latest", "english")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class NewsQuestion:
    id: str
    kind: str
    question: str
    article: str
    also_ok: tuple[str, ...]
    answer: str
    speaker: str | None
    as_of: date | None
    period: Period | None
    # Other passages that answer as well: (article file, exact text in it).
    alternatives: tuple[tuple[str, str], ...] = ()


@dataclass
class KindScore:
    questions: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    any_at_1: float = 0.0  # the first quote holds the reference or an alternative answer
    speaker_right: float | None = None  # speaker questions: the first quote names them
    period_right: float | None = None  # dated questions: the period read is the expected one


@dataclass
class NewsEvalReport:
    kinds: dict[str, KindScore] = field(default_factory=dict)
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    any_at_1: float = 0.0
    off_topic_questions: int = 0
    off_topic_rejected: float = 0.0
    story_precision: float | None = None
    story_recall: float | None = None
    mean_first_quote_chars: float = 0.0
    misses: list[str] = field(default_factory=list)  # ids answered wrongly at rank 1

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        return {k: _rounded(v) for k, v in data.items()}


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def load_questions(directory: Path) -> list[NewsQuestion]:
    items = json.loads((directory / "questions.json").read_text(encoding="utf-8"))
    alternatives_file = directory / "alternatives.json"
    alternatives = (
        json.loads(alternatives_file.read_text(encoding="utf-8"))
        if alternatives_file.exists()
        else {}
    )
    return [
        NewsQuestion(
            id=item["id"],
            kind=item["kind"],
            question=item["question"],
            article=item["article"],
            also_ok=tuple(item.get("also_ok") or ()),
            answer=item["answer"],
            speaker=item.get("speaker"),
            as_of=date.fromisoformat(item["as_of"]) if item.get("as_of") else None,
            period=(
                Period(
                    date.fromisoformat(item["period"]["from"]),
                    date.fromisoformat(item["period"]["to"]),
                )
                if item.get("period")
                else None
            ),
            alternatives=tuple(
                (other["article"], other["answer"]) for other in alternatives.get(item["id"], ())
            ),
        )
        for item in items
    ]


def run_news_eval(
    directory: Path,
    settings: ArchiveSettings,
    keep_archive: Path | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> NewsEvalReport:
    """Build the benchmark archive from `directory`/articles, ask everything, score."""
    questions = load_questions(directory)
    off_topic = json.loads((directory / "offtopic.json").read_text(encoding="utf-8"))
    stories = json.loads((directory / "stories.json").read_text(encoding="utf-8"))
    with archive_dir(keep_archive) as data_dir:
        archive = Archive(replace(settings, storage=StorageSettings(data_dir=data_dir)), embedder)
        try:
            archive.open_indexes()
            archive.wait_for_analyses()  # a kept archive made by older code is analysed first
            files = _ingest(archive, directory / "articles", progress)
            today = max(
                (a.published.date() for a in archive.store.get_articles(list(files)).values()
                 if a.published),
                default=date.today(),
            )  # fmt: skip
            searcher = Searcher(archive)
            report = _score(searcher, questions, files, today, progress)
            rejected = [
                not searcher.search(item["question"], today=today).passages for item in off_topic
            ]
            report.off_topic_questions = len(rejected)
            report.off_topic_rejected = sum(rejected) / len(rejected) if rejected else 0.0
            report.story_precision, report.story_recall = _grouping(archive, files, stories)
            return report
        finally:
            archive.close()


def _ingest(archive: Archive, articles: Path, progress: Progress | None) -> dict[int, str]:
    """Store every article file; returns article id → file name."""
    drafts = []
    for path in sorted(articles.glob("*.md")):
        for item in load_path(path):
            if item.draft is None:
                raise RuntimeError(f"benchmark article {item.where}: {item.error}")
            drafts.append((path.name, item.draft))
    archive.ingest(drafts, lambda n: progress("ingest", n, len(drafts)) if progress else None)
    files: dict[int, str] = {}
    for name, draft in drafts:
        found = archive.store.find_duplicate(draft)
        if found is None:
            raise RuntimeError(f"benchmark article {name} was not stored")
        files[found] = name
    return files


def _score(
    searcher: Searcher,
    questions: list[NewsQuestion],
    files: dict[int, str],
    today: date,
    progress: Progress | None,
) -> NewsEvalReport:
    report = NewsEvalReport()
    texts = {
        name: article.text
        for article_id, name in files.items()
        if (article := searcher.archive.store.get_article(article_id)) is not None
    }
    first_lengths: list[int] = []
    ranks: dict[str, list[int | None]] = {kind: [] for kind in KINDS}
    answered: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    speakers: list[bool] = []
    periods: list[bool] = []
    for number, item in enumerate(questions, start=1):
        result = searcher.search(item.question, today=item.as_of or today)
        if result.passages:
            first_lengths.append(len(result.passages[0].quote))
        rank = _rank(item, result, files, texts)
        ranks.setdefault(item.kind, []).append(rank)
        answered.setdefault(item.kind, []).append(
            rank == 1 or holds_alternative(item, result, files)
        )
        if rank != 1:
            report.misses.append(item.id)
        if item.kind == "speaker":
            speakers.append(rank == 1 and _names(result.passages[0], item.speaker or ""))
        if item.kind == "dated":
            periods.append(result.period == item.period)
        if progress is not None:
            progress("ask", number, len(questions))
    every = [r for kind in ranks.values() for r in kind]
    report.hit_at_1, report.hit_at_3 = _hits(every)
    report.any_at_1 = _share([a for kind in answered.values() for a in kind])
    for kind, kind_ranks in ranks.items():
        score = KindScore(len(kind_ranks), *_hits(kind_ranks), _share(answered[kind]))
        if kind == "speaker":
            score.speaker_right = _share(speakers)
        if kind == "dated":
            score.period_right = _share(periods)
        report.kinds[kind] = score
    report.mean_first_quote_chars = statistics.fmean(first_lengths) if first_lengths else 0.0
    return report


def _hits(ranks: list[int | None]) -> tuple[float, float]:
    n = len(ranks) or 1
    return (
        sum(r == 1 for r in ranks) / n,
        sum(r is not None and r <= 3 for r in ranks) / n,
    )


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def holds_alternative(item: NewsQuestion, result: SearchResult, files: dict[int, str]) -> bool:
    """Whether the first quote holds, verbatim, another passage that answers as well."""
    if not result.passages:
        return False
    first = result.passages[0]
    name = files.get(first.article_id)
    return any(article == name and answer in first.quote for article, answer in item.alternatives)


def _rank(
    item: NewsQuestion, result: SearchResult, files: dict[int, str], texts: dict[str, str]
) -> int | None:
    answer_terms = set(analyze(item.answer, "es")) | set(analyze(item.answer, "en"))
    wanted = {item.article, *item.also_ok}
    for rank, passage in enumerate(result.passages[:3], start=1):
        name = files.get(passage.article_id)
        # A story is quoted from one of its tellings, the others listed beside the quote.
        told_in = {name, *(files.get(m.article_id) for m in passage.also_in)}
        if item.kind == "latest" and told_in & wanted:
            return rank  # "the latest on X" is any quote of the newest article on X
        if name == item.article:
            start = texts[name].find(item.answer)
            if start >= 0 and passage.start <= start and start + len(item.answer) <= passage.end:
                return rank
        elif told_in & wanted:
            found = set(analyze(passage.quote, "es")) | set(analyze(passage.quote, "en"))
            if answer_terms and len(answer_terms & found) >= 0.5 * len(answer_terms):
                return rank
    return None


def _names(passage: Passage, speaker: str) -> bool:
    """Whether the speaker shown names the expected one (by surname or organisation)."""
    return bool(passage.speaker) and fold(speaker) in fold(passage.speaker or "")


def _grouping(
    archive: Archive, files: dict[int, str], stories: list[list[str]]
) -> tuple[float | None, float | None]:
    """Precision and recall of "also in" pairs against the hand-made story groups."""
    mates = archive.store.story_mates
    truth = {
        frozenset(pair) for group in stories for pair in itertools.combinations(sorted(group), 2)
    }
    found = {
        frozenset((files[a], files[b]))
        for a, others in mates(list(files)).items()
        for b in others
        if a in files and b in files
    }
    precision = len(found & truth) / len(found) if found else 1.0
    recall = len(found & truth) / len(truth) if truth else 1.0
    return precision, recall
