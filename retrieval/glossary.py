"""A question's keywords in another language, through a bilingual word list and cognate rules.

No translation model can be downloaded here, and the embedder alone matches an English question
to a Spanish passage less well than a Spanish one (README, "English questions"). Keyword search
closes most of that gap when it gets the question's words in the passage's language: "Which team
won the league?" searches Spanish passages for equipo, ganar and liga. One hand-written list
(`data/glossary-en-es.tsv`) serves both directions; words it lacks keep their own spelling
(names, numbers) plus their regular cognates (constitution → constitución).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from retrieval.tokens import analyze, fold_accents, is_stopword, stem

DATA = Path(__file__).parent / "data"
_WORD = re.compile(r"\w+", re.UNICODE)
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|º|ª|o|a)$")

# Regular endings that turn a word of one language into its cognate in the other, longest
# first; only the first that fits applies. A wrong guess costs nothing: a term no passage
# holds matches nothing.
_COGNATES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("en", "es"): (
        ("logy", "logía"), ("graphy", "grafía"), ("tion", "ción"), ("sion", "sión"),
        ("ity", "idad"), ("ical", "ico"), ("ism", "ismo"), ("ist", "ista"), ("ment", "mento"),
        ("ence", "encia"), ("ance", "ancia"), ("ous", "oso"), ("ive", "ivo"), ("ary", "ario"),
        ("ory", "orio"), ("ize", "izar"), ("ise", "izar"), ("ic", "ico"), ("ent", "ente"),
        ("ant", "ante"), ("ate", "ar"), ("y", "ía"),
    ),
    ("es", "en"): (
        ("logía", "logy"), ("grafía", "graphy"), ("ción", "tion"), ("sión", "sion"),
        ("idad", "ity"), ("ismo", "ism"), ("ista", "ist"), ("mento", "ment"), ("encia", "ence"),
        ("ancia", "ance"), ("oso", "ous"), ("osa", "ous"), ("ivo", "ive"), ("iva", "ive"),
        ("ario", "ary"), ("aria", "ary"), ("orio", "ory"), ("izar", "ize"), ("ico", "ic"),
        ("ica", "ic"), ("ente", "ent"), ("ante", "ant"),
    ),
}  # fmt: skip

# Words a question is made of but a passage is not searched by, beyond the index's stopword
# lists (bm25s's English list has 33 words and no "what" or "did").
_FUNCTION_WORDS = {
    "en": frozenset(
        """what which who whom whose when where why how did does do done doing many much
        is are was were be
        has have had having been being am would could should might must shall can may
        he she him his her hers they them their theirs we us our you your i me my its
        one ones also some any each every other another than then so very just only own
        same too more most less least about above below after before during since until
        from into onto upon over under between among within without through across via
        whether while although though because yet still ever never often already""".split()
    ),
    "es": frozenset(
        """qué cuál cuáles cuándo dónde adónde cómo quién quiénes cuánto cuánta cuántos
        cuántas""".split()
    ),
}

# Plural endings undone before a cognate rule is tried (the rules are written for singulars).
_SINGULAR = {
    "en": (("ies", "y"), ("sses", "ss"), ("s", "")),
    "es": (("ciones", "ción"), ("siones", "sión"), ("dades", "dad"), ("es", ""), ("s", "")),
}


@dataclass(frozen=True, eq=False)  # one per pair (glossary_for), hashed by identity
class Glossary:
    """Words of one language (by stem) → their usual translations into another."""

    source: str
    target: str
    entries: Mapping[str, tuple[str, ...]]

    def keywords(self, text: str) -> dict[str, float]:
        """The index terms of `text`'s content words, said in the target language, each with
        its share of the word it translates: a word said three ways weighs no more than a
        word said one way."""
        shares: dict[str, float] = {}
        for position, written in enumerate(_WORD.findall(text)):
            word = _ORDINAL.sub(r"\1", written.lower())  # "50th" is "50º" or "50" in Spanish
            if word.isdigit():
                shares[word] = 1.0  # a number is written alike in both ("5 %", "2015")
                continue
            if len(word) < 2 or is_stopword(word, self.source) or word in self._function_words:
                continue
            known = self.words_for(word)
            if position > 0 and written[0].isupper():
                # A capital inside the question marks a name ("Sun Life Stadium"), which
                # articles in any language write as it is; its translations (estadio) are
                # kept too, as they were measured to help more than they mislead.
                said = (word, *known)
            else:
                # A word spelled alike in both languages may differ in its plural ("hospitals",
                # "hospitales"): without a regular cognate, its singular is the other way.
                said = known or (word, *(self._cognates(word) or [self._singular(word)]))
            terms = set(analyze(" ".join(said), self.target))
            for term in terms:
                shares[term] = max(shares.get(term, 0.0), 1.0 / len(terms))
        return shares

    @property
    def _function_words(self) -> frozenset[str]:
        return _FUNCTION_WORDS.get(self.source, frozenset())

    def words_for(self, word: str) -> tuple[str, ...]:
        """The listed translations of a lowercase word (any inflection of it); () if none."""
        entries = self.entries
        root = stem(word, self.source)
        return entries.get(word) or entries.get(root) or entries.get(fold_accents(root)) or ()

    def _singular(self, word: str) -> str:
        return next(
            (word[: -len(end)] + to for end, to in _SINGULAR[self.source] if word.endswith(end)),
            word,
        )

    def _cognates(self, word: str) -> list[str]:
        singular = self._singular(word)
        for end, to in _COGNATES.get((self.source, self.target), ()):
            if singular.endswith(end) and len(singular) > len(end) + 2:
                return [singular[: -len(end)] + to]
        return []


def translations(word: str, language: str) -> list[str]:
    """A word's translations into every language a glossary joins to `language`."""
    said: list[str] = []
    for target in _glossary_languages() - {language}:
        glossary = glossary_for(language, target)
        if glossary is not None:
            said.extend(glossary.words_for(word))
    return said


