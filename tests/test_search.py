from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.fusion import reciprocal_rank_fusion
from retrieval.models import QuestionError
from retrieval.searcher import Searcher
from tests.support import SHOIGU_QUESTION, draft, open_archive, sample_drafts

UKRAINE_MARKERS = ("Ucrania", "Skibitski")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    archive = open_archive(tmp_path_factory.mktemp("archive"))
    archive.ingest(sample_drafts())
    archive.ingest(
        [
            draft(
                "El Ayuntamiento de Valencia aprobó el lunes los presupuestos municipales.\n"
                "La oposición votó en contra y criticó la falta de inversión en barrios.",
                title="Valencia aprueba sus presupuestos",
                source="Diario Local",
                url="https://example.org/valencia",
            )
        ]
    )
    return Searcher(archive)


def test_shoigu_question_quotes_the_ukrainian_statements(searcher: Searcher) -> None:
    result = searcher.search(SHOIGU_QUESTION)
    assert result.language == "es"
    first = result.passages[0]
    article = searcher.archive.store.get_article(first.article_id)
    assert article is not None
    assert article.text[first.start : first.end] == first.quote
    assert any(marker in first.quote for marker in UKRAINE_MARKERS)
    assert "Shoigu" in first.quote or "visita" in first.quote
    assert len(first.quote) <= 400


def test_every_quote_is_a_verbatim_slice(searcher: Searcher) -> None:
    for passage in searcher.search("¿Qué votó la oposición en Valencia?", k=5).passages:
        article = searcher.archive.store.get_article(passage.article_id)
        assert article is not None and article.text[passage.start : passage.end] == passage.quote


def test_source_fields_come_from_the_article(searcher: Searcher) -> None:
    first = searcher.search("¿Qué aprobó el Ayuntamiento de Valencia?").passages[0]
    assert first.title == "Valencia aprueba sus presupuestos"
    assert first.source == "Diario Local" and first.url == "https://example.org/valencia"


def test_english_question_over_spanish_articles(searcher: Searcher) -> None:
    result = searcher.search("What did Ukraine say about Shoigu's visit to North Korea?")
    assert result.language == "en"
    assert result.passages
    assert any(
        "Shoigu" in p.quote or "Ucrania" in p.quote or "Skibitski" in p.quote
        for p in result.passages
    )


def test_irrelevant_question_gets_no_random_quotes(searcher: Searcher) -> None:
    assert (
        searcher.search("¿Cuál es la receta tradicional de la tortilla de patatas?").passages == []
    )


def test_at_most_two_quotes_per_article_and_no_overlap(searcher: Searcher) -> None:
    passages = searcher.search("Corea del Norte Rusia cooperación militar Kim Putin", k=6).passages
    by_article: dict[int, list] = {}
    for p in passages:
        by_article.setdefault(p.article_id, []).append(p)
    assert all(len(group) <= 2 for group in by_article.values())
    for group in by_article.values():
        for a in group:
            for b in group:
                assert a is b or a.end <= b.start or b.end <= a.start


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_empty_question_is_refused(searcher: Searcher, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        searcher.search(question)


def test_overlong_question_is_refused(searcher: Searcher) -> None:
    with pytest.raises(QuestionError, match="limit is 1,000"):
        searcher.search("¿" + "a" * 1000 + "?")


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], [1.0, 2.0], k=10)
    assert fused[1] == pytest.approx(1 / 11 + 2 / 12)
    assert fused[3] == pytest.approx(1 / 13 + 2 / 11)
    assert max(fused, key=fused.__getitem__) == 3
    assert reciprocal_rank_fusion([[5]], [0.0]) == {5: 0.0}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1]], [1.0, 2.0])


def test_search_is_unaffected_by_a_second_archive(tmp_path: Path, searcher: Searcher) -> None:
    other = open_archive(tmp_path)
    assert Searcher(other).search(SHOIGU_QUESTION).passages == []
