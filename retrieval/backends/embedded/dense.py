"""Dense index: FAISS with stable ids (the store's chunk ids), saved atomically.

The build parameters (embedder, dimension, index type) are saved beside the index, so an index
from another embedder is detected at load instead of silently producing garbage. So are a
checksum of the index bytes (damage that leaves the file readable is caught too) and the last
store change the index covers (`covered`), from which the archive replays the rest.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.backends.base import CorruptIndexError, Hit, IndexMismatchError
from retrieval.backends.embedded.checksums import digest_bytes, digest_file
from retrieval.settings import IndexSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DenseIndexInfo:
    embedder: str
    dim: int
    type: str


class DenseIndex:
    """Inner-product search over L2-normalised vectors (cosine similarity)."""

    def __init__(self, info: DenseIndexInfo, settings: IndexSettings) -> None:
        self.info = info
        self._settings = settings
        self._index: faiss.IndexIDMap2 = _new_index(info.dim, settings)
        self._lock = threading.Lock()
        self.covered = 0  # the last store change reflected here (see retrieval/archive.py)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        with self._lock:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
            if self._waiting_for_ivf():
                self._index = _trained_ivf(self._index, self._settings)

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._lock:
            if isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSW):
                # HNSW graphs cannot drop nodes: rebuild from the vectors that stay.
                self._index = self._without(set(ids))
            else:
                # faiss's Python layer turns an id array into a selector; its stubs do not say so.
                self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def _without(self, removed: set[int]) -> faiss.IndexIDMap2:
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        vectors = faiss.downcast_index(self._index.index).reconstruct_n(0, self._index.ntotal)
        keep = np.array([int(i) not in removed for i in ids], dtype=bool)
        index = _new_index(self.info.dim, self._settings)
        if keep.any():
            index.add_with_ids(np.ascontiguousarray(vectors[keep]), ids[keep])
        return index

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """The k nearest chunks; with `allowed`, only among those chunk ids (a filter)."""
        with self._lock:
            if self._index.ntotal == 0 or (allowed is not None and len(allowed) == 0):
                return []
            params = None
            if allowed is not None:
                # FAISS checks the selector against the stored ids while it scans, so a filter
                # costs no extra pass; the id map translates our ids for the inner index.
                selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
                params = _search_parameters(self._index, selector)
            scores, ids = self._index.search(
                query.reshape(1, -1).astype(np.float32), k, params=params
            )
        return [Hit(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path, covered: int) -> None:
        """Write to a temporary file, fsync, then rename: a crash never leaves half a file.

        `covered` is the last store change this index reflects; it is saved in the description
        with the checksum. The description is renamed in last, so a crash between the two
        renames leaves a checksum that does not match, and the index is rebuilt.
        """
        with self._lock:
            # One copy, written and hashed in place: at a million passages it is 1.5 GB.
            data = faiss.serialize_index(self._index).data
            vectors = int(self._index.ntotal)
        description = {
            **asdict(self.info),
            "covered": covered,
            "vectors": vectors,
            "checksum": digest_bytes(data),
        }
        atomic_write(path, data)
        atomic_write(_info_path(path), json.dumps(description).encode())
        self.covered = covered

    @classmethod
    def load(cls, path: Path, expected: DenseIndexInfo, settings: IndexSettings) -> DenseIndex:
        """Read a saved index; raises IndexMismatchError or CorruptIndexError with the reason."""
        if not path.exists():
            raise FileNotFoundError(path)
        description = read_description(path)
        try:
            saved = DenseIndexInfo(
                str(description["embedder"]), int(description["dim"]), str(description["type"])
            )
            checksum, covered = str(description["checksum"]), int(description["covered"])
        except (KeyError, ValueError, TypeError) as error:
            raise CorruptIndexError(f"index description incomplete: {error!r}") from error
        if saved.embedder != expected.embedder or saved.dim != expected.dim:
            raise IndexMismatchError(
                f"the index was built with {saved.embedder} ({saved.dim} dimensions) but the "
                f"configured embedder is {expected.embedder} ({expected.dim}); "
                "run `hemeroteca reindex`"
            )
        try:
            # Hashed as a stream and read by FAISS itself: no copy of the file in memory.
            if digest_file(path) != checksum:
                raise CorruptIndexError(f"{path} does not match its checksum")
            index = faiss.read_index(str(path))  # already its concrete type
        except (OSError, RuntimeError) as error:
            raise CorruptIndexError(f"cannot read {path}: {error}") from error
        if not isinstance(index, faiss.IndexIDMap2):
            raise CorruptIndexError(f"{path} is not an index with stable ids")
        if index.d != expected.dim or saved.type != settings.type:
            raise CorruptIndexError(f"{path} has another shape or type than configured")
        dense = cls(expected, settings)
        dense._index = index
        dense.covered = covered
        _tune(index, settings)
        return dense

    def _waiting_for_ivf(self) -> bool:
        """An "ivf" index searches exactly (flat) until it has enough vectors to train on."""
        return (
            self._settings.type == "ivf"
            and not isinstance(faiss.downcast_index(self._index.index), faiss.IndexIVF)
            and self._index.ntotal >= self._settings.ivf_nlist * _IVF_POINTS_PER_LIST
        )


# FAISS needs at least one training vector per list and warns below 39; below that many an
# "ivf" archive is small enough for exact search anyway.
_IVF_POINTS_PER_LIST = 39


def _new_index(dim: int, settings: IndexSettings) -> faiss.IndexIDMap2:
    base: faiss.Index
    if settings.type in ("flat", "ivf"):
        base = faiss.IndexFlatIP(dim)
    elif settings.type == "hnsw":
        base = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(f"unknown index type {settings.type!r}; valid types: flat, hnsw, ivf")
    index = faiss.IndexIDMap2(base)
    _tune(index, settings)
    return index


def _trained_ivf(flat: faiss.IndexIDMap2, settings: IndexSettings) -> faiss.IndexIDMap2:
    """The vectors of a flat IndexIDMap2 moved into a trained IVF index with the same ids."""
    ids = faiss.vector_to_array(flat.id_map).astype(np.int64)
    vectors = faiss.downcast_index(flat.index).reconstruct_n(0, flat.ntotal)
    dim = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, settings.ivf_nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    index = faiss.IndexIDMap2(ivf)
    index.add_with_ids(vectors, ids)
    _tune(index, settings)
    log.info("dense index now IVF with %d lists over %d vectors", settings.ivf_nlist, len(ids))
    return index


def _tune(index: faiss.Index, settings: IndexSettings) -> None:
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = settings.hnsw_ef_search
    if isinstance(inner, faiss.IndexIVF):
        inner.nprobe = settings.ivf_nprobe


def read_description(path: Path) -> dict[str, Any]:
    """The description saved beside the index at `path` (for loading, and for `stats`)."""
    try:
        description = json.loads(_info_path(path).read_text())
    except (OSError, ValueError) as error:
        raise CorruptIndexError(f"index description unreadable: {error}") from error
    if not isinstance(description, dict):
        raise CorruptIndexError("index description is not an object")
    return description


def _search_parameters(index: faiss.IndexIDMap2, selector: faiss.IDSelector) -> Any:
    """Search parameters carrying `selector`, keeping the index's own search breadth.

    Looked up by name: faiss's bundled type stubs lag behind its parameter classes.
    """
    inner = faiss.downcast_index(index.index)
    if isinstance(inner, faiss.IndexHNSW):
        params = getattr(faiss, "SearchParametersHNSW")()  # noqa: B009
        params.efSearch = inner.hnsw.efSearch
    elif isinstance(inner, faiss.IndexIVF):
        params = getattr(faiss, "SearchParametersIVF")()  # noqa: B009
        params.nprobe = inner.nprobe
    else:
        params = getattr(faiss, "SearchParameters")()  # noqa: B009
    params.sel = selector  # the caller keeps `selector` alive until the search returns
    return params


def _info_path(path: Path) -> Path:
    return path.with_suffix(".json")


def atomic_write(path: Path, data: bytes | memoryview) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