def keywords_in(text: str, language: str, target: str) -> dict[str, float]:
    """`text`, written in `language`, as index terms of passages in `target`, each with the
    share of its word's weight it carries (1.0 but for words translated several ways).

    In its own language a question is just analysed. Across languages it is translated word by
    word when a glossary joins the two, and otherwise analysed as the target language would
    (which still matches names and shared words)."""
    glossary = glossary_for(language, target) if language != target else None
    if glossary is None:
        return dict.fromkeys(analyze(text, target), 1.0)
    return dict(_translated(glossary, text))


@lru_cache(maxsize=1024)
def _translated(glossary: Glossary, text: str) -> tuple[tuple[str, float], ...]:
    return tuple(glossary.keywords(text).items())


@cache
def _glossary_languages() -> frozenset[str]:
    """Every language some file in data/ (glossary-xx-yy.tsv) joins to another."""
    files = DATA.glob("glossary-*-*.tsv")
    return frozenset(code for path in files for code in path.stem.split("-")[1:])


@cache
def glossary_for(source: str, target: str) -> Glossary | None:
    """The glossary from `source` to `target`: its own file, or the reverse one read backwards."""
    forward = DATA / f"glossary-{source}-{target}.tsv"
    backward = DATA / f"glossary-{target}-{source}.tsv"
    if forward.exists():
        return Glossary(source, target, _read(forward, source, reverse=False))
    if backward.exists():
        return Glossary(source, target, _read(backward, source, reverse=True))
    return None


def _read(path: Path, keyed_in: str, reverse: bool) -> dict[str, tuple[str, ...]]:
    """Entries keyed by the word looked up, and by its stem (accents folded too).

    Where several listed words share a stem ("remark", "remarkable"), the stem leads to the
    shortest one's translations: an inflected "remarks" means "remark", not "remarkable".
    """
    exact: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, said_as = line.partition("\t")
        options = [t.strip() for t in said_as.split("|") if t.strip()]
        pairs = [(o, [word]) for o in options if " " not in o] if reverse else [(word, options)]
        for key, said in pairs:
            known = exact.setdefault(key, [])
            known.extend(s for s in said if s not in known)
    by_stem: dict[str, str] = {}  # stem → the shortest listed word with it
    for key in sorted(exact, key=len):
        root = stem(key, keyed_in)
        for form in (root, fold_accents(root)):
            by_stem.setdefault(form, key)
    entries = {form: exact[key] for form, key in by_stem.items()}
    entries.update(exact)
    return {key: tuple(said) for key, said in entries.items()}
