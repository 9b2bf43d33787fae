"""News-aware answers with the real model over part of the news QA set (tests/data/news):
stories told by several outlets, periods, the latest on a topic, speakers nobody matches,
and silence for questions the archive cannot answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from corpus.loaders import load_path
from retrieval.archive import Archive
from retrieval.dates import read_time
from retrieval.models import Passage, SearchResult
from retrieval.news_eval import NewsQuestion, holds_alternative
from retrieval.overview import asks_only_when
from retrieval.searcher import Searcher
from tests.support import open_archive

NEWS = Path(__file__).parent / "data" / "news"
ENERGY = (
    "ucrania-ataque-energia-lavozdelevante.md",
    "ucrania-ataque-energia-noticias24.md",
    "ukraine-grid-attack-morningledger.md",
)
MEASLES = (
    "sarampion-algarve-diariodelsur.md",  # 16 Nov
    "measles-algarve-morningledger.md",  # 17 Nov
    "sarampion-algarve-cronicaglobal.md",  # 18 Nov
)
OTHERS = (
    "ucrania-intercambio-prisioneros-cronicaglobal.md",  # February
    "sarampion-faro-primeros-casos-diariodelsur.md",  # September
)


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, dict[str, int]]]:
    archive = open_archive(tmp_path_factory.mktemp("news"))
    drafts = []
    for name in (*ENERGY, *MEASLES, *OTHERS):
        [item] = load_path(NEWS / "articles" / name)
        assert item.draft is not None
        drafts.append((name, item.draft))
    result = archive.ingest(drafts)
    assert len(result.added) == len(drafts)
    ids = {name: archive.store.find_duplicate(d) or 0 for name, d in drafts}
    yield archive, ids
    archive.close()


def test_the_same_story_from_several_outlets_and_languages_is_grouped(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    mates = archive.store.story_mates(ids.values())
    assert set(mates[ids[ENERGY[0]]]) == {ids[ENERGY[1]], ids[ENERGY[2]]}
    assert set(mates[ids[MEASLES[2]]]) == {ids[MEASLES[0]], ids[MEASLES[1]]}
    # the same places and people months apart are other stories
    assert mates[ids[OTHERS[0]]] == [] and mates[ids[OTHERS[1]]] == []


def test_a_story_is_quoted_once_with_the_other_outlets_beside_it(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    result = Searcher(archive).search(
        "¿Qué dijo el ministro ucraniano de Energía sobre el ataque?", today=date(2026, 11, 24)
    )
    assert result.passages
    first = result.passages[0]
    assert "Savchuk" in (first.speaker or "")
    energy = {ids[name] for name in ENERGY}
    assert first.article_id in energy
    assert {m.article_id for m in first.also_in} == energy - {first.article_id}
    assert sum(p.article_id in energy for p in result.passages) == len(
        [p for p in result.passages if p.article_id == first.article_id]
    )  # no quote from the story's other tellings


def test_a_dated_question_keeps_to_its_period(news: tuple[Archive, dict[str, int]]) -> None:
    archive, ids = news
    result = Searcher(archive).search("¿Qué pasó ayer en Járkov?", today=date(2026, 11, 21))
    assert result.period is not None and result.period.to_json() == {
        "from": "2026-11-20",
        "to": "2026-11-20",
    }
    assert not result.period_empty and not result.overview  # Járkov is a topic
    assert result.passages
    assert {p.article_id for p in result.passages} == {ids[ENERGY[0]]}


def test_an_empty_period_says_so_and_offers_the_best_from_any_date(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, _ = news
    searcher = Searcher(archive)
    result = searcher.search("¿Qué pasó ayer con el sarampión en Portugal?", today=date(2026, 6, 2))
    assert result.period_empty and result.passages
    future = searcher.search("¿Qué pasará el 3 de diciembre de 2027 con el sarampión?")
    assert future.period is not None and future.period_empty and future.passages


def test_a_date_that_does_not_exist_is_reported_and_ignored(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, _ = news
    result = Searcher(archive).search("¿Qué pasó el 31 de febrero con el sarampión?")
    assert result.ignored_date == "el 31 de febrero"
    assert result.period is None and result.passages


def test_the_latest_on_a_topic_comes_from_the_newest_article_as_of_today(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    searcher = Searcher(archive)
    later = searcher.search("Últimas noticias sobre el sarampión", today=date(2026, 11, 24))
    assert later.passages[0].article_id == ids[MEASLES[2]]
    # as of early October, only the first cases in Faro had been reported
    earlier = searcher.search("Últimas noticias sobre el sarampión", today=date(2026, 10, 1))
    assert earlier.passages[0].article_id == ids[OTHERS[1]]


def test_a_speaker_nobody_matches_gets_the_best_quotes_and_a_note(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, _ = news
    result = Searcher(archive).search("¿Qué dijo Napoleón Bonaparte sobre el sarampión?")
    assert result.speaker == "Napoleón Bonaparte"
    assert not result.speaker_found
    assert result.passages


@pytest.mark.parametrize(
    "question",
    [
        "¿Cómo se hace un gazpacho andaluz?",
        "What is the capital of Australia?",
        "¿Quién ganó la Liga española de fútbol en la temporada 2023-2024?",
    ],
)
def test_questions_the_archive_cannot_answer_get_silence(
    news: tuple[Archive, dict[str, int]], question: str
) -> None:
    archive, _ = news
    assert Searcher(archive).search(question).passages == []


def test_the_news_set_is_consistent() -> None:
    """Every question's answer is verbatim in its article, and every file it names exists."""
    questions = json.loads((NEWS / "questions.json").read_text(encoding="utf-8"))
    articles = {p.name: p.read_text(encoding="utf-8") for p in (NEWS / "articles").glob("*.md")}
    assert len(articles) >= 25 and len(questions) >= 80
    for question in questions:
        assert question["answer"] in articles[question["article"]], question["id"]
        assert all(name in articles for name in question.get("also_ok") or ()), question["id"]
    ids = {question["id"] for question in questions}
    alternatives = json.loads((NEWS / "alternatives.json").read_text(encoding="utf-8"))
    for question_id, others in alternatives.items():
        assert question_id in ids
        for other in others:
            assert other["answer"] in articles[other["article"]], question_id
    groups = json.loads((NEWS / "stories.json").read_text(encoding="utf-8"))
    assert sorted(name for group in groups for name in group) == sorted(articles)
    off_topic = json.loads((NEWS / "offtopic.json").read_text(encoding="utf-8"))
    assert len(off_topic) >= 40


