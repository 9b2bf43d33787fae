"""Questions about what someone said, and which quotes are theirs.

"¿Qué dijo Ucrania sobre la visita de Shoigu?", "¿Qué opina la ministra de Sanidad de…?",
"What did Savchuk say about the grid?" name a speaker; the answer should be that speaker's
statements. A speaker is matched against a quote's attribution (corpus/attribution.py) by name,
surname, role words, or the country or organisation behind them ("Ucrania" matches "el ministro
ucraniano de Energía" and "Kiev").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from corpus.attribution import SPEECH_VERBS, Attribution
from corpus.gazetteer import country_words, fold, mentioned_countries
from retrieval.glossary import translations
from retrieval.quotes import Window

__all__ = ["SAYING_WORDS", "SpeakerQuestion", "Speakers", "read_speaker", "speaker_score"]


@dataclass(frozen=True)
class SpeakerQuestion:
    """Who the question asks about (`speaker`, as written) and what about (`topic`, may be "")."""

    speaker: str
    topic: str
    language: str = "es"  # the question's, so role words can be matched in other languages

    @property
    def countries(self) -> list[str]:
        return mentioned_countries(self.speaker)

    @property
    def words(self) -> frozenset[str]:
        """The speaker's own words to look for in a name or role (not articles, not titles
        every speaker has)."""
        words = _words(self.speaker)
        return frozenset(w for w in words if len(w) > 2 and w not in _GENERIC)

    @cached_property
    def word_forms(self) -> dict[str, frozenset[str]]:
        """Each word with its translations: "ministro de Sanidad" also finds an English
        article's "health secretary" (retrieval/glossary.py)."""
        return {
            word: frozenset({word, *(fold(t) for t in translations(word, self.language))})
            for word in self.words
        }


