"""Whether quotes are about the question: the answer as a whole, and each quote after the first.

The bar is the embedder's similarity floor (calibrated on the news QA set's answerable and
off-topic questions, README "Silence when the archive has nothing"), lower across languages,
with a band just under it where the quote must also hold the question's keywords.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.quotes import Window
from retrieval.settings import SearchSettings


@dataclass(frozen=True)
class Closest:
    """The similarity to the question of the closest candidate chunk and sentence."""

    dense: float
    sentence: float

    @property
    def best(self) -> float:
        # Relevance is judged on the closest chunk or sentence, whichever is closer: a chunk's
        # pooled vector is blurrier than the one sentence that answers.
        return max(self.dense, self.sentence)

    def of(self, window: Window) -> float:
        """The similarity of `window`'s own chunk or best sentence, whichever is closer."""
        return max(self.dense + window.dense_gap, self.sentence + window.sentence_gap)


@dataclass(frozen=True)
class Relevance:
    """The bars for one question, in `language`, over articles of `languages` (id → code)."""

    settings: SearchSettings
    embedder_floor: float
    language: str
    languages: Mapping[int, str]
    closest: Closest

    def answers(self, best: Window) -> bool:
        """Whether the archive has anything to say: the best window, judged by the closest
        candidate, is as close as the floor, or a little less and holds the question's
        keywords."""
        floor = self.floor(best)
        similarity = self.closest.best
        if similarity >= floor:
            return True
        if similarity < floor - self.settings.keyword_allowance:
            return False
        return best.coverage >= self.settings.min_keyword_coverage

    def adds_to_answer(self, window: Window, by_speaker_asked: bool) -> bool:
        """Whether a quote after the first is about the question too: as close as the floor,
        or a little less with some of the question's keywords or said by the speaker asked
        about. A further quote adds to an answer already judged relevant, so its bar is lower;
        but a quote about another story, which the first quote's bar would let in only to fill
        the page, is left out (README)."""
        settings = self.settings
        floor = self.floor(window)
        similarity = self.closest.of(window)
        return similarity >= floor or (
            similarity >= floor - settings.further_quote_allowance
            and (by_speaker_asked or window.coverage >= settings.further_quote_min_coverage)
        )

    def floor(self, window: Window) -> float:
        """How similar to the question a quote must be to be about it."""
        floor = self.settings.min_dense_score or self.embedder_floor
        if self.languages[window.article_id] != self.language:
            # A question and a passage in two languages score lower for the same relevance
            # (measured with e5 on the news QA set: README, "Silence when the archive has
            # nothing"), so the bar is lower across languages.
            floor -= self.settings.cross_language_allowance
        return floor
