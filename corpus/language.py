"""Language detection that gives the same answer every run."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect_langs

# langdetect is randomised; a fixed seed makes ingestion and tests reproducible.
DetectorFactory.seed = 0

_MIN_CONFIDENCE = 0.7


def detect_language(text: str, fallback: str = "") -> str:
    """ISO 639-1 code of `text`, or `fallback` when the text is too short or ambiguous."""
    sample = text[:5000]
    if len(sample.strip()) < 3:
        return fallback
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return fallback
    # Very short texts ("Hola", "Shoigu") get unreliable guesses: keep the caller's fallback.
    if fallback and (best.prob < _MIN_CONFIDENCE or len(sample.split()) < 3):
        return fallback
    return str(best.lang)
