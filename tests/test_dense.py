from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from retrieval.backends import CorruptIndexError
from retrieval.backends.embedded.checksums import digest_bytes
from retrieval.backends.embedded.dense import DenseIndex, DenseIndexInfo
from retrieval.settings import IndexSettings


def unit_vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force_top(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray) -> int:
    return int(ids[np.argmax(vectors @ query)])


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf"])
def test_every_index_type_finds_what_brute_force_finds(tmp_path: Path, index_type: str) -> None:
    # nprobe = nlist makes IVF exhaustive, so it must agree with brute force exactly.
    settings = IndexSettings(type=index_type, ivf_nlist=2, ivf_nprobe=2)
    index = DenseIndex(DenseIndexInfo("test", 16, index_type), settings)
    vectors = unit_vectors(120)
    ids = np.arange(1000, 1120, dtype=np.int64)
    index.add(ids[:40], vectors[:40])  # too few to train an IVF: searched exactly meanwhile
    queries = unit_vectors(10, seed=1)
    for query in queries:
        assert index.search(query, 1)[0].chunk_id == brute_force_top(vectors[:40], ids[:40], query)
    index.add(ids[40:], vectors[40:])
    inner = faiss.downcast_index(index._index.index)
    assert isinstance(inner, faiss.IndexIVF) == (index_type == "ivf")
    index.save(tmp_path / "dense.faiss", covered=0)
    loaded = DenseIndex.load(tmp_path / "dense.faiss", index.info, settings)
    for query in queries:
        expected = brute_force_top(vectors, ids, query)
        assert index.search(query, 1)[0].chunk_id == expected
        assert loaded.search(query, 1)[0].chunk_id == expected
    loaded.remove([int(ids[0])])
    assert len(loaded) == 119 and int(ids[0]) not in set(loaded.ids().tolist())


def test_a_saved_index_without_stable_ids_is_refused_as_corrupt(tmp_path: Path) -> None:
    """A FAISS file of the right size and type but no id map would return row numbers as ids."""
    settings = IndexSettings()
    info = DenseIndexInfo("test", 16, "flat")
    path = tmp_path / "dense.faiss"
    DenseIndex(info, settings).save(path, covered=0)  # writes the description next to the file
    bare = faiss.IndexFlatIP(16)
    bare.add(unit_vectors(3))
    path.write_bytes(faiss.serialize_index(bare).tobytes())
    description = json.loads(path.with_suffix(".json").read_text())
    description["checksum"] = digest_bytes(path.read_bytes())  # so that the shape check speaks
    path.with_suffix(".json").write_text(json.dumps(description))
    with pytest.raises(CorruptIndexError, match="not an index with stable ids"):
        DenseIndex.load(path, info, settings)


def test_overwritten_vector_bytes_are_caught_by_the_checksum(tmp_path: Path) -> None:
    """Damage that keeps the header and ids intact loads fine in FAISS; the checksum tells."""
    settings = IndexSettings()
    info = DenseIndexInfo("test", 16, "flat")
    index = DenseIndex(info, settings)
    vectors = unit_vectors(50)
    index.add(np.arange(1, 51, dtype=np.int64), vectors)
    path = tmp_path / "dense.faiss"
    index.save(path, covered=7)
    assert DenseIndex.load(path, info, settings).covered == 7
    data = bytearray(path.read_bytes())
    start = data.find(vectors[0].tobytes())
    assert start > 0
    data[start : start + 16 * 4 * 10] = bytes(16 * 4 * 10)  # zero ten vectors
    path.write_bytes(bytes(data))
    faiss.deserialize_index(np.frombuffer(bytes(data), dtype=np.uint8))  # FAISS does not notice
    with pytest.raises(CorruptIndexError, match="checksum"):
        DenseIndex.load(path, info, settings)
