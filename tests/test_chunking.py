from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.chunking import chunk_article, chunk_text
from corpus.settings import ChunkingSettings
from tests.support import SAMPLES


def test_short_paragraphs_are_one_chunk_each() -> None:
    text = "Primer párrafo. Con dos frases.\n\nSegundo párrafo."
    chunks = chunk_article(7, text, ChunkingSettings(max_chars=100))
    assert [c.text for c in chunks] == ["Primer párrafo. Con dos frases.", "Segundo párrafo."]
    assert all(c.article_id == 7 for c in chunks)
    assert [c.ordinal for c in chunks] == [0, 1]


def test_long_paragraph_is_cut_at_sentences_with_overlap() -> None:
    sentence = "Esta es la frase número {} del párrafo."
    text = " ".join(sentence.format(i) for i in range(10))
    spans = chunk_text(text, ChunkingSettings(max_chars=120, overlap_sentences=1))
    assert len(spans) > 1
    assert all(len(s) <= 120 for s in spans)
    for previous, current in pairwise(spans):
        assert current.start < previous.end  # one sentence repeated
        assert current.start > previous.start  # and always progressing
    assert spans[-1].end == len(text)


def test_sentence_longer_than_the_limit_is_kept_whole() -> None:
    text = "Corta. Palabra " + "palabra " * 50 + "final. Otra corta."
    spans = chunk_text(text, ChunkingSettings(max_chars=60))
    assert any(text[s.start : s.end].startswith("Palabra") for s in spans)
    assert spans[-1].end == len(text)


def test_seed_article_spans_are_exact() -> None:
    text = next(SAMPLES.glob("*.md")).read_text(encoding="utf-8")
    for chunk in chunk_article(1, text, ChunkingSettings(max_chars=300)):
        assert text[chunk.start : chunk.end] == chunk.text


_WORDS = st.sampled_from(
    [
        "El",
        "Sr.",
        "García",
        "dijo",
        "«sí».",
        "¿Vino?",
        "¡Ya!",
        "EE.UU.",
        "“cita”",
        "3.5",
        "fin.",
        "\n",
        "\n\n",
        " ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=120).map(" ".join), st.integers(20, 200), st.integers(0, 2))
def test_chunk_spans_are_always_exact(text: str, max_chars: int, overlap: int) -> None:
    chunks = chunk_article(
        1, text, ChunkingSettings(max_chars=max_chars, overlap_sentences=overlap)
    )
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
