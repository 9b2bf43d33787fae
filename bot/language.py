"""Which language the bot answers in: the question's, else the person's Telegram language.

The bot speaks only Spanish and English, so the question is scored against those two
languages alone (langdetect with just their profiles): over all 55 profiles, a plain Spanish
question is often taken for Catalan and an English one full of names for Tagalog. A question
of one or two words ("Shoigu?", "Hola") says too little, so it falls back to the language the
person's Telegram app is set to, and then to the configured default. Only the bot's own words
follow this; quotes keep their language.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from langdetect import LangDetectException
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from bot.i18n import LANGUAGES, supported

MIN_WORDS = 3
MIN_PROBABILITY = 0.8

_lock = threading.Lock()


def user_language(language_code: str | None, default: str) -> str:
    """The bot language for a person's Telegram `language_code` ("es-419" → "es")."""
    code = (language_code or "").split("-")[0].lower()
    return supported(code) or supported(default) or LANGUAGES[0]


def question_language(question: str, language_code: str | None, default: str) -> str:
    """The bot language for `question`: detected when reliable, else the person's language."""
    fallback = user_language(language_code, default)
    if len(question.split()) < MIN_WORDS:
        return fallback
    detected, probability = _detect(question[:2000])
    return detected if detected and probability >= MIN_PROBABILITY else fallback


def _detect(text: str) -> tuple[str, float]:
    detector = _factory().create()
    detector.append(text)
    try:
        with _lock:  # the detector's random generator is seeded per factory: keep runs equal
            best = detector.get_probabilities()
    except LangDetectException:
        return "", 0.0
    return (str(best[0].lang), float(best[0].prob)) if best else ("", 0.0)


@cache
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_json_profile(
        [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8") for code in LANGUAGES]
    )
    factory.set_seed(0)
    return factory
