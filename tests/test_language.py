from __future__ import annotations

from corpus.language import detect_language


def test_spanish_questions_are_not_taken_for_catalan() -> None:
    question = "¿Qué dijo Ucrania sobre la visita de Shoigu a Pyongyang?"
    assert detect_language(question, "es", candidates={"es", "en"}) == "es"


def test_inverted_question_mark_means_spanish_despite_english_names() -> None:
    question = "¿A qué hora sale Good Morning America en ABC?"
    assert detect_language(question, "en", {"es", "en"}) == "es"


def test_english_is_detected_among_candidates() -> None:
    assert detect_language("What did Ukraine say about the visit?", "es", {"es", "en"}) == "en"


def test_short_or_unsure_text_keeps_the_fallback() -> None:
    assert detect_language("Shoigu", "es", {"es", "en"}) == "es"
    assert detect_language("  ", "en") == "en"


def test_unrestricted_detection_still_knows_other_languages() -> None:
    text = "Le conseil municipal a approuvé le budget lundi après un long débat."
    assert detect_language(text, "es") == "fr"
    assert detect_language(text, "es", {"es", "en"}) != "fr"