# Opinion verbs a question uses that news rarely does ("¿Qué opina X?"), besides every
# speech verb the attribution rules know.
_OPINION = """opina opinan opinó piensa piensan pensó cree creen creyó contó exige exigen exigió
exigieron quiere quieren propuso propone reaccionó valora think thinks thought ask asked want
wants wanted demand demanded call called urge urged feel feels felt""".split()
_VERBS = "|".join(sorted((re.escape(v) for v in {*SPEECH_VERBS, *_OPINION}), key=len, reverse=True))
# Every word a question uses to ask what was said, in any form: they say how a question asks,
# not what it is about.
SAYING_WORDS = frozenset(
    {*SPEECH_VERBS, *_OPINION, "say", "says", "saying", "tell", "tells", "told", "decir", "dice"}
)
# Where the speaker ends and the topic starts ("sobre", "tras", "about" …).
_ABOUT = (
    r"sobre|acerca de|respecto a|respecto de|respecto del|en relación con|a propósito de|"
    r"ante|tras|después de|antes de|cuando|durante|al|a la|a las|a los|a|"
    r"about|regarding|on|over|after|before|when|during|to|for"
)
_QUESTION_ES = re.compile(
    rf"^[¿\s]*(?:y\s+)?(?:qué|que)\s+(?:es lo que\s+)?(?:{_VERBS})\s+(?P<speaker>.+?)"
    rf"(?:\s+(?:{_ABOUT})\s+(?P<topic>.+?))?\s*[?.!]*$",
    re.IGNORECASE,
)
_REACTION_ES = re.compile(
    r"^[¿\s]*(?:cómo|como)\s+(?:respondió|reaccionó|valoró|ha reaccionado|ha respondido|"
    r"justificó|explicó)\s+(?P<speaker>.+?)\s+(?:a|al|a la|a los|a las|ante|sobre)\s+"
    r"(?P<topic>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
_POSITION_ES = re.compile(
    r"^[¿\s]*(?:cuál|cual)\s+es\s+(?:la\s+)?(?:postura|posición|opinión|respuesta)\s+de\s+"
    r"(?P<speaker>.+?)\s+(?:sobre|ante|respecto a)\s+(?P<topic>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
_QUESTION_EN = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have)\s+(?P<speaker>.+?)\s+"
    r"(?:say|said|think|thought|claim|warn|announce|respond|reply|argue|tell|told|propose|"
    r"promise|ask|want|demand|call|urge|criticise|criticize|feel)(?:ed|s)?"
    rf"(?:\s+(?:{_ABOUT})\s+(?P<topic>.+)|\s+.*)?$",
    re.IGNORECASE,
)
_REACTION_EN = re.compile(
    r"^\s*how\s+did\s+(?P<speaker>.+?)\s+(?:respond|react|reply)\s+to\s+(?P<topic>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
_POSITION_EN = re.compile(
    r"^\s*what\s+(?:is|was)\s+(?P<speaker>.+?)'s\s+(?:position|view|stance|response|reaction)"
    r"\s+(?:on|to|about)\s+(?P<topic>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
_PATTERNS = (
    ("es", _QUESTION_ES), ("es", _REACTION_ES), ("es", _POSITION_ES),
    ("en", _QUESTION_EN), ("en", _REACTION_EN), ("en", _POSITION_EN),
)  # fmt: skip

# Words that make a speaker an official voice of their country.
_OFFICIAL = frozenset(
    fold(w)
    for w in """ministro ministra ministros ministerio gobierno presidente presidenta
    presidencia canciller cancillería portavoz autoridades secretario secretaria embajador
    embajadora ejército fuerzas diplomacia minister ministers ministry government president
    presidency chancellor spokesman spokeswoman spokesperson authorities secretary ambassador
    army forces officials""".split()
)

# Words that say nothing about who in particular: every government has a minister.
_GENERIC = frozenset(
    fold(w)
    for w in """el la los las del de the que sobre about gobierno government autoridades
    authorities las los officials oficiales portavoz spokesman spokeswoman spokesperson""".split()
)


def _words(text: str) -> list[str]:
    """Folded words, English possessives undone ("the union's leader" has "union")."""
    return [w.removesuffix("'s").rstrip("'") for w in re.findall(r"[\w'-]+", fold(text))]


def read_speaker(question: str) -> SpeakerQuestion | None:
    """The speaker a what-did-X-say question names, or None for other questions."""
    for language, pattern in _PATTERNS:
        match = pattern.match(question.strip())
        if match is None:
            continue
        speaker = match["speaker"].strip(" ,")
        topic = (match["topic"] or "").strip(" ,?!.")
        if speaker and len(speaker.split()) <= 20:
            return SpeakerQuestion(speaker, topic, language)
    return None


def speaker_score(question: SpeakerQuestion, attribution: Attribution) -> float:
    """How surely the quote's speaker is the one the question asks about: 0 for not at all.

    A name or surname the question uses counts as much as the whole of its role words
    ("la ministra de Sanidad": each word found in the speaker's description adds its share),
    and both count more than the country or organisation behind the speaker ("Ucrania" for any
    Ukrainian speaker): "el ministro de Sanidad británico" is the health secretary before any
    other British speaker. Answers rank matching speakers' quotes by this score added to
    their relevance, so a loose match only wins when nobody matches better.
    """
    countries = question.countries
    words = question.words - {w for c in countries for w in country_words(c)}
    name_words = set(_words(attribution.name))
    described = set(_words(f"{attribution.speaker} {attribution.role}"))
    score = 0.0
    if words & name_words:
        score += NAME_WEIGHT
    if countries and attribution.country in countries:
        score += COUNTRY_WEIGHT
        if not words and described & _OFFICIAL:
            # "¿Qué dijo Portugal?" asks what its state said: a minister speaks for the
            # country more than a hospital director does.
            score += OFFICIAL_WEIGHT
    if words:
        forms = question.word_forms
        score += ROLE_WEIGHT * sum(1 for w in words if forms[w] & described) / len(words)
    return score


# What each kind of match adds to a speaker's score. The role was worth as much as the
# country until a role said in another language ("ministro de Sanidad", "health secretary")
# had to beat a compatriot; on the news QA set, speaker questions went from 0.818 to 0.841
# at hit@1 when the role's weight doubled (README).
NAME_WEIGHT = 1.0
ROLE_WEIGHT = 1.0
COUNTRY_WEIGHT = 0.5
# An official voice of the country, when the question names a country and nothing else: on
# the news QA set, 0.25 put the Portuguese health minister before a Portuguese hospital
# director for "What did Portugal announce…?" (dated questions 0.75 -> 0.80); 0.5 began to
# put officials before the statement asked about.
OFFICIAL_WEIGHT = 0.25

# How much a matching speaker adds to a window's score (retrieval/quotes.py's units: a quote
# whose best sentence is 0.05 less similar to the question loses 1). Set on the news QA set.
SPEAKER_WEIGHT = 1.0


class Speakers:
    """Who says each candidate window, for one question."""

    def __init__(
        self,
        attributions: Mapping[int, Sequence[Attribution]],
        question: SpeakerQuestion | None = None,
    ) -> None:
        self._attributions = attributions
        self._question = question

    def rank(self, windows: Sequence[Window]) -> tuple[list[Window], bool]:
        """The windows of speakers that match the question, best match and relevance first,
        and True; or all windows as they were and False when no statement matches.

        A speaker's match is added to the window's score rather than used as a cut-off: a
        surname outranks a shared role word, but among speakers who match alike (every
        Ukrainian official, for "¿Qué dijo Ucrania…?") relevance to the topic decides.
        """
        assert self._question is not None
        scored = [(w, self._score(w)) for w in windows]
        matching = [
            replace(w, score=w.score + SPEAKER_WEIGHT * score) for w, score in scored if score > 0
        ]
        if not matching:
            return list(windows), False
        return sorted(matching, key=lambda w: w.score, reverse=True), True

    def of(self, window: Window) -> str | None:
        """The speaker to show under the window's quote: the one asked about when the window
        holds their statement, else the first person named speaking in it (an unnamed "la
        compañía" opening a paragraph says less than the executive quoted after it), else the
        first speaker; None when nobody speaks."""
        inside = self._inside(window)
        if not inside:
            return None
        if self._question is not None:
            question = self._question
            # Among speakers who match alike, the most specific: a named person before an
            # institution, "el Ministerio de Defensa ruso" before "Rusia" (then the first).
            best = max(
                inside, key=lambda a: (speaker_score(question, a), bool(a.name), len(a.speaker))
            )
            if speaker_score(question, best) > 0:
                return best.speaker
        return next((a.speaker for a in inside if a.name), inside[0].speaker)

    def _score(self, window: Window) -> float:
        """A window mixing speakers is only as good as its least fitting statement."""
        assert self._question is not None
        inside = self._inside(window)
        return min((speaker_score(self._question, a) for a in inside), default=0.0)

    def _inside(self, window: Window) -> list[Attribution]:
        return [
            a
            for a in self._attributions.get(window.article_id, ())
            if a.start < window.end and window.start < a.end
        ]