def test_another_passage_that_answers_counts_for_any_answer_only() -> None:
    text = "Baird dijo que no quieren la huelga. Baird dijo que faltan enfermeras."
    question = NewsQuestion(
        id="q",
        kind="speaker",
        question="¿Qué dijo Baird sobre la huelga?",
        article="a.md",
        also_ok=(),
        answer="no quieren la huelga",
        speaker="Baird",
        as_of=None,
        period=None,
        alternatives=(("a.md", "faltan enfermeras"),),
    )
    start = text.index("Baird dijo que faltan")

    def answer_quoting(article_id: int) -> SearchResult:
        passage = Passage(text[start:], article_id, start, len(text), "T", "S", "", None, 1.0)
        return SearchResult(question.question, "es", [passage])

    assert holds_alternative(question, answer_quoting(1), {1: "a.md", 2: "b.md"})
    # the same words quoted from another article are not that passage
    assert not holds_alternative(question, answer_quoting(2), {1: "a.md", 2: "b.md"})


def test_an_answer_is_not_padded_with_quotes_about_something_else(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    result = Searcher(archive).search(
        "¿Qué ha pasado esta semana con el sarampión en Portugal?", today=date(2026, 11, 20)
    )
    measles = {ids[name] for name in MEASLES}
    assert result.passages and result.passages[0].article_id in measles
    # The Járkov blackout of 20 November is in the period too, but it is not about measles.
    assert all(p.article_id in measles for p in result.passages)


# --- questions that name only a time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "language", "only_when"),
    [
        ("¿Qué pasó ayer?", "es", True),
        ("Noticias de hoy", "es", True),
        ("¿Qué hay de nuevo esta semana?", "es", True),
        ("Resumen de la semana pasada", "es", True),
        ("Últimas noticias", "es", True),
        ("What happened last week?", "en", True),
        ("Any news today?", "en", True),
        ("¿Qué pasó ayer en Járkov?", "es", False),
        ("¿Qué dijo Ucrania ayer?", "es", False),
        ("¿Qué pasó ayer con el fútbol?", "es", False),
        ("Latest on the measles outbreak", "en", False),
    ],
)
def test_a_question_naming_only_a_time_is_told_from_one_with_a_topic(
    question: str, language: str, only_when: bool
) -> None:
    time = read_time(question, date(2026, 11, 24))
    assert time.period is not None or time.recent
    assert asks_only_when(time.text, language) is only_when


