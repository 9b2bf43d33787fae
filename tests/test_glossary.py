from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.glossary import DATA, glossary_for, keywords_in, translations
from retrieval.searcher import Searcher
from retrieval.settings import EmbeddingSettings, SearchSettings
from retrieval.speakers import read_speaker
from retrieval.tokens import analyze
from tests.support import draft, open_archive


def spanish(*words: str) -> set[str]:
    return set(analyze(" ".join(words), "es"))


def test_an_english_question_is_searched_with_spanish_words() -> None:
    terms = set(keywords_in("Which team won the league in 2015?", "en", "es"))
    assert spanish("equipo", "ganó", "liga") <= terms
    assert "2015" in terms
    assert not {"which", "the"} & terms  # English function words are not searched for


def test_a_spanish_question_is_searched_with_english_words() -> None:
    terms = set(keywords_in("¿Cuándo empezó la huelga de enfermeras?", "es", "en"))
    assert set(analyze("strike nurses", "en")) <= terms


def test_words_the_glossary_lacks_keep_their_spelling_and_gain_their_cognate() -> None:
    terms = set(keywords_in("Skibitski constitutionality", "en", "es"))
    assert spanish("Skibitski") <= terms  # a name stays a name
    assert spanish("constitucionalidad") <= terms


def test_the_same_language_or_an_unknown_pair_is_only_analysed() -> None:
    question = "¿Qué dijo el alcalde de Gijón?"
    assert list(keywords_in(question, "es", "es")) == analyze(question, "es")
    french = "Qu'a dit le maire?"
    assert list(keywords_in(french, "fr", "es")) == analyze(french, "es")
    assert glossary_for("fr", "es") is None


def test_a_word_said_several_ways_weighs_as_much_as_a_word_said_one_way() -> None:
    shares = keywords_in("league play", "en", "es")
    assert shares[analyze("liga", "es")[0]] == 1.0
    play = [shares[t] for t in set(analyze(" ".join(translations("play", "en")), "es"))]
    assert len(play) > 1 and sum(play) == pytest.approx(1.0)


def test_every_line_of_the_glossary_is_well_formed() -> None:
    seen: set[str] = set()
    for number, line in enumerate((DATA / "glossary-en-es.tsv").read_text("utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        english, tab, spanish_words = line.partition("\t")
        options = spanish_words.split("|")
        assert tab and english == english.lower() and " " not in english, number
        assert 1 <= len(options) <= 3 and all(o.strip() for o in options), number
        assert english not in seen, f"line {number + 1}: {english} twice"
        seen.add(english)
    assert len(seen) > 1000


def test_a_role_is_matched_across_languages() -> None:
    question = read_speaker("¿Qué dijo el ministro de Sanidad británico sobre la huelga?")
    assert question is not None and question.language == "es"
    assert "health" in translations("sanidad", "es")
    assert question.word_forms["ministro"] >= {"minister", "secretary"}


@pytest.fixture()
def word_only_searcher(tmp_path: Path) -> Searcher:
    """Hash vectors know no language, so only keywords can join the two."""
    archive = open_archive(
        tmp_path,
        embedding=EmbeddingSettings(backend="hash"),
        search=SearchSettings(min_dense_score=-1.0),  # no silence: hash scores mean nothing
    )
    archive.ingest(
        [
            draft(
                "El equipo de baloncesto de Murcia ganó la liga tras vencer en la final.",
                title="Murcia campeón",
            ),
            *(
                draft(text, title=f"Otra {n}")
                for n, text in enumerate(
                    [
                        "El Ayuntamiento aprobó los presupuestos municipales del año.",
                        "La lluvia llenó los embalses de la cuenca durante el fin de semana.",
                        "El Gobierno subió las pensiones y bajó el impuesto de la luz.",
                        "Los médicos del hospital convocaron una huelga por los salarios.",
                        "La empresa anunció un centro de datos con cuatrocientos empleos.",
                    ]
                )
            ),
        ]
    )
    return Searcher(archive)


def test_an_english_question_finds_a_spanish_passage_by_its_words(
    word_only_searcher: Searcher,
) -> None:
    result = word_only_searcher.search("Which basketball team won the league?")
    assert result.language == "en"
    assert result.passages and "ganó la liga" in result.passages[0].quote


def test_places_named_otherwise_are_searched_by_the_other_name() -> None:
    assert spanish("Járkov") <= set(keywords_in("blackout in Kharkiv", "en", "es"))
    assert spanish("Londres") <= set(keywords_in("strikes in London", "en", "es"))
    assert set(analyze("Lisbon", "en")) <= set(keywords_in("huelga en Lisboa", "es", "en"))


def test_a_word_spelled_alike_is_also_searched_in_the_singular() -> None:
    """ "hospitals" is no glossary entry (spelled alike), but Spanish writes "hospitales"."""
    found = keywords_in("Were hospitals affected?", "en", "es")
    assert spanish("hospitales") <= set(found)
    assert sum(found[t] for t in analyze("hospitals hospital", "es")) == 1.0  # one word's weight


def test_numbers_and_ordinals_are_searched_as_written() -> None:
    found = keywords_in("Which 5 players ranked in the top 5% at the 50th Super Bowl?", "en", "es")
    assert {"5", "50"} <= set(found)
