"""The library store: state, migrations, corruption, read-only and full disks,
two processes at once, kill -9 in the middle of writes."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from helpers import run_unprivileged
from tui.core.library import (
    MIGRATIONS, SCHEMA_VERSION, ImportFormatError, InvalidSavedSearch, InvalidTag, Library, LibraryError, Record,
    SavedSearch, Snapshot, TriagePosition, normalize_search_name, normalize_tag,
)
from tui.core.papers import Appearance, LibraryState, Paper
from tui.core.paths import Paths

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def paper(pid: str = "aaaaaaaaaaaa", title: str = "Attention Is All You Need", arxiv: str | None = "1706.03762",
          authors=("Ashish Vaswani", "Noam Shazeer")) -> Paper:
    return Paper(id=pid, title=title, abstract="We propose the Transformer. https://github.com/x/y",
                 arxiv_id=arxiv, authors=tuple(authors),
                 appearances=(Appearance("000_x", "Aug 7", 3, 100), Appearance("001_y", None, 1, 10)))


@pytest.fixture
def lib(paths):
    library = Library.open(paths)
    yield library
    library.close()


def reopen(paths) -> Library:
    return Library.open(paths)


# --- state ---------------------------------------------------------------------

def test_state_survives_reopen_with_snapshot(paths):
    p = paper()
    with Library.open(paths) as lib:
        assert lib.get(p.id) is None
        assert lib.set_bookmark(p.id, True, paper=p)
        assert lib.add_tags(p.id, ["Reading Group", "nlp"], paper=p) == ["reading-group", "nlp"]
        assert lib.set_note(p.id, "Check the ablation\nin section 4.", paper=p)
        assert lib.set_read(p.id, True, paper=p)
    assert paths.library.is_file()
    with reopen(paths) as lib:
        r = lib.get(p.id)
        assert r.bookmarked and r.read and r.tags == ("nlp", "reading-group")
        assert r.note == "Check the ablation\nin section 4."
        for t in (r.bookmarked_at, r.note_created, r.note_updated, r.read_at):
            assert ISO.match(t), t
        assert r.snapshot == Snapshot(
            title="Attention Is All You Need", link="https://huggingface.co/papers/1706.03762",
            arxiv_id="1706.03762", labels=("Aug 7", "001_y"), authors=("Ashish Vaswani", "Noam Shazeer"))
        assert lib.json_fields(p.id) == {"bookmarked": True, "tags": ["nlp", "reading-group"],
                                         "note": "Check the ablation\nin section 4.", "read": True}
        assert lib.index_state([p.id, "bbbbbbbbbbbb"]) == {
            p.id: LibraryState(("nlp", "reading-group"), "Check the ablation\nin section 4.", True, True)}
        assert lib.json_fields("bbbbbbbbbbbb") == {"bookmarked": False, "tags": [], "note": None, "read": False}
        assert lib.integrity_check() == "ok"
    db = sqlite3.connect(paths.library)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unbookmark_untag_unread_and_delete_note(lib):
    pid = "aaaaaaaaaaaa"
    lib.set_bookmark(pid, True)
    lib.add_tags(pid, ["x"])
    lib.set_note(pid, "n")
    lib.set_read(pid, True)
    assert lib.set_bookmark(pid, False) and not lib.set_bookmark(pid, False)
    assert lib.remove_tags(pid, ["X", "missing", ""]) == ["x"]
    assert lib.set_read(pid, False)
    assert lib.set_note(pid, "   \n ")  # blank deletes
    assert lib.get(pid) is None
    assert pid in lib.touched_ids()


def test_note_times_control_characters_and_noop(lib):
    pid = "aaaaaaaaaaaa"
    lib.set_note(pid, "first\x1b[31m red\x07\r\nsecond\ttab")
    r1 = lib.get(pid)
    assert r1.note == "first red\nsecond\ttab"
    gen = lib.generation()
    assert not lib.set_note(pid, "first\x1b[31m red\x07\r\nsecond\ttab")  # same text: no change
    assert lib.generation() == gen
    time.sleep(0.002)
    lib.set_note(pid, "edited")
    r2 = lib.get(pid)
    assert r2.note_created == r1.note_created and r2.note_updated > r1.note_updated


@pytest.mark.parametrize("raw, tag", [
    ("  Reading Group ", "reading-group"), ("ML", "ml"), ("a\tb\nc", "a-b-c"), ("Über", "über"),
    ("to-read", "to-read"), ("[CLS]", "[cls]"),
])
def test_normalize_tag(raw, tag):
    assert normalize_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "   ", "a,b", "bell\x07", "esc\x1b[31m", "x" * 65])
def test_bad_tags_are_rejected_before_any_write(lib, raw):
    gen = lib.generation()
    with pytest.raises(InvalidTag):
        lib.add_tags("aaaaaaaaaaaa", ["fine", raw])
    assert lib.get("aaaaaaaaaaaa") is None and lib.generation() == gen


def test_toggle_and_bookmark_order(lib):
    ids = [f"{i:012x}" for i in range(5)]
    for i, pid in enumerate(ids):
        lib.set_bookmark(pid, True, paper=paper(pid, title=f"{'edcba'[i]} paper", arxiv=None))
    lib.add_tags(ids[1], ["keep"])
    lib.add_tags(ids[3], ["Keep"])
    assert [r.id for r in lib.bookmarks()] == ids[::-1]  # newest first
    assert [r.title for r in lib.bookmarks(sort="title")] == ["a paper", "b paper", "c paper", "d paper", "e paper"]
    assert [r.id for r in lib.bookmarks(tag="KEEP")] == [ids[3], ids[1]]
    assert lib.bookmarks(tag="a,b") == []
    assert lib.toggle_bookmark(ids[0]) is False
    assert lib.toggle_bookmark(ids[0]) is True
    assert lib.bookmarks()[0].id == ids[0]  # re-added: newest again
    assert lib.tags() == {"keep": 2}
    with pytest.raises(ValueError):
        lib.bookmarks(sort="rank")


def test_records_bulk_and_notes_order(lib):
    for i in range(1200):  # more than one SQL chunk
        lib.set_read(f"{i:012x}", True)
    recs = lib.records([f"{i:012x}" for i in range(0, 1300)])
    assert len(recs) == 1200 and all(r.read for r in recs.values())
    lib.set_note("000000000001", "older")
    time.sleep(0.002)
    lib.set_note("000000000002", "newer")
    assert [r.note for r in lib.notes()] == ["newer", "older"]


def test_ids_are_checked(lib):
    for bad in ("", " x", "a\x1bb", "x" * 65, None):
        with pytest.raises(ValueError):
            lib.set_bookmark(bad, True)
    with pytest.raises(ValueError):
        lib.set_bookmark("aaaaaaaaaaaa", True, paper=paper("bbbbbbbbbbbb"))


def test_snapshot_refresh_and_untouched_papers_are_not_remembered(lib):
    p = paper()
    lib.set_bookmark(p.id, False, paper=p)  # nothing to undo: nothing remembered
    assert lib.touched_ids() == []
    lib.set_bookmark(p.id, True, paper=p)
    gen = lib.generation()
    lib.set_bookmark(p.id, True, paper=p)  # same snapshot: no change at all
    assert lib.generation() == gen
    renamed = paper(title="Attention Is All You Need (v2)")
    assert lib.refresh_snapshots([renamed, paper("bbbbbbbbbbbb")]) == 1
    assert lib.get(p.id).snapshot.title == "Attention Is All You Need (v2)"
    assert lib.generation() == gen + 1


def test_batch_is_all_or_nothing(lib):
    gen = lib.generation()
    with pytest.raises(RuntimeError):
        with lib.batch():
            lib.set_bookmark("aaaaaaaaaaaa", True)
            lib.set_note("aaaaaaaaaaaa", "x")
            raise RuntimeError("boom")
    assert lib.get("aaaaaaaaaaaa") is None and lib.generation() == gen
    with lib.batch():
        lib.set_bookmark("aaaaaaaaaaaa", True)
        lib.set_note("aaaaaaaaaaaa", "x")
    assert lib.generation() == gen + 1  # one transaction, one generation
    assert lib.changed_since(gen) == ["aaaaaaaaaaaa"]


# --- generation and change log ---------------------------------------------------

def test_generation_and_changed_since(lib):
    assert lib.generation() == 0 and lib.changed_since(0) == []
    lib.set_bookmark("aaaaaaaaaaaa", True)
    g1 = lib.generation()
    lib.add_tags("bbbbbbbbbbbb", ["x"])
    lib.set_note("cccccccccccc", "n")
    assert lib.generation() == g1 + 2
    assert lib.changed_since(g1) == ["bbbbbbbbbbbb", "cccccccccccc"]
    assert lib.changed_since(lib.generation()) == []
    assert lib.changed_since(0) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]
    # a generation from some other (older, bigger) library: everything
    assert lib.changed_since(10_000) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]


def test_pruned_log_answers_with_every_touched_id(lib):
    lib.db.LOG_KEEP, lib.db.PRUNE_EVERY = 5, 5
    lib.set_bookmark("aaaaaaaaaaaa", True)
    lib.set_bookmark("aaaaaaaaaaaa", False)  # gone from the library, but the index must hear of it
    for i in range(20):
        lib.set_read(f"{i:012x}", True)
    assert lib.generation() == 22
    rows = lib.db.read("SELECT COUNT(*) FROM changes")[0][0]
    assert rows < 22  # pruned
    assert "aaaaaaaaaaaa" in lib.changed_since(1)
    assert len(lib.changed_since(1)) == 21
    assert lib.changed_since(21) == [f"{19:012x}"]


def test_two_connections_see_each_others_changes(paths):
    a, b = Library.open(paths), Library.open(paths)
    try:
        g = b.generation()
        a.set_bookmark("aaaaaaaaaaaa", True)
        assert b.get("aaaaaaaaaaaa").bookmarked
        assert b.generation() == g + 1 and b.changed_since(g) == ["aaaaaaaaaaaa"]
        b.add_tags("aaaaaaaaaaaa", ["from-b"])
        assert a.get("aaaaaaaaaaaa").tags == ("from-b",)
    finally:
        a.close()
        b.close()


def test_threads_share_one_library(lib):
    def work(k):
        for i in range(50):
            lib.set_bookmark(f"{k:02x}{i:010x}", True)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(lib.bookmarks()) == 200 and lib.generation() == 200


# --- saved searches ------------------------------------------------------------------

def test_saved_searches_survive_reopen_and_replace_by_name(paths):
    with Library.open(paths) as lib:
        gen = lib.generation()
        s = lib.saved.save("  Diffusion Models ", "diffusion\n  robot\x1b[31m", watch=True)
        assert (s.name, s.query, s.watch, s.tag) == ("diffusion-models", "diffusion robot", True,
                                                     "watch:diffusion-models")
        assert ISO.match(s.created_at) and s.created_at == s.updated_at and s.checked_at is None
        lib.saved.save("Reading", "tag:reading-group")
        assert lib.generation() == gen  # not paper state: the index has nothing to catch up
    with reopen(paths) as lib:
        assert [(x.name, x.query, x.watch) for x in lib.saved.all()] == [
            ("diffusion-models", "diffusion robot", True), ("reading", "tag:reading-group", False)]
        time.sleep(0.002)
        again = lib.saved.save("DIFFUSION models", "diffusion policy")  # same name: the query is replaced
        assert again.query == "diffusion policy" and again.watch  # watch=None keeps the flag
        assert again.created_at == s.created_at and again.updated_at > s.updated_at
        assert lib.saved.save("reading", "tag:reading-group", watch=False) == lib.saved.get("reading")
        assert len(lib.saved.all()) == 2
        off = lib.saved.set_watch("diffusion-models", False)
        assert off is not None and not off.watch
        assert lib.saved.set_watch("missing", True) is None
        lib.saved.mark_checked(["reading"])
        assert ISO.match(lib.saved.get("reading").checked_at)
        assert lib.saved.delete("Reading") and not lib.saved.delete("reading")
        assert lib.saved.delete("bad,name") is False
    with reopen(paths) as lib:
        assert lib.saved.all() == [lib.saved.get("diffusion-models")]
        assert lib.saved.get("diffusion-models").watch is False
        assert isinstance(lib.saved.all()[0], SavedSearch)


@pytest.mark.parametrize("name, query, message", [
    ("", "q", "empty"), ("a,b", "q", "comma"), ("bell\x07", "q", "control"), ("x" * 59, "q", "longer than 58"),
    ("ok", "", "empty"), ("ok", " \n\t ", "empty"), ("ok", "w " * 200, "longer than 256"), (5, "q", "text"),
])
def test_bad_saved_searches_are_refused_before_any_write(lib, name, query, message):
    with pytest.raises(InvalidSavedSearch) as e:
        lib.saved.save(name, query)
    assert message in str(e.value) and "\n" not in str(e.value)
    assert lib.saved.all() == []


def test_a_name_that_fits_makes_a_valid_watch_tag(lib):
    name = normalize_search_name("n" * 58)
    s = lib.saved.save(name, "q", watch=True)
    assert normalize_tag(s.tag) == s.tag and len(s.tag) == 64
    assert lib.add_tags("aaaaaaaaaaaa", [s.tag]) == [s.tag]


# --- triage, what's new, unread counts ------------------------------------------------

def test_triage_position_survives_reopen(paths):
    with Library.open(paths) as lib:
        assert lib.visits.triage_position("000_x") is None
        t = lib.visits.set_triage_position("000_x", "aaaaaaaaaaaa", index=7)
        assert t == TriagePosition("000_x", "aaaaaaaaaaaa", 7, t.updated_at) and ISO.match(t.updated_at)
        lib.visits.set_triage_position("001_y", 12)
        lib.visits.set_triage_position("000_x", "bbbbbbbbbbbb")  # moved on: replaces, index unknown now
    with reopen(paths) as lib:
        assert (lib.visits.triage_position("000_x").paper_id, lib.visits.triage_position("000_x").index) == ("bbbbbbbbbbbb", None)
        assert (lib.visits.triage_position("001_y").paper_id, lib.visits.triage_position("001_y").index) == (None, 12)
        for bad in (True, -1, 1.5, None, " x"):
            with pytest.raises(ValueError):
                lib.visits.set_triage_position("000_x", bad)
        with pytest.raises(ValueError):
            lib.visits.set_triage_position("", 1)
        assert lib.visits.triage_position("000_x").paper_id == "bbbbbbbbbbbb"  # a refused change changed nothing
        assert lib.visits.clear_triage_position("001_y") and not lib.visits.clear_triage_position("001_y")
    with reopen(paths) as lib:
        assert lib.visits.triage_position("001_y") is None


def test_whats_new_first_open_shows_nothing_then_only_unseen_digests(paths):
    with Library.open(paths) as lib:
        assert lib.visits.last_opened() is None
        assert lib.visits.new_digests(["a", "b"]) == []  # never opened: nothing is "new"
        assert lib.visits.mark_opened(["a", "b"]) == []
        first = lib.visits.last_opened()
        assert ISO.match(first)
    with reopen(paths) as lib:
        assert lib.visits.new_digests(["c", "a", "b", "d", "c"]) == ["c", "d"]  # the order given, no repeats
        time.sleep(0.002)
        assert lib.visits.mark_opened(["a", "c", "d"]) == ["c", "d"]  # b is gone; still seen
        assert lib.visits.last_opened() > first
        assert lib.visits.new_digests(["a", "b", "c", "d"]) == []
        opened = lib.visits.last_opened()
        before = paths.library.read_bytes(), Path(str(paths.library) + "-wal").read_bytes()
        lib.readonly = True  # nothing new: nothing written, so a read-only library is fine too
        assert lib.visits.mark_opened(["a", "b", "c", "d"]) == [] and lib.visits.mark_opened(["b"]) == []
        lib.readonly = False
        assert (paths.library.read_bytes(), Path(str(paths.library) + "-wal").read_bytes()) == before
        assert lib.visits.last_opened() == opened
        many = [f"d{i}" for i in range(1200)]  # more than one SQL chunk
        assert lib.visits.mark_opened(many) == many and lib.visits.new_digests(many + ["z"]) == ["z"]


def test_unread_counts_per_digest(lib):
    ids = [f"{i:012x}" for i in range(1100)]
    for pid in ids[:600]:
        lib.set_read(pid, True)
    lib.set_read(ids[0], False)
    counts = lib.visits.unread_counts({"big": ids, "read": ids[1:600], "mixed": [ids[0], ids[1], ids[1], ids[1000]],
                                "empty": []})
    assert counts == {"big": 501, "read": 0, "mixed": 2, "empty": 0}
    assert lib.visits.read_ids([ids[0], ids[1], "ffffffffffff"]) == {ids[1]}


# --- migrations -------------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE bookmarks (paper_id TEXT PRIMARY KEY, added_at TEXT NOT NULL);
CREATE TABLE tags (paper_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (paper_id, tag));
CREATE TABLE notes (paper_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE reads (paper_id TEXT PRIMARY KEY, read_at TEXT NOT NULL);
"""


