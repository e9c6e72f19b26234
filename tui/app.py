"""The Textual reader (placeholder until the reader lands)."""

from __future__ import annotations


def run(paths) -> int:
    import sys

    print("papers: the interactive reader is not built yet; use `papers search QUERY`", file=sys.stderr)
    return 2