def test_what_happened_in_a_period_is_its_stories_biggest_and_newest_first(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    searcher = Searcher(archive)
    result = searcher.search("¿Qué pasó la semana pasada?", today=date(2026, 11, 24))
    assert result.overview and not result.period_empty
    assert result.period is not None and result.period.to_json() == {
        "from": "2026-11-16",
        "to": "2026-11-22",
    }
    energy, measles = result.passages  # three tellings each; the newest story first
    # Each story once, from its newest telling in the question's language, verbatim.
    assert energy.article_id == ids["ucrania-ataque-energia-noticias24.md"]
    assert measles.article_id == ids["sarampion-algarve-cronicaglobal.md"]
    assert {m.article_id for m in energy.also_in} == {ids[n] for n in ENERGY} - {energy.article_id}
    for passage in result.passages:
        article = archive.store.get_article(passage.article_id)
        assert article is not None and article.text[passage.start : passage.end] == passage.quote
    english = searcher.search("What happened last week?", today=date(2026, 11, 24))
    assert [p.article_id for p in english.passages] == [
        ids["ukraine-grid-attack-morningledger.md"],
        ids["measles-algarve-morningledger.md"],
    ]
    paged = searcher.search("¿Qué pasó la semana pasada?", offset=1, today=date(2026, 11, 24))
    assert [p.article_id for p in paged.passages] == [measles.article_id]


def test_a_period_with_nothing_published_says_so_without_quoting_other_days(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    searcher = Searcher(archive)
    empty = searcher.search("¿Qué pasó el 3 de marzo?", today=date(2026, 11, 24))
    assert empty.overview and empty.period is not None and not empty.passages
    february = searcher.search("¿Qué ocurrió en febrero?", today=date(2026, 11, 24))
    assert [p.article_id for p in february.passages] == [ids[OTHERS[0]]]
    latest = searcher.search("Últimas noticias", today=date(2026, 11, 24))
    assert latest.overview and latest.period is None  # the archive's newest week
    assert {p.article_id for p in latest.passages} <= {ids[n] for n in (*ENERGY, *MEASLES)}
    assert len(latest.passages) == 2


def test_stories_of_some_days_can_be_kept_to_sources_and_languages(
    news: tuple[Archive, dict[str, int]],
) -> None:
    archive, ids = news
    week = date(2026, 11, 16), date(2026, 11, 22)
    english = archive.store.stories_dated(*week, languages=["en"])
    assert english == [
        [ids["ukraine-grid-attack-morningledger.md"]],
        [ids["measles-algarve-morningledger.md"]],
    ]
    one_outlet = archive.store.stories_dated(*week, sources=["Crónica Global"])
    assert one_outlet == [[ids["sarampion-algarve-cronicaglobal.md"]]]
    assert archive.store.stories_dated(*week, limit=1, offset=1) == [
        [ids[MEASLES[2]], ids[MEASLES[1]], ids[MEASLES[0]]]  # newest first
    ]
