"""Choosing what to quote inside the best chunks (retrieval/quotes.py)."""

from __future__ import annotations

from corpus.models import Chunk
from retrieval.quotes import ChunkCandidate, QuoteWeights, Window, best_windows, select_quotes

TEXT = (
    "La compañía defiende su diseño. Según su consejero delegado, el 70 % del agua procederá "
    "de la depuradora de Zaragoza y solo el resto se captará del río Gállego."
)
QUESTION_TERMS = {"es": {"compañ": 1.0, "diseñ": 1.0}}


def windows_of(min_chars: int) -> list[str]:
    chunk = Chunk(article_id=1, ordinal=0, start=0, end=len(TEXT), text=TEXT, id=1)
    found = best_windows(
        [ChunkCandidate(chunk, "es")],
        {1: TEXT},
        QUESTION_TERMS,
        max_sentences=3,
        max_chars=500,
        weights=QuoteWeights(),
        min_chars=min_chars,
    )
    return [TEXT[w.start : w.end] for w in found]


def test_a_one_liner_is_quoted_with_the_sentence_it_announces() -> None:
    assert windows_of(min_chars=80)[0] == TEXT
    assert "La compañía defiende su diseño." not in windows_of(min_chars=80)


def test_without_a_minimum_the_one_liner_alone_may_be_quoted() -> None:
    assert "La compañía defiende su diseño." in windows_of(min_chars=0)


def test_a_short_last_sentence_is_still_quoted_when_nothing_follows_it() -> None:
    short_end = TEXT + " Nadie lo discute."
    chunk = Chunk(article_id=1, ordinal=0, start=0, end=len(short_end), text=short_end, id=1)
    found = best_windows(
        [ChunkCandidate(chunk, "es")],
        {1: short_end},
        {"es": {"discut": 1.0}},
        max_sentences=1,
        max_chars=500,
        weights=QuoteWeights(),
        min_chars=80,
    )
    assert "Nadie lo discute." in [short_end[w.start : w.end] for w in found]


def test_quotes_after_the_first_must_be_relevant_on_their_own() -> None:
    windows = [Window(chunk_id=n, article_id=n, start=0, end=10, score=3.0 - n) for n in range(4)]
    off_topic = {0, 2}  # the first is the answer, judged before; the third is about else

    chosen = select_quotes(
        windows, k=3, per_article=2, relevant=lambda w: w.article_id not in off_topic
    )
    assert [w.article_id for w in chosen] == [0, 1, 3]


def test_only_a_window_scoring_as_well_extends_a_quote() -> None:
    best = Window(chunk_id=1, article_id=1, start=0, end=40, score=2.0)
    tie = Window(chunk_id=1, article_id=1, start=0, end=80, score=2.0)  # adds a sentence
    worse = Window(chunk_id=1, article_id=1, start=0, end=120, score=1.5)
    [quote] = select_quotes([best, tie, worse], k=3, per_article=2, merge_max_chars=500)
    assert (quote.start, quote.end) == (0, 80)
