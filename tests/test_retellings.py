"""Another outlet's telling of a quoted story is quoted only when it adds to the answer."""

from __future__ import annotations

from retrieval.quotes import Window, select_quotes
from retrieval.retellings import Retellings

ENGLISH = (
    "The outbreak has reached 214 cases. Most infections were recorded in Loulé, Albufeira "
    "and Portimão."
)
SPANISH = (
    "El brote suma ya 214 casos en el Algarve. La alcaldesa de Loulé anunció que cederá "
    "autobuses municipales para llevar las vacunas a las aldeas del interior."
)
ARTICLES = {1: (ENGLISH, "en"), 2: (SPANISH, "es")}


def window(article: int, text: str, start_at: str, score: float) -> Window:
    start = text.index(start_at)
    end = text.find(".", start) + 1
    return Window(chunk_id=article, article_id=article, start=start, end=end, score=score)


def every_word_is_rare(term: str) -> float:
    return 5.0


def test_a_telling_that_holds_what_the_question_asks_is_not_a_retelling() -> None:
    retold = Retellings(
        "What is the mayor of Loulé doing to bring vaccines to villages?",
        "en",
        ARTICLES,
        every_word_is_rare,
    )
    shown = window(1, ENGLISH, "Most infections", 3.0)
    mayor = window(2, SPANISH, "La alcaldesa", 2.0)
    cases = window(2, SPANISH, "El brote", 2.5)
    assert not retold(shown, mayor)
    assert retold(shown, cases)  # the same count again, in Spanish
    chosen = select_quotes(
        [shown, cases, mayor], k=3, per_article=2, stories={1: 1, 2: 1}, retold=retold
    )
    assert [w.article_id for w in chosen] == [1, 2]
    assert chosen[1].start == mayor.start


def test_common_words_do_not_make_a_telling_new() -> None:
    def only_loule_is_rare(term: str) -> float:
        return 5.0 if term.startswith("loul") else 0.5

    retold = Retellings(
        "What is the mayor of Loulé doing to bring vaccines to villages?",
        "en",
        ARTICLES,
        only_loule_is_rare,
    )
    assert retold(
        window(1, ENGLISH, "Most infections", 3.0), window(2, SPANISH, "La alcaldesa", 2.0)
    )


def test_without_a_judge_a_story_is_quoted_from_one_telling() -> None:
    shown = window(1, ENGLISH, "Most infections", 3.0)
    mayor = window(2, SPANISH, "La alcaldesa", 2.0)
    chosen = select_quotes([shown, mayor], k=3, per_article=2, stories={1: 1, 2: 1})
    assert chosen == [shown]


def test_the_same_figures_are_the_same_facts_whatever_else_a_telling_names() -> None:
    shown_text = "Officials counted 214 cases on Monday."
    articles = {
        1: (shown_text, "en"),
        2: ("El brote del Algarve suma ya 214 casos.", "es"),
        3: ("El brote del Algarve suma ya 230 casos.", "es"),
    }
    retold = Retellings(
        "How many cases does the Algarve outbreak have?", "en", articles, every_word_is_rare
    )
    shown = Window(chunk_id=1, article_id=1, start=0, end=len(shown_text), score=3.0)
    same, other = (
        Window(chunk_id=n, article_id=n, start=0, end=len(articles[n][0]), score=2.0)
        for n in (2, 3)
    )
    assert retold(shown, same)  # it names the Algarve and the outbreak, but tells 214 again
    assert not retold(shown, other)  # another figure, and more of the question
