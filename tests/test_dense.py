from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from retrieval.backends import CorruptIndexError
from retrieval.backends.embedded.checksums import digest_bytes
from retrieval.backends.embedded.dense import DenseIndex, DenseIndexInfo, _inner
from retrieval.settings import IndexSettings


def unit_vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force_top(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray) -> int:
    return int(ids[np.argmax(vectors @ query)])


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf", "auto"])
def test_every_index_type_finds_what_brute_force_finds(tmp_path: Path, index_type: str) -> None:
    # Probing every list makes IVF exhaustive, so it must agree with brute force exactly.
    settings = IndexSettings(type=index_type, ivf_nlist=2, ivf_nprobe=64, auto_threshold=80)
    index = DenseIndex(DenseIndexInfo("test", 16, index_type), settings)
    vectors = unit_vectors(120)
    ids = np.arange(1000, 1120, dtype=np.int64)
    index.add(ids[:40], vectors[:40])  # too few to train an IVF: searched exactly meanwhile
    queries = unit_vectors(10, seed=1)
    for query in queries:
        assert index.search(query, 1)[0].chunk_id == brute_force_top(vectors[:40], ids[:40], query)
    index.add(ids[40:], vectors[40:])
    index.wait_for_conversion()
    inner = _inner(index._index)
    assert isinstance(inner, faiss.IndexIVF) == (index_type in ("ivf", "auto"))
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
    settings = IndexSettings(type="flat")
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


def test_auto_keeps_answering_while_it_trains_and_loses_no_write_made_meanwhile() -> None:
    settings = IndexSettings(type="auto", auto_threshold=20_000, ivf_nprobe=10_000)
    index = DenseIndex(DenseIndexInfo("test", 64, "auto"), settings)
    vectors = unit_vectors(20_100, dim=64)
    ids = np.arange(1, 20_101, dtype=np.int64)
    index.add(ids[:20_000], vectors[:20_000])  # crosses the threshold: training starts
    # Meanwhile the flat index answers, exactly, and takes writes.
    query = unit_vectors(1, dim=64, seed=3)[0]
    assert index.search(query, 1)[0].chunk_id == brute_force_top(
        vectors[:20_000], ids[:20_000], query
    )
    index.add(ids[20_000:], vectors[20_000:])
    index.remove([1, 2, 3])
    index.wait_for_conversion()
    assert isinstance(_inner(index._index), faiss.IndexIVF)
    assert len(index) == 20_097
    kept = set(index.ids().tolist())
    assert {1, 2, 3}.isdisjoint(kept) and set(ids[20_000:].tolist()) <= kept
    for row in (20_050, 20_099, 500):
        assert index.search(vectors[row], 1)[0].chunk_id == ids[row]
