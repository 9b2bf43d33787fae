from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.sentences import paragraph_spans, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


def test_spanish_punctuation_and_abbreviations() -> None:
    text = (
        "El Sr. García llegó a EE.UU. ayer. ¿Vendrá mañana? ¡Claro que sí! "
        "Dijo «no lo sé». Ganó 3.5 millones según el art. 5 de la ley."
    )
    assert sentences(text) == [
        "El Sr. García llegó a EE.UU. ayer.",
        "¿Vendrá mañana?",
        "¡Claro que sí!",
        "Dijo «no lo sé».",
        "Ganó 3.5 millones según el art. 5 de la ley.",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = "“No veremos nada”, ha dicho. “Estamos preparados.” Luego se fue."
    assert sentences(text) == [
        "“No veremos nada”, ha dicho.",
        "“Estamos preparados.”",
        "Luego se fue.",
    ]


def test_lowercase_after_question_mark_continues_the_sentence() -> None:
    assert sentences("¿Quién sabe? dijo él. Fin.") == ["¿Quién sabe? dijo él.", "Fin."]


def test_initials_and_numbered_abbreviations_do_not_split() -> None:
    assert sentences("Lo escribió J. K. Rowling en el núm. 4. Después nada.") == [
        "Lo escribió J. K. Rowling en el núm. 4.",
        "Después nada.",
    ]


def test_paragraphs_always_end_a_sentence() -> None:
    text = "Primera línea sin punto\n\nSegunda línea.\nTercera"
    assert sentences(text) == ["Primera línea sin punto", "Segunda línea.", "Tercera"]
    assert [text[s.start : s.end] for s in paragraph_spans(text)] == [
        "Primera línea sin punto",
        "Segunda línea.",
        "Tercera",
    ]


_ALPHABET = st.sampled_from([*"abcñáé ABCÑ.,;:!?¿¡«»“”\"'()-\n 0123456789", "EE.UU.", "Sr.", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_sentence_spans_are_exact_ordered_and_trimmed(text: str) -> None:
    spans = sentence_spans(text)
    previous_end = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip()
        assert span.start >= previous_end
        previous_end = span.end
    # Nothing but whitespace is left out.
    covered = "".join(text[s.start : s.end] for s in spans)
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
