"""Recall of the dense index against brute force over the stored embeddings (the oracle).

With the exact "flat" index this is 1.0; "hnsw" and "ivf" trade some of it for speed, and this
says how much on the archive at hand.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Rows of stored embeddings multiplied at once: bounds the oracle's memory on large archives.
_BLOCK_ROWS = 65_536
# Scores this close to the k-th exact one are ties: either chunk is a correct answer.
_TIE = 1e-5

AnnSearch = Callable[[np.ndarray, int], list[int]]


def exact_top_k(ids: np.ndarray, vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The k best inner-product scores for each query, best first: shape (queries, k)."""
    k = min(k, len(ids))
    best = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    for start in range(0, len(ids), _BLOCK_ROWS):
        scores = queries @ vectors[start : start + _BLOCK_ROWS].T  # (queries, block)
        keep = min(k, scores.shape[1])
        top = np.partition(scores, scores.shape[1] - keep, axis=1)[:, -keep:]
        best = np.concatenate([best, top], axis=1)
        best = -np.sort(-best, axis=1)[:, :k]
    return best


def recall_at_k(
    ids: np.ndarray, vectors: np.ndarray, queries: np.ndarray, ann: AnnSearch, k: int = 10
) -> float:
    """Share of the true top-k the ANN search returns, over all queries; `ids` sorted."""
    if len(ids) == 0 or len(queries) == 0:
        return 1.0
    wanted = min(k, len(ids))
    kth = exact_top_k(ids, vectors, queries, k)[:, -1]
    found = 0
    for query, floor in zip(queries, kth, strict=True):
        returned = np.array(ann(query, k)[:wanted], dtype=np.int64)
        if len(returned) == 0:
            continue
        rows = np.searchsorted(ids, returned)
        known = (rows < len(ids)) & (ids[np.minimum(rows, len(ids) - 1)] == returned)
        true_scores = vectors[rows[known]] @ query
        found += int(np.sum(true_scores >= floor - _TIE))
    return found / (wanted * len(queries))
