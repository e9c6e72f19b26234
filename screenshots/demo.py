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
    fulltext = paths.data / "fulltext"
    fulltext.mkdir(parents=True, exist_ok=True)
    (fulltext / f"{paper_id(SWIN)}.md").write_text(SWIN_TEXT, encoding="utf-8")
    return paths


# A made-up full text for the reading screen (papers text, f): its shape is the
# Markdown Hugging Face serves, its words are the demo's own.
SWIN_TEXT = """# Swin Transformer: Hierarchical Vision Transformer using Shifted Windows

## Abstract

A general-purpose backbone for vision computes self-attention inside **local windows** and
shifts the window partition between consecutive layers, so that windows connect across layers
while the cost stays linear in the image size.

## 1 Introduction

Language models are built from one architecture; vision has kept convolutional backbones.
Two differences matter: the **scale** of visual entities varies, and images have far more
pixels than sentences have words. A hierarchical design with local attention answers both.

- feature maps are merged stage by stage, as in a feature pyramid;
- attention is computed inside non-overlapping windows of `M x M` patches;
- the next layer shifts the windows by `M/2`, linking neighbouring windows.

## 2 Related Work

Convolutional networks, self-attention backbones and transformers added to convolutions are
the three lines of work this design builds on.

## 3 Method

### 3.1 Overall Architecture

An image is split into patches of 4 x 4 pixels, embedded linearly, and passed through four
stages; each stage halves the resolution and doubles the channels.

### 3.2 Shifted Window Based Self-Attention

| layer | windows | cost |
|---|---|---|
| global attention | 1 | quadratic in patches |
| window attention | (h/M) x (w/M) | linear in patches |

```python
x = window_attention(partition(x, M))
x = window_attention(partition(roll(x, -M // 2), M))
```

## 4 Experiments

Image classification, object detection and semantic segmentation all improve over earlier
backbones of similar size and speed.

## 5 Conclusion

Shifted windows give a hierarchical transformer with linear cost, a general backbone for vision.
"""
