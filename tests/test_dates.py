"""Time in questions: relative and absolute dates, resolved against a fixed today."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import Period, read_time

TODAY = date(2026, 11, 24)  # a Tuesday


def period(start: str, end: str) -> Period:
    return Period(date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("¿Qué pasó hoy en el puerto?", period("2026-11-24", "2026-11-24")),
        ("¿Qué pasó ayer con la huelga?", period("2026-11-23", "2026-11-23")),
        ("¿Qué dijo anteayer el alcalde?", period("2026-11-22", "2026-11-22")),
        ("¿Qué se aprobó esta semana?", period("2026-11-23", "2026-11-24")),
        ("¿Qué dijo Pérez la semana pasada?", period("2026-11-16", "2026-11-22")),
        ("¿Qué pasó este mes con los precios?", period("2026-11-01", "2026-11-24")),
        ("¿Qué anunció el Gobierno el mes pasado?", period("2026-10-01", "2026-10-31")),
        ("¿Qué se decidió en marzo?", period("2026-03-01", "2026-03-31")),
        ("¿Qué pasó en diciembre?", period("2025-12-01", "2025-12-31")),  # the latest December
        ("¿Qué pasó en 2023?", period("2023-01-01", "2023-12-31")),
        ("¿Qué ha pasado desde el lunes?", period("2026-11-23", "2026-11-24")),
        ("¿Qué pasó el 3 de marzo?", period("2026-03-03", "2026-03-03")),
        ("¿Qué pasó el 3 de marzo de 2025?", period("2025-03-03", "2025-03-03")),
        ("What happened yesterday in Lisbon?", period("2026-11-23", "2026-11-23")),
        ("What did the minister say last week?", period("2026-11-16", "2026-11-22")),
        ("What happened this month?", period("2026-11-01", "2026-11-24")),
        ("What was agreed in March?", period("2026-03-01", "2026-03-31")),
        ("What has happened since Monday?", period("2026-11-23", "2026-11-24")),
        ("What happened on March 3, 2025?", period("2025-03-03", "2025-03-03")),
        ("What did she say on 29 February?", period("2024-02-29", "2024-02-29")),
    ],
)
def test_periods_resolve_against_today(question: str, expected: Period) -> None:
    intent = read_time(question, TODAY)
    assert intent.period == expected
    assert intent.phrase and intent.phrase.lower() not in intent.text.lower()


def test_the_time_phrase_is_cut_from_the_searched_text() -> None:
    assert read_time("¿Qué pasó ayer con la huelga?", TODAY).text == "¿Qué pasó con la huelga?"
    assert read_time("What happened last week in Lisbon?", TODAY).text == (
        "What happened in Lisbon?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "¿Qué dijo Ucrania sobre la visita de Shoigu?",
        "¿Sube el nivel del mar?",  # "mar" is the sea, not March
        "¿Cuánto duró la huelga de 5 días?",  # a duration, not a date
        "They may agree next year",  # "may" the verb
    ],
)
def test_questions_without_a_time_get_no_period(question: str) -> None:
    intent = read_time(question, TODAY)
    assert intent.period is None
    assert intent.text == question


def test_a_date_that_does_not_exist_is_named_and_ignored() -> None:
    intent = read_time("¿Qué pasó el 31 de febrero?", TODAY)
    assert intent.period is None
    assert intent.impossible == "el 31 de febrero"


def test_a_period_in_the_future_is_recognised() -> None:
    intent = read_time("¿Qué pasará el 3 de diciembre de 2027?", TODAY)
    assert intent.period == period("2027-12-03", "2027-12-03")
    assert intent.future(TODAY)
    assert not read_time("¿Qué pasó ayer?", TODAY).future(TODAY)


@pytest.mark.parametrize(
    "question",
    [
        "Últimas noticias sobre la huelga de médicos",
        "¿Qué se sabe del incendio de Valdemoro?",
        "Latest on the Lisbon hospital",
        "What's new with the port strike?",
        "¿Cómo está la sequía en la cuenca del Segura?",
        "¿Cuál es la situación de los embalses?",
        "How is the measles campaign going?",
        "Where do the pay talks stand?",
    ],
)
def test_questions_about_an_ongoing_topic_ask_for_recent_news(question: str) -> None:
    assert read_time(question, TODAY).recent


@pytest.mark.parametrize(
    "question",
    ["¿Qué dijo Ucrania sobre la visita de Shoigu?", "¿Cómo está compuesto el Parlamento?"],
)
def test_a_plain_question_does_not_ask_for_recent_news(question: str) -> None:
    assert not read_time(question, TODAY).recent
