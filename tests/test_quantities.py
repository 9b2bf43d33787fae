"""How-many questions prefer the quote that counts what they ask about."""

from __future__ import annotations

import pytest

from retrieval.quantities import counts, quantities_first, read_quantity
from retrieval.quotes import Window


@pytest.mark.parametrize(
    ("question", "language", "thing"),
    [
        ("¿Cuántos empleos creará el centro de datos?", "es", "empleos"),
        ("¿Y cuántas víctimas hubo?", "es", "víctimas"),
        ("¿Cuantos drones lanzó Rusia?", "es", "drones"),
        ("How many nurses voted to strike?", "en", "nurses"),
        ("¿Qué cantidad de agua consumirá el campus?", "es", "agua"),
    ],
)
def test_a_how_many_question_names_what_it_counts(question: str, language: str, thing: str) -> None:
    read = read_quantity(question, language)
    assert read is not None and read.thing == thing


@pytest.mark.parametrize(
    "question",
    ["¿Qué dijo la ministra sobre el brote?", "En cuanto a la sequía, ¿qué se sabe?", "  "],
)
def test_other_questions_ask_for_no_number(question: str) -> None:
    assert read_quantity(question, "es") is None


def things(question: str, language: str, text_language: str = "es") -> frozenset[str]:
    read = read_quantity(question, language)
    assert read is not None
    return read.thing_terms(text_language)


def test_a_number_counts_the_thing_when_it_comes_just_before_it() -> None:
    jobs = things("¿Cuántos empleos habrá?", "es")
    assert counts("El campus creará 2.000 empleos durante la obra.", jobs, "es")
    assert counts("Habrá unos 400 nuevos puestos y empleos fijos.", jobs, "es")
    assert counts("Tendrá doscientos empleos.", jobs, "es")  # a number written in words
    water = things("¿Cuánta agua consumirá el campus?", "es")
    assert counts("Necesitará 1,2 hectómetros cúbicos de agua al año.", water, "es")
    assert not counts("En 2024 la empresa anunció que el campus generará empleo.", jobs, "es")
    assert not counts("El campus generará empleo.", jobs, "es")


def test_an_english_question_counts_in_a_spanish_text() -> None:
    jobs = things("How many jobs will the campus create?", "en", "es")
    assert counts("El campus creará 2.000 empleos durante la obra.", jobs, "es")
    assert not counts("El campus creará 2.000 empleos durante la obra.", jobs, "en")


def test_the_window_that_counts_comes_first_among_close_ones() -> None:
    text = (
        "Nimbra anunció una inversión de 3.500 millones en un centro de datos. "
        "El campus creará 2.000 empleos durante la construcción."
    )
    split = text.index("El campus")
    lead = Window(chunk_id=1, article_id=7, start=0, end=split - 1, score=10.0)
    answer = Window(chunk_id=1, article_id=7, start=split, end=len(text), score=9.5)
    far = Window(chunk_id=2, article_id=8, start=0, end=20, score=2.0)
    question = read_quantity("¿Cuántos empleos creará el centro de datos?", "es")
    assert question is not None
    articles = {7: (text, "es"), 8: ("Hubo 30 empleos más.", "es")}
    ranked = quantities_first([lead, answer, far], articles, question)
    assert ranked[0].start == split
    assert ranked[-1].article_id == far.article_id  # a count far below the best stays below


def test_a_count_many_passages_give_is_no_clue() -> None:
    text = "Hubo 3 goles. Hubo 4 goles. Hubo 5 goles. Hubo 6 goles. El partido acabó."
    starts = [0, 14, 28, 42, 56]
    windows = [
        Window(chunk_id=n, article_id=1, start=s, end=s + 12, score=10.0 - n)
        for n, s in enumerate(starts)
    ]
    question = read_quantity("¿Cuántos goles hubo?", "es")
    assert question is not None
    ranked = quantities_first(windows, {1: (text, "es")}, question)
    assert ranked == windows  # four chunks count goals: the order is relevance alone
