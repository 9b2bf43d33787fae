"""How-many questions prefer the quote that counts what they ask about."""

from __future__ import annotations

import pytest

from retrieval.quantities import counts, quantities_first, read_quantity
from retrieval.quotes import Window


@pytest.mark.parametrize(
    ("question", "language", "thing"),
    [
        ("¿Cuántos empleos creará el centro de datos?", "es", "emple"),
        ("¿Y cuántas víctimas hubo?", "es", "victim"),
        ("¿Cuantos drones lanzó Rusia?", "es", "dron"),
        ("How many nurses voted to strike?", "en", "nurs"),
        ("¿Qué cantidad de agua consumirá el campus?", "es", "agu"),
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


def test_a_number_counts_the_thing_when_it_comes_just_before_it() -> None:
    jobs = read_quantity("¿Cuántos empleos habrá?", "es")
    assert jobs is not None
    assert counts("El campus creará 2.000 empleos durante la obra.", jobs)
    assert counts("Habrá unos 400 nuevos puestos y empleos fijos.", jobs)
    assert counts("Tendrá doscientos empleos.", jobs)  # a number written in words
    water = read_quantity("¿Cuánta agua consumirá el campus?", "es")
    assert water is not None
    assert counts("Necesitará 1,2 hectómetros cúbicos de agua al año.", water)  # a unit between
    assert not counts("En 2024 la empresa anunció que el campus generará empleo.", jobs)
    assert not counts("El campus generará empleo.", jobs)


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
    ranked = quantities_first([lead, answer, far], {7: text, 8: "Hubo 30 empleos más."}, question)
    assert ranked[0].start == split
    assert ranked[-1].article_id == far.article_id  # a count far below the best stays below
