"""Which language the bot answers in: the question's, else the person's Telegram language.

Detection (langdetect) is unreliable on a few words ("Shoigu?", "Hola"), so short or ambiguous
questions fall back to the language the person's Telegram app is set to, and then to the
configured default. Only the bot's own words follow this; quotes keep their language.
"""

from __future__ import annotations

from bot.i18n import LANGUAGES, supported
from corpus.language import detect_language


def user_language(language_code: str | None, default: str) -> str:
    """The bot language for a person's Telegram `language_code` ("es-419" → "es")."""
    code = (language_code or "").split("-")[0].lower()
    return supported(code) or supported(default) or LANGUAGES[0]


def question_language(question: str, language_code: str | None, default: str) -> str:
    """The bot language for `question`: detected when reliable, else the person's language."""
    fallback = user_language(language_code, default)
    return supported(detect_language(question, fallback=fallback)) or fallback
