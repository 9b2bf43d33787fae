"""Which language the bot answers in: the question's, else the person's Telegram language.

The bot speaks only Spanish and English, so the question is scored against those two
languages alone (langdetect limited to them): over all 55 profiles, a plain Spanish
question is often taken for Catalan and an English one full of names for Tagalog. A question
of one or two words ("Shoigu?", "Hola") says too little, so it falls back to the language the
person's Telegram app is set to (`BotContext.language`), and then to the configured default.
Only the bot's own words follow this; quotes keep their language.
"""

from __future__ import annotations

from bot.i18n import LANGUAGES, supported
from corpus.language import detect_language

__all__ = ["MIN_PROBABILITY", "question_language", "user_language"]

MIN_PROBABILITY = 0.8


def user_language(language_code: str | None, default: str) -> str:
    """The bot language for a person's Telegram `language_code` ("es-419" → "es")."""
    code = (language_code or "").split("-")[0].lower()
    return supported(code) or supported(default) or LANGUAGES[0]


def question_language(question: str, fallback: str) -> str:
    """The bot language for `question`: detected when reliable, else `fallback` (the person's)."""
    return detect_language(question, fallback, candidates=LANGUAGES, min_confidence=MIN_PROBABILITY)
