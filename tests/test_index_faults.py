"""Faults of the index: processes killed in the middle of a build, concurrent
writers, garbled files, a data folder moved to a new path. Each test provokes
the fault for real (subprocesses, kill -9, random bytes written into files)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import text_digest
from tui.core.index import Index
from tui.core.paths import Paths


def papers(home: Path, *args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | (env or {})
    return subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(home), *args],
                          capture_output=True, text=True, timeout=300, env=full, **kw)


def catalog_digests(paths: Paths) -> set[str]:
    """The digests the index holds, read from its catalog without syncing it."""
    db = sqlite3.connect(f"{(paths.index / 'catalog.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in db.execute("SELECT name FROM digests")}
    finally:
        db.close()


# --- concurrent writers -----------------------------------------------------------

def test_concurrent_adds_keep_every_digest(tmp_path):
    """Four `papers add` at once: a process that waited for the index lock used
    to sync the list of digest files it had read before, and remove the
    digests the others had added meanwhile."""
    home = tmp_path / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    src = tmp_path / "src"
    src.mkdir()
    assert papers(home, "digests").returncode == 0
    expected: set[str] = set()
    for trial in range(8):
        files = []
        for k in range(4):
            f = src / f"t{trial}-{k}.txt"
            f.write_text(text_digest([f"Quokka Study {trial} {k} {i}" for i in range(30)]))
            files.append(f)
        procs = [subprocess.Popen([sys.executable, "-m", "tui", "--data-dir", str(home), "add", str(f)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        expected |= {f.stem for f in files}
        assert catalog_digests(paths) == expected, f"trial {trial + 1}: missing {expected - catalog_digests(paths)}"
