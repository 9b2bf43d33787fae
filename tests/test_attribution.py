"""Who said it: reported speech found in articles, and questions about what someone said."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.attribution import Attribution, attribute
from corpus.gazetteer import mentioned_countries
from retrieval.quotes import Window
from retrieval.speakers import SpeakerQuestion, Speakers, read_speaker, speaker_score

SAMPLE = Path(__file__).parent.parent / "corpus" / "samples" / "corea-rusia-cooperacion-militar.md"


@pytest.fixture(scope="module")
def flagship() -> tuple[str, list[Attribution]]:
    text = SAMPLE.read_text(encoding="utf-8").split("---", 2)[2]
    return text, attribute(text, "es")


def said(found: tuple[str, list[Attribution]], opening: str) -> Attribution:
    text, attributions = found
    start = text.index(opening)
    return next(a for a in attributions if a.start <= start < a.end)


def test_a_surname_is_resolved_to_the_person_introduced_earlier(
    flagship: tuple[str, list[Attribution]],
) -> None:
    skibitski = said(flagship, "Skibitski ha asegurado")
    assert skibitski.speaker == "Vadim Skibitski, Inteligencia del Ministerio de Defensa de Ucrania"
    assert skibitski.name == "Vadim Skibitski"
    assert skibitski.country == "Ucrania"


def test_a_quote_without_a_verb_continues_the_previous_speaker(
    flagship: tuple[str, list[Attribution]],
) -> None:
    assert said(flagship, "No obstante, ve “poco probable”").name == "Vadim Skibitski"
    assert said(flagship, "“No veremos nada").name == "Vadim Skibitski"


def test_speakers_named_by_role_country_or_institution(
    flagship: tuple[str, list[Attribution]],
) -> None:
    authorities = said(flagship, "Las autoridades de Ucrania señalaron")
    assert authorities.country == "Ucrania"
    kang = said(flagship, "Al respecto, el ministro de Defensa norcoreano")
    assert kang.speaker == "Kang Sun-nam, ministro de Defensa norcoreano"
    assert kang.country == "Corea del Norte"  # from the demonym
    assert said(flagship, "Por su parte, el Kremlin").country == "Rusia"
    patel = said(flagship, "“Sin duda que cualquier tipo")  # « … », declaró … Vedant Patel
    assert patel.speaker == "Vedant Patel, portavoz del departamento de Estado"
    assert patel.country == "Estados Unidos"


def test_sentences_that_report_no_speech_are_not_attributed(
    flagship: tuple[str, list[Attribution]],
) -> None:
    text, attributions = flagship
    start = text.index("Recientemente, el ministro ruso")
    assert not any(a.start <= start < a.end for a in attributions)


def test_english_reported_speech() -> None:
    text = (
        "Portugal will vaccinate 60,000 children, officials said.\n"
        "Health minister Marta Quiroga told reporters in Lisbon that the campaign starts on "
        'Wednesday. "We arrived late," Quiroga said.\n'
        "According to the WHO, cases doubled in a month.\n"
    )
    attributions = attribute(text, "en")
    speakers = [a.speaker for a in attributions]
    assert "Marta Quiroga, Health minister" in speakers
    late = next(a for a in attributions if "arrived late" in text[a.start : a.end])
    assert late.name == "Marta Quiroga"
    who = next(a for a in attributions if text[a.start :].startswith("According"))
    assert who.country == "OMS"  # in capitals it is the organisation, not the word "who"


def test_the_person_a_sentence_credits_is_its_speaker() -> None:
    text = (
        "Según el comisario europeo de Comercio, Henrik Vaaler, el tratado ahorrará 4.000 "
        "millones.\n\n"
        "Bruselas respondió con 90 millones de euros, según anunció la portavoz de la Comisión "
        "Europea, Annelie Dufresne.\n\n"
        "La tramitación comenzará en la Cámara, y el Gobierno chileno espera que la ley esté "
        "aprobada antes de fin de año.\n\n"
        "El brote suma 214 casos, según el último balance difundido este lunes por la Dirección "
        "General de Salud de Portugal.\n"
    )
    vaaler, dufresne, chile, figures = attribute(text, "es")
    assert vaaler.speaker == "Henrik Vaaler, comisario europeo de Comercio"
    assert vaaler.country == "Unión Europea"
    # the person credited, not the institution acting
    assert dufresne.speaker == "Annelie Dufresne, portavoz de la Comisión Europea"
    # the subject of the clause that holds the verb, not of the first clause
    assert chile.speaker == "Gobierno chileno" and chile.country == "Chile"
    # who released the figures, not the figures
    assert figures.speaker == "Dirección General de Salud de Portugal"


def test_a_name_opening_a_sentence_after_segun_keeps_its_role() -> None:
    text = (
        "La compañía defiende su diseño. Según Daniel Kerrigan, consejero delegado de Nimbra "
        "Cloud, el 70 % del agua procederá de la depuradora. Kerrigan añadió que el sistema se "
        "apagará en invierno."
    )
    company, according, added = attribute(text, "es")
    assert according.speaker == "Daniel Kerrigan, consejero delegado de Nimbra Cloud"
    assert added.speaker == according.speaker  # the surname alone finds the person
    # With no question to match, a quote shows the person it names rather than "Compañía".
    window = Window(chunk_id=1, article_id=7, start=0, end=according.end, score=1.0)
    assert company.speaker == "Compañía"
    assert Speakers({7: [company, according]}).of(window) == according.speaker


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "Ucrania y Rusia canjearon 300 prisioneros, según confirmaron ambas partes.",
            "Ambas partes",
        ),
        ("Los precios subirán un 5 %, según han informado fuentes del ministerio.", "Fuentes"),
        ("Los precios subirán, según ha explicado la ministra de Economía, Ana Ruiz.", "Ana Ruiz"),
    ],
)
def test_a_speech_verb_after_segun_is_not_part_of_the_speaker(sentence: str, speaker: str) -> None:
    [found] = attribute(sentence, "es")
    assert found.speaker.startswith(speaker)


def test_a_quote_shows_the_most_specific_of_equally_matching_speakers() -> None:
    text = (
        "Rusia, por su parte, justificó la ofensiva. El Ministerio de Defensa ruso afirmó que "
        "los objetivos eran militares."
    )
    attributions = attribute(text, "es")
    assert [a.speaker for a in attributions] == ["Rusia", "Ministerio de Defensa ruso"]
    question = read_speaker("¿Qué respondió Rusia sobre el ataque?")
    both = Window(chunk_id=1, article_id=7, start=0, end=len(text), score=1.0)
    assert Speakers({7: attributions}, question).of(both) == "Ministerio de Defensa ruso"


def test_lowercase_acronym_lookalikes_are_not_countries() -> None:
    assert mentioned_countries("Falcão, who runs the hospital, usa el coche") == []
    assert mentioned_countries("the WHO and the UN") == ["OMS", "ONU"]


@pytest.mark.parametrize(
    ("question", "speaker", "topic"),
    [
        ("¿Qué dijo Ucrania sobre la visita de Shoigu?", "Ucrania", "la visita de Shoigu"),
        (
            "¿Qué opina la ministra de Sanidad sobre la vacuna?",
            "la ministra de Sanidad",
            "la vacuna",
        ),
        ("¿Qué respondió el Kremlin?", "el Kremlin", ""),
        ("¿Cómo reaccionó Bruselas al ataque?", "Bruselas", "ataque"),
        ("What did Savchuk say about the grid?", "Savchuk", "the grid"),
        ("How did the union respond to the offer?", "the union", "the offer"),
    ],
)
def test_questions_about_what_someone_said(question: str, speaker: str, topic: str) -> None:
    read = read_speaker(question)
    assert read is not None
    assert (read.speaker, read.topic) == (speaker, topic)


@pytest.mark.parametrize(
    "question", ["¿Cuántos drones lanzó Rusia?", "What is the capital of Australia?"]
)
def test_other_questions_name_no_speaker(question: str) -> None:
    assert read_speaker(question) is None


def test_a_country_matches_every_speaker_behind_it_and_nobody_else(
    flagship: tuple[str, list[Attribution]],
) -> None:
    ukraine = SpeakerQuestion("Ucrania", "")
    assert speaker_score(ukraine, said(flagship, "Skibitski ha asegurado")) > 0
    assert speaker_score(ukraine, said(flagship, "Las autoridades de Ucrania")) > 0
    assert speaker_score(ukraine, said(flagship, "Al respecto, el ministro")) == 0


def test_a_surname_outranks_a_shared_role_word(flagship: tuple[str, list[Attribution]]) -> None:
    question = SpeakerQuestion("el ministro Kang", "")
    kang = said(flagship, "Al respecto, el ministro de Defensa norcoreano")
    patel = said(flagship, "Patel destacó")
    assert speaker_score(question, kang) > speaker_score(question, patel)


def speaking(speaker: str, role: str, country: str) -> Attribution:
    """A statement by `speaker` ("Name, role" or an institution), as attribution finds it."""
    name = speaker.split(",")[0] if "," in speaker or not role else ""
    return Attribution(0, 10, speaker, name, role, country)


@pytest.mark.parametrize(
    ("question", "asked", "other"),
    [
        (  # role words found outweigh a shared country
            "¿Qué afirmó el responsable ucraniano de prisioneros de guerra?",
            speaking("Dmytro Harasymenko, responsable del cuartel de prisioneros",
                     "responsable del cuartel de prisioneros", ""),
            speaking("Autoridades ucranianas", "autoridades ucranianas", "Ucrania"),
        ),
        (  # a role said in another language (retrieval/glossary.py)
            "¿Qué dijo el ministro de Sanidad británico sobre la huelga?",
            speaking("Graham Whitlock, health secretary", "health secretary", "Reino Unido"),
            speaking("Fiona Baird, union's general secretary", "union's general secretary",
                     "Reino Unido"),
        ),
        (  # a country speaks through its officials
            "What did Portugal announce about measles?",
            speaking("Marta Quiroga, health minister", "health minister", "Portugal"),
            speaking("Duarte Falcão", "", "Portugal"),
        ),
    ],
)  # fmt: skip
def test_the_speaker_asked_about_outscores_another(
    question: str, asked: Attribution, other: Attribution
) -> None:
    read = read_speaker(question)
    assert read is not None
    assert speaker_score(read, asked) > speaker_score(read, other)
