"""Faults of the index: processes killed in the middle of a build, concurrent
writers, garbled files, a data folder moved to a new path. Each test provokes
the fault for real (subprocesses, kill -9, random bytes written into files)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import text_digest
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

@pytest.mark.slow
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
    from tui.bench import synth

    home = root / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    synth.write_corpus(paths.digests, n)
    return home


@pytest.mark.slow
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
    # The build takes ctrl-C as it does in a terminal. A suite started in the background
    # (`pytest &`, nohup) runs with SIGINT ignored, which its children would inherit and
    # the build then never be interrupted: they get the default instead.
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tui", "--data-dir", str(home), "digests"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    if after is not None:
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            proc.kill()
    out, err = proc.communicate(timeout=300)
    return home, proc.returncode, err


@pytest.mark.slow
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


@pytest.mark.slow
def test_ctrl_c_between_the_two_commits_says_interrupted_and_recovers(tmp_path, built_2k):
    clean, figures, _ = built_2k
    home, code, err = _killed_build(tmp_path, clean, {"PAPERS_KILL_AT": "index-whoosh-committed:INT"})
    assert code == 130 and "Traceback" not in err and err.strip().endswith("papers: interrupted"), err
    got, notices = _figures(home)
    assert got == figures and notices


KILLS = int(os.environ.get("PAPERS_TEST_KILLS", "16"))


@pytest.mark.slow
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


# --- garbled files ------------------------------------------------------------------

def _garble(path: Path, offset: int, size: int, seed: int = 1) -> None:
    """Write ``size`` random bytes into ``path`` at ``offset`` (dd conv=notrunc)."""
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(random.Random(seed).randbytes(size))


def _title_words(ix) -> list[str]:
    words = set()
    for pid in ix.ids():
        words.update(w.lower() for w in ix.get(pid).title.split() if w.isalpha() and len(w) > 3)
    return sorted(words)


@pytest.fixture(scope="module")
def bundled_home(tmp_path_factory):
    """A home whose index holds the bundled digests, and the answer to every
    one-word query of their titles."""
    home = tmp_path_factory.mktemp("bundled") / "home"
    ix, _ = Index.open(Paths.default(home))
    words = _title_words(ix)
    answers = {w: [h.id for h in ix.search(w, limit=50).hits] for w in words}
    ix.close()
    return home, answers


def _garble_postings(paths: Paths) -> None:
    """Write 64 KiB of random bytes into the middle of the postings of the
    largest segment. (The parts of a compound segment are laid out in an order
    that changes from run to run: the middle of the file may be a part that
    opening reads, the terms or the field lengths.)"""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    seg = max((paths.index / "whoosh").glob("*.seg"), key=lambda p: p.stat().st_size)
    compound = CompoundStorage(FileStorage(str(seg.parent)).open_file(seg.name), use_mmap=False)
    try:
        postings = next(part for name, part in compound._dir.items() if name.endswith(".pst"))
    finally:
        compound.close()
    assert postings["length"] > 128 * 1024
    _garble(seg, postings["offset"] + postings["length"] // 2 - 32 * 1024, 64 * 1024)


@pytest.mark.slow
def test_garbled_segment_is_reported_and_rebuilt_then_every_query_answers(tmp_path, bundled_home):
    from tui.core.index import IndexDamaged

    clean, answers = bundled_home
    home = tmp_path / "home"
    shutil.copytree(clean, home)
    paths = Paths.default(home)
    _garble_postings(paths)
    ix, report = Index.open(paths)
    assert not report.rebuilt  # nothing shows at opening: the damage is in the postings
    damaged = 0
    for word in answers:
        try:
            ix.search(word, limit=50)
        except IndexDamaged as e:  # one line, naming what failed; nothing else escapes
            assert "\n" not in str(e) and "could not be read" in str(e)
            damaged += 1
    ix.close()
    assert damaged, "the random bytes hit nothing a query reads"
    ix, report = Index.open(paths)  # the damage was recorded: rebuilt at once
    assert report.rebuilt and any("could not be read" in n for n in report.notices)
    assert {w: [h.id for h in ix.search(w, limit=50).hits] for w in answers} == answers
    ix.close()


def _failing_word(home: Path, words, limit: int = 50) -> str:
    """A word whose query (for ``limit`` hits) meets the damage (found on a
    copy, so the home stays as it is)."""
    probe = home.parent / "probe"
    shutil.copytree(home, probe)
    ix, _ = Index.open(Paths.default(probe))
    try:
        for w in words:
            try:
                ix.search(w, limit=limit)
            except Exception:
                return w
    finally:
        ix.close()
    pytest.fail("no query hits the damage")


def test_command_line_search_on_a_garbled_segment_rebuilds_and_answers(tmp_path, bundled_home):
    clean, answers = bundled_home
    home = tmp_path / "h" / "home"
    shutil.copytree(clean, home)
    _garble_postings(Paths.default(home))
    word = _failing_word(home, answers)
    done = papers(home, "search", word, "--json", "--limit", "50")
    assert done.returncode == 0, done.stderr
    assert [d["id"] for d in json.loads(done.stdout)] == answers[word]
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and len(lines) == 1, done.stderr
    assert "could not be read" in lines[0] and "rebuil" in lines[0]
    again = papers(home, "search", word, "--json", "--limit", "50")  # nothing more to say
    assert again.returncode == 0 and again.stderr == "" and json.loads(again.stdout) == json.loads(done.stdout)


def test_garbled_catalog_pages_are_reported_and_rebuilt(tmp_path, bundled_home):
    """A quarter of the catalog's pages overwritten with random bytes: each
    command answers as on the clean index; a command that meets the damage
    says so in one line and the index is rebuilt."""
    clean, _ = bundled_home
    met = 0
    for i, command in enumerate([("digests", "--json"), ("search", "digest:aug", "--json"),
                                 ("search", "transformer", "--json")]):
        expected = papers(clean, *command)
        assert expected.returncode == 0
        home = tmp_path / f"c{i}" / "home"
        shutil.copytree(clean, home)
        catalog = Paths.default(home).index / "catalog.sqlite3"
        pages = catalog.stat().st_size // 4096
        rng = random.Random(2)
        for page in rng.sample(range(1, pages), pages // 4):
            _garble(catalog, page * 4096, 4096, seed=page)
        done = papers(home, *command)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
        assert json.loads(done.stdout) == json.loads(expected.stdout), command
        lines = done.stderr.strip().splitlines()
        assert len(lines) <= 1, (command, done.stderr)
        if lines:
            assert "could not be read" in lines[0] and "rebuilding" in lines[0], (command, done.stderr)
            met += 1
        again = papers(home, *command)
        assert again.returncode == 0 and again.stderr == "", (command, again.stderr)
    assert met, "the random pages hit nothing these commands read"


@pytest.mark.parametrize("damage", ["delete", "empty"])
def test_a_deleted_or_empty_catalog_is_reported_as_unreadable(tmp_path, bundled_home, damage):
    clean, answers = bundled_home
    home = tmp_path / "home"
    shutil.copytree(clean, home)
    catalog = Paths.default(home).index / "catalog.sqlite3"
    catalog.unlink() if damage == "delete" else catalog.write_bytes(b"")
    ix, report = Index.open(Paths.default(home))
    assert report.rebuilt and ix.count() == 285
    assert not any("format changed" in n for n in report.notices), report.notices
    assert any("catalog" in n and ("missing" in n or "could not be read" in n) for n in report.notices), report.notices
    ix.close()


async def test_the_reader_says_so_rebuilds_and_answers(tmp_path, bundled_home, monkeypatch):
    """A search in the reader meets damage (as the tests above make it): one
    notification, the index rebuilt, the search answered."""
    from tui.app import PapersApp
    from tui.core.index import IndexDamaged
    from tui.core.index.build.recovery import mark_damaged
    from tui.core.index.front import Index as Store

    clean, answers = bundled_home
    home = tmp_path / "home"
    shutil.copytree(clean, home)
    real = Store.search
    met = []

    def search(self, query, limit=20, offset=0, sort="relevance", stop=None, mutes=(), order=None):
        if query == "swin" and not met:
            met.append(query)
            mark_damaged(self.folder, "the index could not be read (Exception: Block tag error)")
            raise IndexDamaged("the index could not be read (Exception: Block tag error)")
        return real(self, query, limit, offset, sort, stop, mutes, order)

    monkeypatch.setattr(Store, "search", search)
    app = PapersApp(Paths.default(home), watch_interval=0, dwell=0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.index is not None and app.search_settled:
                break
        first = app.index
        await pilot.press("slash", *"swin")
        for _ in range(600):
            await pilot.pause(0.05)
            if met and app.index is not None and app.index is not first and app.search_settled:
                break
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        messages = [n.message for n in app._notifications]
        assert any("could not be read" in m and "rebuilding it" in m for m in messages), messages
        assert app.index is not first  # reopened and rebuilt
        assert "swin" in app.main.results.query_text
        assert [h.id for h in app.index.search("swin", limit=50).hits] == answers["swin"]


async def test_the_reader_starts_on_a_garbled_catalog_and_rebuilds(tmp_path, bundled_home):
    """The newest papers the reader shows before opening the index come from
    the catalog; a catalog too damaged to give them must not keep the index
    from opening (and being rebuilt)."""
    from helpers import ready
    from tui.app import PapersApp

    clean, _ = bundled_home
    home = tmp_path / "home"
    shutil.copytree(clean, home)
    catalog = Paths.default(home).index / "catalog.sqlite3"
    pages = catalog.stat().st_size // 4096
    for page in random.Random(0).sample(range(1, pages), pages // 4):  # the listing cannot be read
        _garble(catalog, page * 4096, 4096, seed=page)
    from tui.core.index.listing import Listing

    with pytest.raises(sqlite3.DatabaseError):
        Listing.open(Paths.default(home).index).newest_page(0, 50)
    app = PapersApp(Paths.default(home), watch_interval=0, dwell=0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await ready(app, pilot)
        assert app.index is not None and app.index.count() == 285
        assert len(app.query_one("#results").ids) == 200
        assert not app.screen_stack[1:], app.screen_stack  # no error dialog over the reader
        messages = [n.message for n in app._notifications]
        assert any("rebuilding it" in m for m in messages), messages
