"""Whether a quote from another outlet's telling of a story adds anything to the answer.

An answer shows a story once, with the other outlets beside it ("También en"), not the same
statement in three wordings. But another telling often holds what the first one left out,
and sometimes it is what the question asks: only the Spanish report of the measles campaign
says what the mayor of Loulé is doing. So a quote from another telling of a quoted story is
shown only when it holds clearly more of the question than the quote already shown: a third
of the weight of the question's rarer words, net of what it lacks.

Judging retellings by the quotes' own words or vectors did not work: on the news QA set,
sentences reporting the same statement in two outlets shared as few as 0.10 of their
keywords and were no closer (cosine 0.87–0.93) than sentences of the story about other facts.
A telling whose figures all appear in the quote shown retells it, whatever else it names.
Measured on that set (README): with these rules 5 of 120 answers quote two tellings of a
story, each for a fact the other lacks; showing any telling that adds one question word let
34 through, most of them the same statement twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from retrieval.glossary import keywords_in
from retrieval.quotes import Window
from retrieval.speakers import SAYING_WORDS
from retrieval.tokens import analyze

__all__ = ["NEW_ENOUGH", "RARE_ENOUGH", "Retellings"]

# A word of the question counts only if it is rarer than about one passage in eight (its
# inverse document frequency, as BM25 computes it): "dijo" or "gobierno" are in every story.
RARE_ENOUGH = 2.0
NEW_ENOUGH = 1 / 3  # net share of the rarer words' weight another telling must add
_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
_YEAR = re.compile(r"(?:19|20)\d\d")


class Retellings:
    """For one question: `articles` maps an article id to its text and language, `weight`
    gives a keyword's inverse document frequency."""

    def __init__(
        self,
        question: str,
        language: str,
        articles: Mapping[int, tuple[str, str]],
        weight: Callable[[str], float],
    ) -> None:
        # The words that ask what was said ("dijo", "say") are in every statement, whatever
        # its wording: only what the question is about can make a telling new.
        self._question = [w for w in question.split() if _bare(w) not in SAYING_WORDS]
        self._language = language
        self._articles = articles
        self._weight = weight
        self._asked: dict[str, list[frozenset[str]]] = {}
        self._covering: dict[tuple[int, int, int], frozenset[int]] = {}
        self._weights: dict[frozenset[str], list[float]] = {}

    def __call__(self, shown: Window, other: Window) -> bool:
        """Whether `other` (another telling of `shown`'s story) holds no more of the question
        than `shown` does."""
        figures = self._figures(other)
        if figures and figures <= self._figures(shown):
            return True  # the same figures are the same facts: "entre el 6 % y el 24 %"
        languages = frozenset(self._articles[w.article_id][1] for w in (shown, other))
        weights = self._word_weights(languages)
        total = sum(weights) or 1.0
        gain = sum(weights[n] for n in self._covered(other) - self._covered(shown))
        loss = sum(weights[n] for n in self._covered(shown) - self._covered(other))
        return (gain - loss) / total < NEW_ENOUGH

    def _figures(self, window: Window) -> frozenset[str]:
        """The window's numbers of two digits or more, years aside, separators dropped
        ("500.000" and "500,000" are one figure)."""
        text = self._articles[window.article_id][0][window.start : window.end]
        digits = (re.sub(r"\D", "", n) for n in _NUMBER.findall(text))
        return frozenset(d for d in digits if len(d) >= 2 and not _YEAR.fullmatch(d))

    def _covered(self, window: Window) -> frozenset[int]:
        """Which of the question's words (by position) the window holds."""
        key = (window.article_id, window.start, window.end)
        if key not in self._covering:
            text, language = self._articles[window.article_id]
            found = set(analyze(text[window.start : window.end], language))
            words = self._words_in(language)
            self._covering[key] = frozenset(n for n, terms in enumerate(words) if terms & found)
        return self._covering[key]

    def _word_weights(self, languages: frozenset[str]) -> list[float]:
        """Each question word's weight: its rarest term's, in whichever of `languages` the
        word is commonest ("dijo" is common in Spanish, and "said" rare in an archive with few
        English passages: it is a common word)."""
        if languages not in self._weights:
            per_language = [self._words_in(language) for language in languages]
            self._weights[languages] = [
                min(max((self._weight(t) for t in words[n]), default=0.0) for words in per_language)
                for n in range(len(self._question))
            ]
        return self._weights[languages]

    def _words_in(self, language: str) -> list[frozenset[str]]:
        """Each question word's index terms in `language`; empty for common words."""
        if language not in self._asked:
            words = [frozenset(keywords_in(w, self._language, language)) for w in self._question]
            self._asked[language] = [
                terms if any(self._weight(t) >= RARE_ENOUGH for t in terms) else frozenset()
                for terms in words
            ]
        return self._asked[language]


def _bare(word: str) -> str:
    return word.strip("¿?¡!.,;:«»\"'()").lower()
