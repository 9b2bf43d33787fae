"""Reasons for refusing an article: codes and English from corpus, the bot's words from its
catalogues (bot/i18n/), the same details in every language."""

from __future__ import annotations

import pytest

from bot.i18n import catalogue, describe
from corpus.loaders import LoadError
from corpus.problems import ENGLISH, Problem
from corpus.web import FetchError

SPANISH = {
    key.removeprefix("problem."): text
    for key, text in catalogue("es").items()
    if key.startswith("problem.")
}


def test_every_reason_has_a_spanish_wording() -> None:
    assert set(SPANISH) == set(ENGLISH)


def test_the_bots_english_wordings_are_the_corpus_ones() -> None:
    """The CLI and logs (corpus) and the bot say the same thing in English."""
    english = catalogue("en")
    assert {code: english[f"problem.{code}"] for code in ENGLISH} == ENGLISH


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_both_wordings_use_the_same_details(code: str) -> None:
    """A Spanish template naming a detail the English one lacks would crash at run time."""
    names = {"byte", "suffix", "accepted", "detail", "value", "length", "minimum", "maximum"}
    names |= {"url", "status", "reason", "address", "kind", "host", "content_type"}
    needed = {name for name in names if "{" + name in ENGLISH[code]}
    problem = Problem.of(code, **{name: 12345 for name in needed})
    assert str(problem) and describe(problem, "es")
    assert {name for name in names if "{" + name in SPANISH[code]} == needed


def test_spanish_groups_thousands_with_points_and_names_address_kinds() -> None:
    too_long = Problem.of("too_long", length=250_000, maximum=200_000)
    assert str(too_long).startswith("the article has 250,000 characters, over the limit of 200,000")
    assert describe(too_long, "es").startswith(
        "el artículo tiene 250.000 caracteres y el límite es 200.000"
    )
    private = Problem.of("not_public", address="10.0.0.1", kind="private")
    assert (
        describe(private, "es") == "no descargo de 10.0.0.1: es una dirección privada, no pública"
    )
    assert describe(private, "en") == str(private)


def test_unknown_codes_are_a_programming_error() -> None:
    with pytest.raises(KeyError, match="unknown problem code"):
        Problem.of("no-such-code")


def test_errors_carry_their_problem_and_read_as_english() -> None:
    error = LoadError(Problem.of("not_utf8", byte=7))
    assert str(error) == "not valid UTF-8 text (byte 7)"
    assert error.problem.code == "not_utf8"
    fetch = FetchError(Problem.of("timeout", url="https://example.org/a"))
    assert str(fetch) == "https://example.org/a: timed out (fetch.timeout_seconds)"
