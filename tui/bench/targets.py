"""What ``papers bench`` measures and against what: the targets (judged at
100,000 papers) and the query mix."""

from __future__ import annotations

#: Targets for a 100,000-paper corpus; pass/fail is shown only at that size.
TARGET_PAPERS = 100_000
TARGETS = {
    "cold_build_fts5_ratio": 5.0,  # the cold build, as a multiple of SQLite FTS5's build in the same run
    "disk_ratio": 2.0,  # index and catalog, as a multiple of the digests' bytes
    "startup_ratio": 1.3,
    "results_s": 0.6,  # the reader: first results shown after start
    "cli_search_s": 0.25,  # papers search in a fresh process, median of 5
    "key_to_paint_s": 0.15,  # the reader: last key typed to its results painted, median
    "add_digest_s": 2.0,
    "search_p50_ms": 10.0,  # every query ranked exactly (see relevance's exact_top10)
    "search_p95_ms": 40.0,  # and at most search_p95_fts5_ratio × SQLite FTS5's in the same run
    "search_p95_fts5_ratio": 0.5,
    "search_max_ms": 120.0,  # and at or below SQLite FTS5's in the same run
    "first_page_ms": 100.0,
    "peak_rss_mb": 300.0,
    "known_item_mrr": 0.90,  # MRR@10 of known_items.tsv with the bundled papers among the synthetic ones
    "exact_top10": 0.98,  # share of queries ranked as the exact reference ranks them (top 10)
}
MAX_PAPERS = 1_000_000
MIN_PAPERS = 100
SEARCH_ROUNDS = 3
COMMON_WORDS = ("transformer", "model", "language", "learning", "performance", "training", "data")

# The query mix: (category, query for papers, the same for FTS5 or None, why not).
# {name} and {name2} are made-up method names of two papers (one paper each),
# {label} a digest's date label.
_LONG_WORDS = ("the model learns attention over long sequences of visual tokens " * 32)[:2000]
QUERIES: tuple[tuple[str, str, str | None, str], ...] = (
    ("rare word", "{name}", "{name}", ""),
    ("rare word", "{name2}", "{name2}", ""),
    ("rare word", "laplacian", "laplacian", ""),
    ("rare word", "eigenvectors", "eigenvectors", ""),
    ("common word", "transformer", "transformer", ""),
    ("common word", "model", "model", ""),
    ("common word", "language", "language", ""),
    ("common word", "performance", "performance", ""),
    ("2-5 words", "vision transformer", "vision transformer", ""),
    ("2-5 words", "large language models", "large language models", ""),
    ("2-5 words", "diffusion models for image generation", "diffusion models image generation", ""),
    ("2-5 words", "self-supervised speech representation", '"self-supervised" speech representation', ""),
    ("2-5 words", "efficient attention long context inference", "efficient attention long context inference", ""),
    ("phrase", '"large language models"', '"large language models"', ""),
    ("phrase", '"state of the art"', '"state of the art"', ""),
    ("phrase", '"vision transformer"', '"vision transformer"', ""),
    ("field", "title:transformer", "title:transformer", ""),
    ("field", "abstract:ablation", "abstract:ablation", ""),
    ("field", "title:{name}", "title:{name}", ""),
    ("field", "tag:reading-group", None, "library state is not in the FTS5 table"),
    ("field", "is:unread", None, "library state is not in the FTS5 table"),
    ("field", "is:bookmarked", None, "library state is not in the FTS5 table"),
    ("field", "has:note", None, "library state is not in the FTS5 table"),
    ("field", "is:unread transformer", None, "library state is not in the FTS5 table"),
    ("field", 'digest:"{label}"', None, "digest labels are not in the FTS5 table"),
    ("boolean", "diffusion AND video", "diffusion AND video", ""),
    ("boolean", "speech OR audio", "speech OR audio", ""),
    ("boolean", "language NOT vision", "language NOT vision", ""),
    ("boolean", "(image OR video) AND generation", "(image OR video) AND generation", ""),
    ("prefix", "transfo*", "transfo*", ""),
    ("prefix", "quant*", "quant*", ""),
    ("prefix", "pre*", "pre*", ""),
    ("typing", "vision transf", "vision transf*", ""),
    ("typing", "large langu", "large langu*", ""),
    ("fuzzy", "trasnformer~", None, "FTS5 has no fuzzy terms"),
    ("fuzzy", "difusion~2", None, "FTS5 has no fuzzy terms"),
    ("fuzzy", "segmentaton~1", None, "FTS5 has no fuzzy terms"),
    ("typo", "trasnformer", None, "FTS5 has no typo tolerance"),
    ("typo", "lanugage modles", None, "FTS5 has no typo tolerance"),
    ("typo", "reinforcment lerning", None, "FTS5 has no typo tolerance"),
    ("pathological", "*former", None, "FTS5 has no leading wildcard"),
    ("pathological", "*", None, "FTS5 has no leading wildcard"),
    ("pathological", "transformer~9", None, "FTS5 has no fuzzy terms"),
    ("pathological", "NOT NOT transformer", None, "not valid FTS5 syntax"),
    ("pathological", "title:(((", None, "not valid FTS5 syntax"),
    ("pathological", "a" * 2000, '"' + "a" * 256 + '"', ""),
    ("pathological", _LONG_WORDS, " ".join(_LONG_WORDS[:256].split()[:-1]), ""),
)
