"""Language-aware keyword analysis for BM25: stopwords out, Snowball stems, accents folded."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s import stopwords as bm25s_stopwords

_WORD = re.compile(r"\w+", re.UNICODE)

_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nl": "dutch", "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "tr": "turkish", "uk": "russian",
}  # fmt: skip
_STOPWORDS = {
    "da": bm25s_stopwords.STOPWORDS_DANISH, "de": bm25s_stopwords.STOPWORDS_GERMAN,
    "en": bm25s_stopwords.STOPWORDS_EN, "es": bm25s_stopwords.STOPWORDS_SPANISH,
    "fr": bm25s_stopwords.STOPWORDS_FRENCH, "it": bm25s_stopwords.STOPWORDS_ITALIAN,
    "nl": bm25s_stopwords.STOPWORDS_DUTCH, "no": bm25s_stopwords.STOPWORDS_NORWEGIAN,
    "pt": bm25s_stopwords.STOPWORDS_PORTUGUESE, "ru": bm25s_stopwords.STOPWORDS_RUSSIAN,
    "sv": bm25s_stopwords.STOPWORDS_SWEDISH, "tr": bm25s_stopwords.STOPWORDS_TURKISH,
}  # fmt: skip

# PyStemmer objects are not thread-safe; each thread gets its own.
_local = threading.local()


@lru_cache(maxsize=1 << 16)  # called for every word of every candidate quote: words repeat
def fold_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=64)
def _stopwords(language: str) -> frozenset[str]:
    words = _STOPWORDS.get(language, ())
    return frozenset(words) | frozenset(fold_accents(w) for w in words)


def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = _SNOWBALL.get(language)
    if algorithm is None:
        return None
    stemmers: dict[str, Stemmer.Stemmer] = _local.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmers[algorithm]


def is_stopword(word: str, language: str) -> bool:
    """Whether a lowercase word is one the keyword index leaves out in `language`."""
    return word in _stopwords(language)


def stem(word: str, language: str) -> str:
    """A lowercase word's Snowball stem (itself when the language has no stemmer)."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


def analyze(text: str, language: str) -> list[str]:
    """Index terms of `text`: lowercase words minus stopwords, stemmed, accents folded."""
    stop = _stopwords(language)
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    stemmer = _stemmer(language)
    stems = stemmer.stemWords(words) if stemmer is not None else words
    return [fold_accents(s) for s in stems]
