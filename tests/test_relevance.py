"""The bars a quote must pass to be about the question (retrieval/relevance.py)."""

from __future__ import annotations

from retrieval.quotes import Window
from retrieval.relevance import Closest, Relevance
from retrieval.settings import SearchSettings

FLOOR = 0.85
SETTINGS = SearchSettings()  # keyword band 0.035 (coverage 0.3); further quotes 0.045 (0.2)


def window(article: int = 1, sentence_gap: float = 0.0, coverage: float = 0.0) -> Window:
    return Window(1, article, 0, 10, 0.0, sentence_gap, -1.0, coverage)


def relevance(best: float, languages: dict[int, str] | None = None) -> Relevance:
    closest = Closest(dense=best - 0.1, sentence=best)
    return Relevance(SETTINGS, FLOOR, "es", languages or {1: "es"}, closest)


def test_an_answer_needs_the_floor_or_keywords_just_under_it() -> None:
    assert relevance(0.86).answers(window())
    assert not relevance(0.83).answers(window(coverage=0.1))
    assert relevance(0.83).answers(window(coverage=0.5))
    assert not relevance(0.80).answers(window(coverage=1.0))


def test_the_bar_is_lower_across_languages() -> None:
    assert not relevance(0.81).answers(window())
    assert relevance(0.81, {1: "en"}).answers(window())


def test_a_further_quote_is_judged_on_its_own_closeness() -> None:
    judge = relevance(0.90)  # the answer's best sentence is well above the floor
    assert judge.adds_to_answer(window(sentence_gap=-0.04), by_speaker_asked=False)
    # 0.07 under the best is 0.02 under the floor: it needs keywords, or the speaker asked
    near = window(sentence_gap=-0.07)
    assert not judge.adds_to_answer(near, by_speaker_asked=False)
    assert judge.adds_to_answer(window(sentence_gap=-0.07, coverage=0.25), by_speaker_asked=False)
    assert judge.adds_to_answer(near, by_speaker_asked=True)
    # far under the floor it is about something else, whoever says it
    assert not judge.adds_to_answer(window(sentence_gap=-0.12, coverage=1.0), by_speaker_asked=True)
