"""Faults of the index: processes killed in the middle of a build, concurrent
writers, garbled files, a data folder moved to a new path. Each test provokes
the fault for real (subprocesses, kill -9, random bytes written into files)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


# --- a data folder copied to a new path -----------------------------------------------

QUERIES = ["transformer", "model", "language model", '"state of the art"', "diffusion", "title:video"]


def _corpus_home(root: Path, n: int) -> Path:
    from tui.core import synth

    home = root / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    synth.write_corpus(paths.digests, n)
    return home


def test_a_copied_and_touched_data_folder_reindexes_nothing(tmp_path):
    """The data folder copied (or moved) to a new path, every file touched: each
    digest is recognised by its content and only its manifest row changes."""
    from tui.core.config import load_config
    from tui.core.paths import digest_sources

    old = _corpus_home(tmp_path / "old", 10_000)
    ix, report = Index.open(Paths.default(old), sources=digest_sources(Paths.default(old), bundled=False))
    figures = {"papers": ix.count(), **{q: ix.search(q, limit=1).total for q in QUERIES}}
    ix.close()
    new = tmp_path / "moved" / "home"
    shutil.copytree(old, new)
    later = time.time() + 60
    for f in (new / "data" / "digests").iterdir():
        os.utime(f, (later, later))
    paths = Paths.default(new)
    assert not load_config(paths.config_file).bundled
    t0 = time.perf_counter()
    ix, report = Index.open(paths, sources=digest_sources(paths, bundled=False))
    seconds = time.perf_counter() - t0
    try:
        assert report.papers_written == 0 and not report.rebuilt and not report.added and not report.changed
        assert seconds < 3.0, f"{seconds:.2f} s"
        assert {"papers": ix.count(), **{q: ix.search(q, limit=1).total for q in QUERIES}} == figures
        assert all(d.path.startswith(str(new)) for d in ix.digests())
    finally:
        ix.close()
    ix, report = Index.open(paths, sources=digest_sources(paths, bundled=False))
    assert not report.wrote  # the new paths and times are remembered
    ix.close()


# --- kill -9 (and ctrl-C) in the middle of a build ----------------------------------

def _figures(home: Path) -> tuple[dict, list[str]]:
    """Open the index (recovering whatever a kill left) and count: papers,
    digests, hits of each query."""
    paths = Paths.default(home)
    from tui.core.config import load_config
    from tui.core.paths import digest_sources

    ix, report = Index.open(paths, sources=digest_sources(paths, bundled=load_config(paths.config_file).bundled))
    try:
        figures = {"papers": ix.count(), "digests": len(ix.digests()),
                   **{q: ix.search(q, limit=1).total for q in QUERIES}}
    finally:
        ix.close()
    return figures, report.notices


@pytest.fixture(scope="module")
def built_2k(tmp_path_factory):
    """A 2,000-paper corpus (two chunks of a build), and the figures of a clean build."""
    root = tmp_path_factory.mktemp("clean")
    home = _corpus_home(root, 2000)
    t0 = time.monotonic()
    done = papers(home, "digests")
    assert done.returncode == 0, done.stderr
    seconds = time.monotonic() - t0
    figures, _ = _figures(home)
    assert figures["papers"] == 2000
    return home, figures, seconds


def _killed_build(tmp_path: Path, clean: Path, env: dict | None = None, after: float | None = None):
    """A copy of the clean corpus without its index, built by `papers digests`
    that is killed at a named point (``env``) or after ``after`` seconds."""
    home = tmp_path / "home"
    shutil.copytree(clean, home, ignore=shutil.ignore_patterns("cache"))
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | (env or {})
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--data-dir", str(home), "digests"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full)
    if after is not None:
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            proc.kill()
    out, err = proc.communicate(timeout=300)
    return home, proc.returncode, err


@pytest.mark.parametrize("point", ["index-chunk-1", "index-chunk-2", "index-whoosh-committed",
                                   "index-catalog-committed"])
def test_kill_9_at_a_named_point_of_a_build_recovers_with_the_clean_counts(tmp_path, built_2k, point):
    clean, figures, _ = built_2k
    home, code, err = _killed_build(tmp_path, clean, {"PAPERS_KILL_AT": point})
    assert code == -9, f"the build was not killed at {point}: {code} {err}"
    got, notices = _figures(home)
    assert got == figures, f"killed at {point}"
    if point != "index-catalog-committed":  # everything was written by then: nothing to redo
        assert notices, f"killed at {point}: the recovery said nothing"


def test_ctrl_c_between_the_two_commits_says_interrupted_and_recovers(tmp_path, built_2k):
    clean, figures, _ = built_2k
    home, code, err = _killed_build(tmp_path, clean, {"PAPERS_KILL_AT": "index-whoosh-committed:INT"})
    assert code == 130 and "Traceback" not in err and err.strip().endswith("papers: interrupted"), err
    got, notices = _figures(home)
    assert got == figures and notices


KILLS = int(os.environ.get("PAPERS_TEST_KILLS", "16"))


def test_kill_9_at_moments_spread_over_a_build_always_recovers(tmp_path, built_2k):
    """kill -9 at moments spread over a whole build (timed from the clean
    build): every recovery has the counts of the clean build."""
    clean, figures, seconds = built_2k
    outcomes = []
    for i in range(KILLS):
        after = seconds * (i + 0.5) / KILLS
        home, code, _ = _killed_build(tmp_path / f"k{i}", clean, after=after)
        got, notices = _figures(home)
        assert got == figures, f"killed after {after:.2f} s (exit {code})"
        outcomes.append(code)
    assert -9 in outcomes  # at least some kills landed inside the build
