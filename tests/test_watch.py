"""Digests that arrive by themselves (papers add -, watched folders) and watches:
saved searches that tag the new papers they match."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import api_digest, run_unprivileged, text_digest
from tui.core.config import Config, add_watched, load_config, load_watched, remove_watched
from tui.core.digest import DigestError
from tui.core.index import Index
from tui.core.library import Library
from tui.core.paths import Paths
from tui.core.watch import (
    apply_watches, import_watched, matching_ids, new_paper_ids, store_digest, write_new,
)

ATTENTION = "Attention Is Not All You Need Anymore"  # in a bundled digest


def digest(*titles: str, label: str = "Aug 8") -> str:
    return text_digest(list(titles), label=label)


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


# --- papers add - ------------------------------------------------------------------

def test_store_digest_names_by_format_and_never_overwrites(paths):
    dest, d = store_digest(paths, digest("One Paper", "Two Paper").encode(), "today")
    assert dest == paths.digests / "today.txt" and len(d.entries) == 2 and d.name == "today"
    api = api_digest([{"id": "2408.00001", "title": "An API Paper"}]).encode()
    dest2, d2 = store_digest(paths, api, "api.txt")  # the content decides the suffix
    assert dest2.name == "api.json" and d2.format == "json"
    before = files(paths.digests)
    for name in ("today", "TODAY", "today.json", "api"):  # the name is taken, whatever the suffix
        with pytest.raises(FileExistsError) as e:
            store_digest(paths, digest("Another").encode(), name)
        assert Path(e.value.filename).parent == paths.digests
    assert files(paths.digests) == before


def test_store_digest_default_name_and_refusals(paths):
    dest, _ = store_digest(paths, digest("A Paper").encode())
    assert dest.stem.startswith("stdin-") and len(dest.stem) == len("stdin-20240807-120000")
    before = files(paths.digests)
    for bad in (b"", b"just a line\n", b"\x00\x01binary", b"\xff\xfe\x00a", b"[{broken json"):
        with pytest.raises(DigestError) as e:
            store_digest(paths, bad, "bad")
        assert str(e.value).startswith("<stdin>: ") and "\n" not in str(e.value)
    for name in ("", "../x", "a/b", ".hidden", "bell\x07", "x" * 121):
        with pytest.raises(ValueError):
            store_digest(paths, digest("A Paper").encode(), name)
    assert files(paths.digests) == before


def test_write_new_never_replaces(tmp_path):
    target = tmp_path / "d.txt"
    write_new(target, b"first")
    with pytest.raises(FileExistsError):
        write_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["d.txt"]  # no temporary file left


# --- the watched-folders file ----------------------------------------------------------

def test_watched_file_keeps_comments_and_other_lines(paths, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    wf = paths.watched_file
    wf.parent.mkdir(parents=True)
    wf.write_text("# my folders\n\n~/nowhere-papers-test\n")
    assert add_watched(wf, a) and not add_watched(wf, str(a) + "/")
    assert add_watched(wf, b)
    assert wf.read_text() == f"# my folders\n\n~/nowhere-papers-test\n{a.resolve()}\n{b.resolve()}\n"
    folders, problems = load_watched(wf)
    assert folders == [Path("~/nowhere-papers-test").expanduser().resolve(), a.resolve(), b.resolve()]
    assert problems == []
    assert remove_watched(wf, a) and not remove_watched(wf, a)
    assert wf.read_text() == f"# my folders\n\n~/nowhere-papers-test\n{b.resolve()}\n"
    cfg = load_config(paths.config_file)  # config.toml missing: defaults, and the folders beside it
    assert cfg.watched == [Path("~/nowhere-papers-test").expanduser().resolve(), b.resolve()]
    assert not list(wf.parent.glob(".*tmp"))


def test_a_fresh_watched_file_gets_a_header_and_a_missing_one_is_empty(paths, tmp_path):
    assert load_watched(paths.watched_file) == ([], [])
    add_watched(paths.watched_file, tmp_path)
    lines = paths.watched_file.read_text().splitlines()
    assert lines[0].startswith("#") and lines[-1] == str(tmp_path.resolve())
    assert load_watched(paths.watched_file)[0] == [tmp_path.resolve()]


# --- import_watched ---------------------------------------------------------------------

@pytest.fixture
def drop(tmp_path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


def watching(*folders: Path) -> Config:
    return Config(watched=list(folders))


def origins(paths) -> dict:
    return json.loads(paths.watch_origins.read_text())["files"]


def test_new_files_are_copied_once_and_changes_replace_the_copy(paths, drop):
    (drop / "aug8.txt").write_text(digest("Paper One"))
    (drop / "notes.pdf").write_text("not a digest suffix")
    (drop / ".partial.txt").write_text("hidden")
    r = import_watched(paths, watching(drop))
    assert r.copied == ("aug8.txt",) and r.updated == () and r.problems == ()
    assert files(paths.digests) == {"aug8.txt": digest("Paper One")}
    assert origins(paths)[str(drop / "aug8.txt")]["dest"] == "aug8.txt"
    stamp = paths.watch_origins.stat().st_mtime_ns
    again = import_watched(paths, watching(drop))
    assert (again.copied, again.updated, again.problems) == ((), (), ())
    assert paths.watch_origins.stat().st_mtime_ns == stamp  # nothing changed: nothing written
    (drop / "aug8.txt").write_text(digest("Paper One", "Paper Two"))
    r = import_watched(paths, watching(drop))
    assert r.updated == ("aug8.txt",) and r.copied == ()
    assert files(paths.digests) == {"aug8.txt": digest("Paper One", "Paper Two")}


def test_a_users_digest_of_the_same_name_is_never_overwritten(paths, drop):
    paths.digests.mkdir(parents=True)
    (paths.digests / "aug8.txt").write_text(digest("Added By Hand"))
    (drop / "aug8.txt").write_text(digest("From The Watched Folder"))
    r = import_watched(paths, watching(drop))
    assert r.copied == ("aug8-2.txt",)
    assert files(paths.digests) == {"aug8.txt": digest("Added By Hand"),
                                    "aug8-2.txt": digest("From The Watched Folder")}
    (drop / "aug8.txt").write_text(digest("From The Watched Folder", "Later"))
    assert import_watched(paths, watching(drop)).updated == ("aug8-2.txt",)  # its own copy is updated
    assert (paths.digests / "aug8.txt").read_text() == digest("Added By Hand")


def test_a_copy_the_user_edited_is_left_alone(paths, drop):
    (drop / "d.txt").write_text(digest("Original"))
    import_watched(paths, watching(drop))
    (paths.digests / "d.txt").write_text(digest("Original", "My Own Addition"))
    (drop / "d.txt").write_text(digest("Original", "Upstream Addition"))
    r = import_watched(paths, watching(drop))
    assert r.copied == ("d-2.txt",) and r.updated == ()
    assert files(paths.digests) == {"d.txt": digest("Original", "My Own Addition"),
                                    "d-2.txt": digest("Original", "Upstream Addition")}


def test_same_bytes_are_not_copied_twice_and_a_deleted_copy_stays_deleted(paths, drop, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (drop / "d.txt").write_text(digest("Shared"))
    (other / "copy-of-d.txt").write_text(digest("Shared"))
    r = import_watched(paths, watching(drop, other))
    assert r.copied == ("d.txt",) and list(files(paths.digests)) == ["d.txt"]
    (paths.digests / "d.txt").unlink()  # the user removed it
    assert import_watched(paths, watching(drop, other)).copied == ()
    assert files(paths.digests) == {}
    (drop / "d.txt").write_text(digest("Shared", "New Upstream"))
    assert import_watched(paths, watching(drop, other)).copied == ("d.txt",)


def test_bad_files_and_folders_are_one_line_each_and_copy_nothing(paths, drop, tmp_path):
    (drop / "bad.txt").write_bytes(b"\xff\xfe\x00x")
    (drop / "empty.json").write_text("")
    (drop / "good.txt").write_text(digest("Fine Paper"))
    gone = tmp_path / "gone"
    r = import_watched(paths, watching(drop, gone, paths.digests))
    assert r.copied == ("good.txt",)
    assert len(r.problems) == 4 and all("\n" not in p for p in r.problems)
    assert any(str(drop / "bad.txt") in p and "UTF-16" in p for p in r.problems)
    assert any(str(drop / "empty.json") in p and "empty" in p for p in r.problems)
    assert any(str(gone) in p and "does not exist" in p for p in r.problems)
    assert any("digests folder itself" in p for p in r.problems)
    again = import_watched(paths, watching(drop))  # each bad file was said once
    assert again.problems == ()
    (drop / "bad.txt").write_text(digest("Fixed Now"))
    assert import_watched(paths, watching(drop)).copied == ("bad.txt",)
    assert set(files(paths.digests)) == {"good.txt", "bad.txt"}


def test_a_file_that_is_not_a_digest_is_reported_once_per_version(paths, drop):
    notes = drop / "notes.md"
    notes.write_text("Digests saved from the Daily Papers page, one file a day.\n")
    first = import_watched(paths, watching(drop)).problems
    assert len(first) == 1 and str(notes) in first[0]
    assert import_watched(paths, watching(drop)).problems == ()  # the next start: nothing said
    os.utime(notes, ns=(notes.stat().st_atime_ns, notes.stat().st_mtime_ns + 10**9))
    assert import_watched(paths, watching(drop)).problems == ()  # touched, not changed
    notes.write_text("Still not a digest, but longer than it was.\n")
    changed = import_watched(paths, watching(drop)).problems
    assert len(changed) == 1 and str(notes) in changed[0]
    assert import_watched(paths, watching(drop)).problems == ()
    assert files(paths.digests) == {}
    assert origins(paths)[str(notes)]["error"] == changed[0]  # remembered with the version seen


def test_a_damaged_origins_file_is_moved_aside(paths, drop):
    (drop / "d.txt").write_text(digest("A Paper"))
    paths.data.mkdir(parents=True)
    paths.watch_origins.write_text("{ not json")
    r = import_watched(paths, watching(drop))
    assert r.copied == ("d.txt",) and len(r.problems) == 1 and "moved to" in r.problems[0]
    assert [p.read_text() for p in paths.data.glob("watched-origins.json.broken-*")] == ["{ not json"]
    assert str(drop / "d.txt") in origins(paths)


def test_no_watched_folders_touches_nothing(paths):
    assert import_watched(paths, watching()) == import_watched(paths, Config())
    assert not paths.data.exists()


IMPORT_WATCHED = """
import sys
from pathlib import Path
from tui.core.config import Config
from tui.core.paths import Paths
from tui.core.watch import import_watched
r = import_watched(Paths.default(sys.argv[1]), Config(watched=[Path(sys.argv[2])]))
print(len(r.copied)); print(*r.problems, sep="\\n")
"""


def test_a_read_only_data_folder_is_a_problem_not_a_crash():
    root = Path(tempfile.mkdtemp(prefix="papers-ro-"))
    try:
        root.chmod(0o755)
        drop, home = root / "drop", root / "home"
        drop.mkdir(mode=0o755)
        (drop / "d.txt").write_text(digest("A Paper"))
        (drop / "d.txt").chmod(0o644)
        Paths.default(home).digests.mkdir(parents=True)
        for p in (home, home / "data", home / "data" / "digests"):
            p.chmod(0o555)
        probe = run_unprivileged(
            "import sys, pathlib; pathlib.Path(sys.argv[1], 'probe').write_text('x')", str(home / "data"))
        if probe.returncode == 0:
            pytest.skip("the read-only mode is not enforced for this user")
        res = run_unprivileged(IMPORT_WATCHED, str(home), str(drop))
        assert res.returncode == 0 and res.stderr == "", (res.stdout, res.stderr)
        copied, problem = res.stdout.splitlines()
        assert copied == "0" and "cannot import from watched folders" in problem and "denied" in problem
        assert not list((home / "data" / "digests").iterdir())
    finally:
        for p in root.rglob("*"):
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(root)


# --- watches ---------------------------------------------------------------------------

def add_user_digest(paths, name: str, text: str) -> None:
    paths.digests.mkdir(parents=True, exist_ok=True)
    (paths.digests / name).write_text(text)


def test_watches_tag_only_new_matching_papers_once(paths):
    lib = Library.open(paths)
    index, report = Index.open(paths, library=lib)
    assert report.rebuilt and new_paper_ids(index, report) == []  # a first build: nothing is new
    lib.save_search("Robots", "diffusion robot", watch=True)
    lib.save_search("zebra", "diffusion zebra", watch=True)  # no paper has both words
    lib.save_search("off", "diffusion", watch=False)
    lib.save_search("attention", "attention", watch=True)
    index.close()
    add_user_digest(paths, "aug8.txt", digest(
        "Diffusion Policies for Robot Manipulation", "Robot Diffusion at Scale", "A Study of Tokenizers",
        ATTENTION))  # the last one is known from a bundled digest: not new
    index, report = Index.open(paths, library=lib)
    try:
        assert report.added == ["aug8"]
        new = new_paper_ids(index, report)
        titles = {pid: index.get(pid).title for pid in new}
        assert sorted(titles.values()) == ["A Study of Tokenizers", "Diffusion Policies for Robot Manipulation",
                                           "Robot Diffusion at Scale"]
        assert sorted(index.get(pid).title for pid in matching_ids(index, "diffusion robot", new)) == [
            "Diffusion Policies for Robot Manipulation", "Robot Diffusion at Scale"]
        assert matching_ids(index, "diffusion zebra", new) == []  # strict: not "some of the words"
        found = apply_watches(index, lib, new)
        assert [name for name, _ in found] == ["robots"]
        robots = found[0][1]
        assert sorted(titles[pid] for pid in robots) == [
            "Diffusion Policies for Robot Manipulation", "Robot Diffusion at Scale"]
        assert all(lib.get(pid).tags == ("watch:robots",) for pid in robots)
        assert lib.get(robots[0]).snapshot.title == titles[robots[0]]  # remembered like any tagged paper
        assert all(s.checked_at for s in lib.saved_searches() if s.watch)
        assert lib.saved_search("off").checked_at is None
        index.catch_up(lib)
        assert sorted(h.id for h in index.search("tag:watch:robots").hits) == sorted(robots)
        assert apply_watches(index, lib, new) == []  # again: nothing new to announce
    finally:
        index.close()
    index, report = Index.open(paths, library=lib, rebuild=True)
    try:
        assert new_paper_ids(index, report) == []  # a rebuild re-adds everything: nothing is new
    finally:
        index.close()
        lib.close()


def test_changed_digest_brings_its_new_papers(paths):
    lib = Library.open(paths)
    add_user_digest(paths, "live.txt", digest("Old Robot Paper"))
    Index.open(paths, library=lib)[0].close()
    lib.save_search("robots", "robot", watch=True)
    add_user_digest(paths, "live.txt", digest("Old Robot Paper", "New Robot Paper"))
    index, report = Index.open(paths, library=lib)
    try:
        assert report.changed == ["live"]
        found = apply_watches(index, lib, new_paper_ids(index, report))
        # every paper of a changed digest that is in no other digest is a candidate (the index
        # keeps no record of which of them it had before); the old one had never been looked at
        # by this watch, so it is tagged too -- once
        assert [(name, sorted(index.get(pid).title for pid in ids)) for name, ids in found] == [
            ("robots", ["New Robot Paper", "Old Robot Paper"])]
        assert apply_watches(index, lib, new_paper_ids(index, report)) == []
    finally:
        index.close()
        lib.close()


def test_watch_modules_import_no_textual():
    code = ("import sys, tui.core.watch, tui.core.config; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'whoosh')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