def write_v1(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.executemany("INSERT INTO bookmarks VALUES (?, ?)", [
        ("aaaaaaaaaaaa", "2024-08-07T10:00:00.000000Z"), ("bbbbbbbbbbbb", "2024-08-08T10:00:00.000000Z")])
    db.executemany("INSERT INTO tags VALUES (?, ?)", [
        ("aaaaaaaaaaaa", "Reading Group"), ("aaaaaaaaaaaa", "reading-group"), ("cccccccccccc", "ML"),
        ("cccccccccccc", "  ")])
    db.execute("INSERT INTO notes VALUES ('aaaaaaaaaaaa', 'line one\nline two', '2024-08-09T10:00:00.000000Z')")
    db.execute("INSERT INTO reads VALUES ('dddddddddddd', '2024-08-10T10:00:00.000000Z')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_migrates_a_version_1_file(paths):
    write_v1(paths.library)
    with Library.open(paths) as lib:
        assert lib.notices == []
        a = lib.get("aaaaaaaaaaaa")
        assert a.bookmarked_at == "2024-08-07T10:00:00.000000Z"
        assert a.tags == ("reading-group",)  # normalised and merged
        assert a.note == "line one\nline two"
        assert a.note_created == a.note_updated == "2024-08-09T10:00:00.000000Z"
        assert lib.get("cccccccccccc").tags == ("ml",)
        assert lib.get("dddddddddddd").read
        assert [r.id for r in lib.bookmarks()] == ["bbbbbbbbbbbb", "aaaaaaaaaaaa"]
        # the index has never seen this state: one generation covers it all
        assert lib.generation() == 1
        assert lib.changed_since(0) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc", "dddddddddddd"]
        lib.set_bookmark("eeeeeeeeeeee", True)
    db = sqlite3.connect(paths.library)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Library.open(paths) as lib:  # opening again migrates nothing
        assert lib.generation() == 2 and lib.get("eeeeeeeeeeee").bookmarked


def test_migrates_a_version_2_file_keeping_everything(paths):
    paths.data.mkdir(parents=True)
    db = sqlite3.connect(paths.library, isolation_level=None)
    db.execute("BEGIN")
    MIGRATIONS[1](db)
    MIGRATIONS[2](db)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO bookmarks VALUES ('aaaaaaaaaaaa', '2024-08-07T10:00:00.000000Z')")
    db.execute("INSERT INTO tags VALUES ('aaaaaaaaaaaa', 'to-read')")
    db.execute("INSERT INTO notes (paper_id, text, updated_at, created_at) VALUES "
               "('aaaaaaaaaaaa', 'keep me', '2024-08-09T10:00:00.000000Z', '2024-08-08T10:00:00.000000Z')")
    db.execute("INSERT INTO reads VALUES ('bbbbbbbbbbbb', '2024-08-10T10:00:00.000000Z')")
    db.execute("INSERT INTO papers (id, title) VALUES ('aaaaaaaaaaaa', 'Kept Title')")
    db.execute("UPDATE meta SET value='41' WHERE key='generation'")
    db.execute("COMMIT")
    db.close()
    with Library.open(paths) as lib:
        assert lib.notices == []
        a = lib.get("aaaaaaaaaaaa")
        assert (a.bookmarked_at, a.tags, a.note, a.note_created, a.title) == (
            "2024-08-07T10:00:00.000000Z", ("to-read",), "keep me", "2024-08-08T10:00:00.000000Z", "Kept Title")
        assert lib.get("bbbbbbbbbbbb").read and lib.generation() == 41
        assert lib.saved.all() == [] and lib.visits.last_opened() is None and lib.mutes.all() == []
        assert lib.follows.all() == [] and lib.visits.skipped_ids() == []
        lib.saved.save("s", "q")
        lib.mutes.add("diffusion")
    db = sqlite3.connect(paths.library)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Library.open(paths) as lib:
        assert [s.name for s in lib.saved.all()] == ["s"] and lib.get("aaaaaaaaaaaa").note == "keep me"
        assert lib.mutes.queries() == ("diffusion",)


def test_migrates_a_version_3_file_to_mutes_and_follows(paths):
    paths.data.mkdir(parents=True)
    db = sqlite3.connect(paths.library, isolation_level=None)
    db.execute("BEGIN")
    for v in (1, 2, 3):
        MIGRATIONS[v](db)
    db.execute("PRAGMA user_version = 3")
    db.execute("INSERT INTO bookmarks VALUES ('aaaaaaaaaaaa', '2024-08-07T10:00:00.000000Z')")
    db.execute("COMMIT")
    db.close()
    with Library.open(paths) as lib:
        assert lib.notices == [] and lib.get("aaaaaaaaaaaa").bookmarked and lib.follows.all() == []
        follow, new = lib.follows.follow("José García")
        assert new and follow.name == "José García"
        assert lib.follows.follow("jose garcia")[1] is False
    with Library.open(paths) as lib:
        assert [f.name for f in lib.follows.all()] == ["José García"] and lib.follows.keys() == {"jose garcia"}
        assert lib.follows.unfollow("JOSE GARCÍA").name == "José García" and lib.follows.all() == []


def test_a_file_from_a_newer_version_is_left_alone(paths):
    paths.data.mkdir(parents=True)
    db = sqlite3.connect(paths.library)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = paths.library.read_bytes()
    with pytest.raises(LibraryError) as e:
        Library.open(paths)
    assert "newer version" in str(e.value) and "\n" not in str(e.value)
    assert paths.library.read_bytes() == before
    assert not list(paths.data.glob("*.broken-*"))


# --- broken files ------------------------------------------------------------------

def broken_files(paths) -> list[Path]:
    return sorted(p for p in paths.data.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm")))


def test_garbage_file_is_moved_aside_and_a_new_library_works(paths):
    paths.data.mkdir(parents=True)
    garbage = b"this is not sqlite at all\n" * 100
    paths.library.write_bytes(garbage)
    with Library.open(paths) as lib:
        assert len(lib.notices) == 1
        notice = lib.notices[0]
        assert "\n" not in notice and str(paths.library) in notice
        [moved] = broken_files(paths)
        assert moved.name in notice and moved.name.startswith("library.sqlite3.broken-")
        assert moved.read_bytes() == garbage
        lib.set_bookmark("aaaaaaaaaaaa", True)
    with Library.open(paths) as lib:
        assert lib.notices == [] and lib.get("aaaaaaaaaaaa").bookmarked
    # a second broken file never overwrites the first
    paths.library.write_bytes(b"second garbage" * 100)
    for side in ("-wal", "-shm"):
        Path(str(paths.library) + side).unlink(missing_ok=True)
    with Library.open(paths) as lib:
        assert len(lib.notices) == 1
    files = broken_files(paths)
    assert len(files) == 2
    assert {f.read_bytes() for f in files} == {garbage, b"second garbage" * 100}


def test_damaged_library_is_moved_aside_with_its_wal(paths):
    with Library.open(paths) as lib:
        for i in range(300):
            lib.set_note(f"{i:012x}", "words " * 50)
    data = bytearray(paths.library.read_bytes())
    assert len(data) > 8 * 4096
    data[4096 * 2:4096 * 6] = os.urandom(4096 * 4)  # smash pages, keep the header
    paths.library.write_bytes(bytes(data))
    with Library.open(paths) as lib:
        assert len(lib.notices) == 1 and "could not be read" in lib.notices[0]
        assert lib.get("000000000001") is None
        assert lib.integrity_check() == "ok"
    [moved] = broken_files(paths)
    assert moved.read_bytes() == bytes(data)


def test_foreign_sqlite_file_is_moved_aside(paths):
    paths.data.mkdir(parents=True)
    db = sqlite3.connect(paths.library)
    db.execute("CREATE TABLE photos (name TEXT)")
    db.commit()
    db.close()
    with Library.open(paths) as lib:
        assert "not a papers library" in lib.notices[0]
    assert len(broken_files(paths)) == 1


def test_empty_file_becomes_a_library(paths):
    paths.data.mkdir(parents=True)
    paths.library.write_bytes(b"")
    with Library.open(paths) as lib:
        assert lib.notices == []
        lib.set_read("aaaaaaaaaaaa", True)


def test_data_path_that_is_a_file_is_a_one_line_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("a file where the data folder should be")
    with pytest.raises(LibraryError) as e:
        Library.open(Paths.default(home))
    assert "cannot create the data folder" in str(e.value) and "\n" not in str(e.value)


def test_library_path_that_is_a_folder_is_a_one_line_error(paths):
    paths.library.mkdir(parents=True)
    with pytest.raises(LibraryError) as e:
        Library.open(paths)
    assert "folder" in str(e.value) and "\n" not in str(e.value)


def test_full_disk_is_a_one_line_error_and_loses_nothing(lib):
    lib.set_note("aaaaaaaaaaaa", "kept")
    gen = lib.generation()
    pages = lib.db.execute("PRAGMA page_count").fetchone()[0]
    lib.db.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow: as if the disk were full
    with pytest.raises(LibraryError) as e:
        lib.set_note("bbbbbbbbbbbb", "x" * 200_000)
    assert "the disk is full" in str(e.value) and "\n" not in str(e.value)
    assert lib.get("bbbbbbbbbbbb") is None and lib.generation() == gen
    lib.db.execute("PRAGMA max_page_count = 1073741823")
    lib.set_note("bbbbbbbbbbbb", "now it fits")
    assert lib.get("aaaaaaaaaaaa").note == "kept"


OPEN_AND_WRITE = """
import sys
from tui.core.library import Library, LibraryError
from tui.core.paths import Paths
try:
    lib = Library.open(Paths.default(sys.argv[1]))
    lib.set_bookmark("aaaaaaaaaaaa", True)
except LibraryError as e:
    print("LibraryError:", e)
    sys.exit(3)
print("wrote")
"""


OPEN_AND_READ = """
import sys
from tui.core.library import Library
from tui.core.paths import Paths
lib = Library.open(Paths.default(sys.argv[1]))
print(lib.readonly)
print(lib.get("bbbbbbbbbbbb").note)
print(*lib.notices)
"""


@pytest.mark.parametrize("existing", [False, True])
def test_read_only_data_dir_is_a_one_line_error(existing):
    root = Path(tempfile.mkdtemp(prefix="papers-ro-"))
    try:
        root.chmod(0o755)
        paths = Paths.default(root / "home")
        paths.data.mkdir(parents=True)
        for p in (root / "home",):
            p.chmod(0o755)
        if existing:
            with Library.open(paths) as lib:
                lib.set_note("bbbbbbbbbbbb", "already here")
            paths.library.chmod(0o644)
        paths.data.chmod(0o555)
        probe = run_unprivileged(
            "import sys, pathlib; pathlib.Path(sys.argv[1], 'probe').write_text('x')", str(paths.data))
        if probe.returncode == 0:
            pytest.skip("the read-only mode is not enforced for this user")
        res = run_unprivileged(OPEN_AND_WRITE, str(root / "home"))
        assert res.returncode == 3, (res.stdout, res.stderr)
        assert res.stderr == ""  # no traceback
        lines = res.stdout.splitlines()
        assert len(lines) == 1 and "read-only" in lines[0] and str(paths.library) in lines[0]
        if existing:  # what is there can still be read, and says why it cannot change
            res = run_unprivileged(OPEN_AND_READ, str(root / "home"))
            assert res.returncode == 0 and res.stderr == "", (res.stdout, res.stderr)
            readonly, note, notice = res.stdout.splitlines()
            assert readonly == "True" and note == "already here"
            assert "read-only" in notice and str(paths.library) in notice
    finally:
        for p in root.rglob("*"):
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(root)


# --- two processes at once ------------------------------------------------------

WRITER = """
import os, sys, time
from tui.core.library import Library
from tui.core.paths import Paths
home, prefix, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
while not os.path.exists(go):
    time.sleep(0.001)
lib = Library.open(Paths.default(home))
for i in range(n):
    pid = f"{prefix}{i:010x}"
    lib.set_bookmark(pid, True)
    lib.set_note(pid, f"note {prefix} {i}")
    lib.add_tags("shared000000", [f"{prefix}-{i}"])
print(len(lib.bookmarks()), lib.generation(), flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    home = tmp_path / "home"
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), prefix, "200", str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for prefix in ("a1", "b2")]
    time.sleep(0.3)  # both are waiting: they create the library at the same moment
    go.write_text("go")
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        seen, _ = map(int, out.split())
        assert seen >= 200  # its own, and whatever the other had written by then
    with Library.open(Paths.default(home)) as lib:
        assert lib.integrity_check() == "ok"
        marks = lib.bookmarks()
        assert len(marks) == 400
        for prefix in ("a1", "b2"):
            for i in range(200):
                r = lib.get(f"{prefix}{i:010x}")
                assert r.bookmarked and r.note == f"note {prefix} {i}"
        assert len(lib.get("shared000000").tags) == 400  # no lost read-modify-write
        assert lib.generation() == 1200  # 2 x 200 x 3 transactions, one generation each
        assert len(lib.changed_since(0)) == 401


# --- kill -9 --------------------------------------------------------------------

KILLED_WRITER = """
import sys
from tui.core.library import Library
from tui.core.paths import Paths
home, start = sys.argv[1], int(sys.argv[2])
lib = Library.open(Paths.default(home))
i = start
while True:
    pid = f"{i:012x}"
    with lib.batch():
        lib.set_bookmark(pid, True)
        lib.add_tags(pid, [f"t{i % 7}"])
        lib.set_note(pid, f"note {i} " + "x" * (i * 37 % 6000))
    print(pid, flush=True)  # acknowledged: committed before this line
    i += 1
"""

KILL_RUNS = 12


@pytest.mark.slow
def test_kill_9_in_the_middle_of_writes_loses_nothing_acknowledged(tmp_path):
    home = tmp_path / "home"
    paths = Paths.default(home)
    rng = random.Random(20240807)
    acked: list[int] = []
    runs_with_acks = 0
    for run in range(KILL_RUNS):
        start = run * 1_000_000
        child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(home), str(start)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # the first runs are killed early (starting up, creating the library), the others
        # mid-writes: once the first write is acknowledged (however slow the start on a busy
        # machine), after a random further while
        first = ""
        if run < 3:
            time.sleep(rng.uniform(0.03, 0.15))
        else:
            first = child.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.45))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        ids = [int(line, 16) for line in (first + out).split("\n") if re.fullmatch(r"[0-9a-f]{12}", line)]
        if run >= 3:
            assert ids, f"run {run}: the writer never acknowledged a write"
        runs_with_acks += bool(ids)
        acked += ids
        if not paths.library.exists():  # killed before it got that far
            assert not ids
            continue
        db = sqlite3.connect(paths.library)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        with Library.open(paths) as lib:
            assert lib.notices == []  # never mistaken for a broken file
            recs = lib.records([f"{i:012x}" for i in acked])
            missing = [i for i in acked if f"{i:012x}" not in recs]
            assert not missing, f"run {run}: acknowledged writes lost: {missing[:5]}"
            for i in ids:
                r = recs[f"{i:012x}"]
                assert r.bookmarked and r.tags == (f"t{i % 7}",) and r.note.startswith(f"note {i} ")
    assert runs_with_acks >= KILL_RUNS - 3  # every run killed mid-writes had acknowledged some
    print(f"kill -9: {KILL_RUNS} runs survived, {len(acked)} acknowledged writes all present")


def test_core_imports_neither_textual_nor_whoosh():
    code = ("import sys, tui.core.library, tui.core.export; "
            "import tui.core.library.rules, tui.core.library.models, tui.core.library.migrations, "
            "tui.core.library.db, tui.core.library.records, tui.core.library.saved_searches, tui.core.library.visits, "
            "tui.core.library.transfer; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'whoosh')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def test_skips_are_kept_cleared_and_survive_a_reopen(paths):
    with Library.open(paths) as lib:
        lib.visits.record_skip("a1")
        lib.visits.record_skip("b2")
        lib.visits.record_skip("a1")  # skipped again: one skip
        assert sorted(lib.visits.skipped_ids()) == ["a1", "b2"]
        assert lib.visits.clear_skip("b2") and not lib.visits.clear_skip("zz")
    with Library.open(paths) as lib:
        assert lib.visits.skipped_ids() == ["a1"]


def test_skips_travel_with_the_export_and_a_bad_one_is_refused(paths, tmp_path):
    with Library.open(paths) as lib:
        lib.visits.record_skip("aaaaaaaaaaaa")
        lib.visits.record_skip("bbbbbbbbbbbb")
        data = lib.transfer.export_json()
    assert [s["paper_id"] for s in data["skips"]] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]
    other = Paths.default(tmp_path / "other")
    with Library.open(other) as lib:
        lib.visits.record_skip("bbbbbbbbbbbb")  # skipped here already: its own time stays
        kept = lib.db.read("SELECT skipped_at FROM skips")[0][0]
        lib.transfer.import_json(data)
        assert sorted(lib.visits.skipped_ids()) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]
        assert lib.db.read("SELECT skipped_at FROM skips WHERE paper_id='bbbbbbbbbbbb'")[0][0] == kept
        bad = dict(data, skips=[{"paper_id": "x\u0007", "skipped_at": "2026-01-01"}])
        with pytest.raises(ImportFormatError, match=r"skips\[0\]: not a paper id"):
            lib.transfer.import_json(bad)
        assert lib.transfer.import_json(dict(data, version=3, skips=[])) is not None  # an older export imports
