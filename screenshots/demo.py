"""A fixed demo library for the README screenshots and the snapshot tests:
the bundled digests plus a few bookmarks, tags, notes and saved searches."""

from __future__ import annotations

import json
from pathlib import Path

from tui.core.library import Library
from tui.core.papers import paper_id
from tui.core.paths import Paths

SWIN = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
MEGATRON = "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism"
T2T = "Tokens-to-Token ViT: Training Vision Transformers from Scratch on ImageNet"


def _record(title: str, *, bookmarked: str | None, tags=(), note=None, read=None) -> dict:
    return {
        "id": paper_id(title), "bookmarked_at": bookmarked, "tags": list(tags), "note": note,
        "note_created": "2026-11-02T09:00:00Z" if note else None,
        "note_updated": "2026-11-03T18:30:00Z" if note else None,
        "read_at": read, "snapshot": {"title": title, "link": None, "arxiv_id": None,
                                      "labels": [], "authors": []},
    }


def _search(name: str, query: str, watch: bool = False) -> dict:
    return {"name": name, "query": query, "watch": watch,
            "created_at": "2026-11-04T09:00:00Z", "updated_at": "2026-11-04T09:00:00Z"}


def build(home: Path) -> Paths:
    """Create (or reset) a demo home folder and return its paths."""
    paths = Paths.default(home)
    paths.data.mkdir(parents=True, exist_ok=True)
    export = {"format": "papers-library", "version": 2, "papers": [
        _record(SWIN, bookmarked="2026-11-01T08:00:00Z", tags=["vision", "reading-group"],
                note="Shifted windows: attention stays local, yet windows connect across layers.\n"
                     "Compare with T2T-ViT for the reading group.",
                read="2026-11-01T08:05:00Z"),
        _record(MEGATRON, bookmarked="2026-11-02T08:00:00Z", tags=["systems"],
                note="Tensor parallelism inside each layer; 8.3B parameters on 512 GPUs."),
        _record(T2T, bookmarked="2026-11-03T08:00:00Z", tags=["vision", "later"]),
    ], "saved_searches": [
        _search("vit", "vision transformer", watch=True),
        _search("diffusion-robots", "diffusion robot"),
        _search("long-context", '"long context" OR "context window"'),
    ]}
    lib = Library.open(paths)
    lib.transfer.import_json(json.dumps(export))
    lib.close()
    return paths
