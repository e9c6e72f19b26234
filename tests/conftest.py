from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.paths import BUNDLED_DIGESTS, Paths

ABSTRACT = ("We study the problem of {topic} in depth. Our method improves the state of the art "
            "on three benchmarks by a large margin, while using fewer parameters. Extensive "
            "experiments and ablations show that each component matters for {topic}.")


def abstract(topic: str) -> str:
    return ABSTRACT.format(topic=topic)


def text_digest(titles: list[str], *, label: str | None = "Aug 7", blank: bool = True,
                header: bool = True, newline: str = "\n") -> str:
    lines = []
    if header:
        lines += ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
                  "byAK and the research community"]
    if label:
        lines.append(label)
    for t in titles:
        lines += [t, abstract(t)]
    sep = newline * 2 if blank else newline
    return sep.join(lines) + newline


def api_digest(papers: list[dict]) -> str:
    out = []
    for p in papers:
        out.append({"paper": {
            "id": p["id"], "title": p["title"], "summary": p.get("summary", abstract(p["title"])),
            "authors": [{"name": n} for n in p.get("authors", ["Ada Lovelace", "Alan Turing"])],
            "upvotes": p.get("upvotes", 7), "publishedAt": p.get("publishedAt", "2024-08-07T12:00:00.000Z"),
        }, "title": p["title"], "numComments": 1})
    return json.dumps(out)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.default(tmp_path / "home")


@pytest.fixture
def bundled() -> list[Path]:
    return sorted(BUNDLED_DIGESTS.glob("*.txt"))
