"""The index on disk: what each part takes, and re-opening it after the data
folder moved (digests at a new path, with new file times)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


def disk(index_folder: Path, corpus_bytes: int) -> dict:
    """Bytes of the catalog (per table and index) and of Whoosh (per kind of
    file, per field), and their sum as a multiple of the digests' bytes."""
    from ..core.index.sizes import index_sizes

    sizes = index_sizes(index_folder)
    total = sizes["catalog_bytes"] + sizes["whoosh_bytes"]
    return {"bytes": total, "ratio": round(total / corpus_bytes, 2) if corpus_bytes else None, **sizes}


def moved(paths, sources_of, open_index) -> dict:
    """Copy the digests and the index to new folders, give the digests new file
    times (a copy does), open the index there: the time it takes and how many
    papers it writes. Only the copies are touched; they are removed after."""
    from ..core.paths import Paths

    root = paths.data.parent / "moved"
    shutil.rmtree(root, ignore_errors=True)
    try:
        new = Paths(root / "data", root / "cache", paths.config)
        shutil.copytree(paths.digests, new.digests)
        shutil.copytree(paths.index, new.index, ignore=shutil.ignore_patterns("*.lock"))
        now = time.time_ns()
        for i, f in enumerate(sorted(new.digests.iterdir())):
            os.utime(f, ns=(now + i, now + i))
        t0 = time.perf_counter()
        index, report = open_index(new, sources_of(new))
        wall = time.perf_counter() - t0
        papers = index.count()
        index.close()
        return {"seconds": round(wall, 3), "papers_written": report.papers_written, "papers": papers,
                "rebuilt": report.rebuilt, "changed": len(report.changed), "added": len(report.added)}
    finally:
        shutil.rmtree(root, ignore_errors=True)
