"""What a user, a file or a server hands the command line, and what it
prints back: text that cannot be encoded, arguments that are not UTF-8,
names with control characters, notes beyond any real one, state files of
unexpected shapes, inputs without a bound, and the modes of what papers
creates. Each is refused in one line or cleaned; none ends in a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from helpers import item
from tui.core import fetch as F

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 8, 10, 15, 30, tzinfo=timezone.utc)


def papers(home: Path, *args, stdin: bytes | None = None, timeout: float = 120,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """``papers ARGS`` in a child process; ``args`` may be bytes (what a shell
    passes on, UTF-8 or not)."""
    env = {**os.environ, "PAPERS_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {})}
    argv = [os.fsencode(sys.executable), b"-m", b"tui", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    return subprocess.run(argv, capture_output=True, env=env, input=stdin, timeout=timeout)


def one_line_error(r: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with exit 2 and one line on stderr naming ``words``."""
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# --- 1: text that cannot be encoded, at every door ------------------------------------------

def test_an_api_item_with_a_lone_surrogate_is_saved_and_later_days_fetched(paths, api):
    bad = item("2025-08-07", 1, title="Lone \ud800 Fetched")
    api.days["2025-08-07"] = [bad, item("2025-08-07", 2)]
    api.days["2025-08-08"] = [item("2025-08-08", 1)]
    report = F.fetch(paths, [date(2025, 8, 7), date(2025, 8, 8)], base_url=api.base_url,
                     sleep=lambda s: None, clock=lambda: NOW)
    assert {d.day.isoformat(): d.status for d in report.days} == {"2025-08-07": "new", "2025-08-08": "new"}
    from tui.core.digest import parse_file

    d = parse_file(paths.digests / F.day_file_name(date(2025, 8, 7)))
    assert [e.title for e in d.entries][0] == "Lone \ufffd Fetched"


# --- the command line's own doors -------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A data dir with the bundled digests indexed once; each test gets a copy."""
    from tui.cli import main

    home = tmp_path_factory.mktemp("built") / "home"
    assert main(["--data-dir", str(home), "digests"]) == 0
    return home


@pytest.fixture
def home(built, tmp_path, capsys) -> Path:
    import shutil

    dst = tmp_path / "home"
    shutil.copytree(built, dst)
    capsys.readouterr()
    return dst


def cli(capsys, home: Path, *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(["--data-dir", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def a_paper(capsys, home: Path) -> str:
    code, out, err = cli(capsys, home, "search", "attention", "--json", "--limit", "1")
    assert code == 0, err
    return json.loads(out)[0]["id"]


# --- 2: arguments that are not UTF-8 ----------------------------------------------------------

NOT_UTF8 = os.fsdecode(b"x\xff")  # what Python makes of the bytes a shell passes on


@pytest.mark.parametrize("argv, named", [
    (["note", "{id}", NOT_UTF8], "TEXT"),
    (["tag", "{id}", "fine", NOT_UTF8], "TAG"),
    (["bookmark", "{id}", "--tag", NOT_UTF8], "--tag"),
    (["saved", "add", NOT_UTF8, "attention"], "NAME"),
    (["saved", "add", "name", NOT_UTF8], "QUERY"),
    (["saved", "run", NOT_UTF8], "NAME"),
    (["search", "attention", NOT_UTF8], "QUERY"),
    (["note", NOT_UTF8], "ID"),
    (["add", "-", "--name", NOT_UTF8], "--name"),
])
def test_an_argument_that_is_not_utf8_is_refused_naming_it(capsys, home, argv, named):
    pid = a_paper(capsys, home)
    before = cli(capsys, home, "export", "--format", "json")[1]
    code, out, err = cli(capsys, home, *(a.replace("{id}", pid) for a in argv))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines == [f"papers: {named} 'x\\xff' is not UTF-8 text; nothing was done"], err
    after = cli(capsys, home, "export", "--format", "json")[1]
    assert json.loads(after)["papers"] == json.loads(before)["papers"]  # nothing changed


def test_an_argument_that_is_not_utf8_from_a_shell_is_one_line_never_a_traceback(tmp_path):
    home = tmp_path / "home"
    for argv in ([b"note", b"f1395d8ca5ef", b"x\xff"], [b"tag", b"f1395d8ca5ef", b"t\xff"],
                 [b"saved", b"add", b"n\xff", b"attention"]):
        r = papers(home, *argv)
        one_line_error(r, "is not UTF-8 text")


# --- 1: imports, notes, tags and names of saved searches --------------------------------------

def test_an_import_holding_lone_surrogates_is_cleaned_and_a_bad_id_named(capsys, home, tmp_path):
    pid = a_paper(capsys, home)
    doc = {"format": "papers-library", "version": 2,
           "papers": [{"id": pid, "note": "a \ud800 b", "tags": ["x\udcff"],
                       "snapshot": {"title": "T \ud800", "authors": ["A \ud800"], "labels": ["L\ud800"]}}],
           "saved_searches": [{"name": "s\ud800", "query": "q \ud800"}]}
    f = tmp_path / "lone.json"
    f.write_text(json.dumps(doc), encoding="ascii")  # "\ud800" as JSON writes it
    code, out, err = cli(capsys, home, "import", str(f))
    assert code == 0, err
    code, out, err = cli(capsys, home, "export", "--format", "json")
    got = json.loads(out)
    assert got["papers"][0]["note"] == "a \ufffd b" and got["papers"][0]["tags"] == ["x\ufffd"]
    assert [(s["name"], s["query"]) for s in got["saved_searches"]] == [("s\ufffd", "q \ufffd")]
    doc["papers"][0]["id"] = "abc\ud800"
    f.write_text(json.dumps(doc), encoding="ascii")
    code, out, err = cli(capsys, home, "import", str(f))
    assert code == 2 and err.count("\n") == 1 and "papers[0].id: not a paper id" in err, err


def test_the_library_cleans_what_it_is_given_that_cannot_be_encoded(paths):
    from tui.core.library import Library

    lib = Library.open(paths)
    try:
        lib.set_note("0123456789ab", "note \udcff here")
        lib.add_tags("0123456789ab", ["t\ud800"])
        lib.saved.save("n\ud800", "q \udcff")
        rec = lib.get("0123456789ab")
        assert rec.note == "note \ufffd here" and rec.tags == ("t\ufffd",)
        assert [(s.name, s.query) for s in lib.saved.all()] == [("n\ufffd", "q \ufffd")]
    finally:
        lib.close()


# --- 3: names printed by the command line ------------------------------------------------------

EVIL = "evil\x1b]52;c;aGk=\x07\nname\x9b31m\u202e"  # OSC 52 (the clipboard), a newline, 8-bit CSI, a bidi override


def clean_output(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\u202e"), repr(text)


def test_a_digest_named_with_escape_sequences_is_printed_clean_everywhere(capsys, home, tmp_path):
    from helpers import text_digest

    src = tmp_path / "src"
    src.mkdir()
    (src / f"{EVIL}.txt").write_text(text_digest(["Zebrafish Genomics At Scale", "Another Zebra Paper"], label=None))
    (src / f"{EVIL}-broken.json").write_text("[{broken")
    for argv in (["add", str(src), "--dry-run"], ["add", str(src)], ["search", "zebrafish"], ["digests"]):
        code, out, err = cli(capsys, home, *argv)
        assert code in (0, 2) and "Traceback" not in err
        clean_output(out + err)
        assert "evil name" in out + err, (argv, out, err)  # named, without its escapes, on one line
    lines = out.splitlines()
    assert len(lines) == 1 + 5 + 1, out  # header, the four bundled digests and the one added, the totals
    row = next(line for line in lines if line.startswith("evil name"))
    assert row.split()[-1] == "user" and " 2 " in row


def test_a_skipped_digest_is_named_on_one_clean_line(capsys, home):
    from tui.core.paths import Paths

    folder = Paths.default(home).digests
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{EVIL}.json").write_text("[{broken")
    code, out, err = cli(capsys, home, "digests")
    assert code == 0
    clean_output(out + err)
    skipped = [line for line in err.splitlines() if "skipped" in line]
    assert len(skipped) == 1 and "/evil name.json: invalid JSON" in skipped[0], err


@pytest.mark.parametrize("argv, words", [
    (["add", "-", "--name", "a\x1b]52;c;aGk=\x07b"], "--name"),
    (["add", "-", "--name", "a\x9bb"], "--name"),
    (["add", "-", "--name", "a\u202eb"], "--name"),
    (["saved", "add", "a\x1b[31mb", "attention"], "saved search name"),
    (["saved", "add", "a\x9bb", "attention"], "saved search name"),
])
def test_names_with_control_characters_are_refused_where_the_user_chooses_them(capsys, home, monkeypatch,
                                                                                argv, words):
    import io

    from helpers import text_digest

    data = text_digest(["A Title Of Its Own"]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = cli(capsys, home, *argv)
    assert code == 2 and out == "", (out, err)
    assert err.count("\n") == 1 and words in err and "control characters" in err, err
    clean_output(err)
    code, out, err = cli(capsys, home, "saved", "--json")
    assert json.loads(out) == []
    assert not list(__import__("tui.core.paths", fromlist=["Paths"]).Paths.default(home).digests.glob("a*"))


# --- 9: small state files of unexpected shapes --------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000  # past the JSON parser's recursion limit

SHAPES = {
    "deeply nested": DEEP,
    "a list": "[1, 2, 3]",
    "a string": '"state"',
    "not JSON": "{not json",
    "not UTF-8": b"\xff\xfe{}",
    "a FIFO": None,
    "an object of the wrong kinds": '{"format": 1, "version": [], "days": [], "files": "x", "theme": [], "bundled": 3}',
}


def _write(path: Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".broken-*"))


@pytest.mark.parametrize("shape", SHAPES)
def test_read_state_sets_aside_a_file_of_any_unexpected_shape(tmp_path, shape):
    from tui.core.fsio import read_state

    path = tmp_path / "s.json"
    if SHAPES[shape] is None:
        os.mkfifo(path)  # opened, it would wait for a writer for ever
    else:
        _write(path, SHAPES[shape])

    def of(doc):
        if not isinstance(doc, dict) or not isinstance(doc.get("days"), dict):
            raise ValueError("not a record")
        return doc

    problems: list[str] = []
    assert read_state(path, of, problems, "starting afresh") is None
    assert len(problems) == 1 and "could not be read" in problems[0] and problems[0].endswith("starting afresh")
    aside = _set_aside(path)
    assert not path.exists() and len(aside) == 1 and aside[0].name in problems[0]
    if SHAPES[shape] is not None:
        assert aside[0].read_bytes() == (SHAPES[shape] if isinstance(SHAPES[shape], bytes) else SHAPES[shape].encode())


@pytest.mark.parametrize("shape", ["deeply nested", "a list", "an object of the wrong kinds"])
def test_every_command_survives_state_files_of_unexpected_shapes(tmp_path, api, shape):
    """watched-origins.json, fetched.json and the config's last good record of
    an unexpected shape: set aside with one line each, rebuilt, never a traceback."""
    from tui.core.config import LAST_GOOD_FILE
    from tui.core.paths import Paths

    home = tmp_path / "home"
    paths = Paths.default(home)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "d.txt").write_text("Aug 9\n\nA Paper About Zebrafish Genomics\n\nThis abstract studies zebrafish. "
                                "More words here.\n")
    assert papers(home, "watch", str(drop)).returncode == 0
    last_good = paths.config_file.with_name(LAST_GOOD_FILE)
    for f in (paths.watch_origins, paths.fetch_state, last_good):
        _write(f, SHAPES[shape])
    _write(paths.config_file, "[app]\nbundled = true\n")
    for argv in (["digests"], ["search", "zebrafish"], ["fetch", "--dry-run"], ["bookmarks"], ["saved"]):
        r = papers(home, *argv, env={"PAPERS_API_URL": api.base_url})  # never the network
        err = r.stderr.decode()
        assert r.returncode == 0 and "Traceback" not in err, (argv, err)
    for f in (paths.watch_origins, last_good):
        assert len(_set_aside(f)) == 1, (f, err)
    assert json.loads(last_good.read_text()) == {"bundled": True}  # rebuilt
    assert str(drop / "d.txt") in json.loads(paths.watch_origins.read_text())["files"]  # rebuilt
    # fetch, the record's owner, sets it aside and starts a new one (a dry run only says so)
    api.days["2025-08-08"] = [item("2025-08-08", 1)]
    report = F.fetch(paths, [date(2025, 8, 8)], base_url=api.base_url, sleep=lambda s: None, clock=lambda: NOW)
    assert len(report.problems) == 1 and "could not be read" in report.problems[0], report.problems
    assert len(_set_aside(paths.fetch_state)) == 1
    assert "2025-08-08" in json.loads(paths.fetch_state.read_text())["days"]
    r = papers(home, "digests")
    assert r.returncode == 0 and "could not be read" not in r.stderr.decode(), r.stderr.decode()


@pytest.mark.parametrize("shape", ["deeply nested", "a list", "an object of the wrong kinds"])
async def test_the_reader_starts_beside_a_settings_file_of_another_shape(paths, bundled_index, shape):
    from helpers import SIZE, ready
    from tui.app import PapersApp

    _write(paths.state_file, SHAPES[shape])
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        said = [n.message for n in app._notifications if "could not be read" in n.message]
        assert len(said) == 1 and str(paths.state_file) in said[0], said
        app.theme = "nord"
        await pilot.pause(0.1)
    assert json.loads(paths.state_file.read_text())["theme"] == "nord"
    assert len(_set_aside(paths.state_file)) == 1


# --- 10: reads with a bound ----------------------------------------------------------------------

class Endless(__import__("io").RawIOBase):
    """``yes`` on stdin: as many bytes as asked for, until ``cap`` (then the
    test fails rather than fill the memory)."""

    def __init__(self, cap: int):
        self.served, self.cap = 0, cap

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.served >= self.cap:
            raise AssertionError(f"read {self.served} bytes of an endless stdin")
        n = min(len(b), self.cap - self.served)
        b[:n] = b"y\n" * (n // 2) + b"y" * (n % 2)
        self.served += n
        return n


def test_add_from_an_endless_stdin_reads_one_byte_past_the_limit(capsys, home, monkeypatch):
    import io

    from tui.core.digest import MAX_BYTES

    raw = Endless(MAX_BYTES + 2 * 1024 * 1024)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
    code, out, err = cli(capsys, home, "add", "-")
    assert code == 2 and "too large for a digest" in err and err.count("\n") == 1, err
    assert raw.served <= MAX_BYTES + 1 + 64 * 1024  # the limit, one byte, and a buffer's worth at most


def test_add_refuses_a_fifo_or_a_device_instead_of_waiting_for_ever(tmp_path):
    fifo = tmp_path / "digest.txt"
    os.mkfifo(fifo)
    home = tmp_path / "home"
    for target in (fifo, Path("/dev/zero")):
        r = papers(home, "add", str(target), timeout=60)
        err = r.stderr.decode()
        assert r.returncode == 2 and "Traceback" not in err, err
        assert f"{target}: is not a regular file" in err, err
    r = papers(home, "add", str(fifo), "--dry-run", timeout=60)
    assert r.returncode == 2 and "is not a regular file" in r.stderr.decode()


# --- 6: notes have a limit, and what is shown of one is bounded -----------------------------------

def test_a_note_past_one_megabyte_is_refused_by_the_library(paths):
    from tui.core.library import MAX_NOTE_BYTES, Library, NoteTooLong

    lib = Library.open(paths)
    try:
        assert lib.set_note("0123456789ab", "n" * MAX_NOTE_BYTES)  # at the limit: kept
        for text in ("n" * (MAX_NOTE_BYTES + 1), "é" * (MAX_NOTE_BYTES // 2 + 1), "x" * 10_000_000):
            with pytest.raises(NoteTooLong, match=r"longer than a note may be \(1\.0 MB\); nothing was saved"):
                lib.set_note("0123456789ab", text)
        assert len(lib.get("0123456789ab").note) == MAX_NOTE_BYTES  # unchanged
    finally:
        lib.close()


def test_a_note_past_the_limit_is_refused_at_the_command_line_and_on_import(capsys, home, monkeypatch, tmp_path):
    import io

    from tui.core.library import MAX_NOTE_BYTES

    pid = a_paper(capsys, home)
    raw = Endless(MAX_NOTE_BYTES * 10)  # `yes | papers note ID -`
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
    code, out, err = cli(capsys, home, "note", pid, "-")
    assert code == 2 and err.count("\n") == 1 and "longer than a note may be (1.0 MB)" in err, err
    assert raw.served <= MAX_NOTE_BYTES + 1 + 64 * 1024
    doc = {"format": "papers-library", "version": 2, "papers": [{"id": pid, "note": "x" * (2 * MAX_NOTE_BYTES)}]}
    (tmp_path / "big.json").write_text(json.dumps(doc))
    code, out, err = cli(capsys, home, "import", str(tmp_path / "big.json"))
    assert code == 2 and err.count("\n") == 1, err
    assert "papers[0].note: a note of 2.0 MB is longer than a note may be (1.0 MB); nothing was imported" in err, err
    code, out, err = cli(capsys, home, "note", pid)
    assert out == "" and "no note" in err


async def test_an_older_ten_megabyte_note_is_listed_and_opened_quickly(paths, bundled_index):
    """A note saved before the limit (10 MB): the Notes pane lists it, the
    details show its start and say it goes on, and n says how to edit it
    instead of loading it into the editor (161 s to list, 34 s to open the
    editor before, at a load of 6-7)."""
    import time

    from helpers import SIZE, SWIN, details, ready, settle
    from tui.app import PapersApp
    from tui.core.library import Library
    from tui.core.papers import paper_id

    note = ("word " * 12 + "\n") * (10_000_000 // 61)
    with Library.open(paths) as lib:
        with lib.papers.db.batch():  # as an older papers saved it
            lib.papers.db.execute("INSERT INTO notes (paper_id, text, updated_at, created_at) VALUES (?,?,?,?)",
                                  (paper_id(SWIN), note, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"))
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        t0 = time.perf_counter()
        await pilot.press("3")
        await settle(app, pilot)
        assert app.query_one("#notes").ids == [paper_id(SWIN)]
        await pilot.press("enter")
        await settle(app, pilot)
        shown = details(app)
        assert "the note holds 9,999,974 characters; papers note ID prints it whole" in shown
        assert len(shown) < 40_000
        await pilot.press("n")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "MainScreen"
        said = [n.message for n in app._notifications if "longer than a note may be" in n.message]
        assert said and "e edits it in your editor" in said[0]
        assert time.perf_counter() - t0 < 20, time.perf_counter() - t0


# --- 11: what papers creates is its user's alone ------------------------------------------------

def test_the_library_notes_exports_and_folders_are_private_under_umask_022(tmp_path, api):
    import stat

    from tui.core.paths import Paths

    home = tmp_path / "home"
    paths = Paths.default(home)
    old = os.umask(0o022)
    try:
        def run(*argv):
            r = subprocess.run([sys.executable, "-m", "tui", *argv], capture_output=True, timeout=120,
                               env={**os.environ, "PAPERS_HOME": str(home), "PYTHONPATH": str(ROOT),
                                    "PAPERS_API_URL": api.base_url})
            assert r.returncode == 0, r.stderr.decode()
            return r

        pid = json.loads(run("search", "attention", "--json", "--limit", "1").stdout)[0]["id"]
        run("note", pid, "a private thought")
        (tmp_path / "out").mkdir()
        run("export", "-o", str(tmp_path / "out" / "reading.bib"))
        digest = tmp_path / "d.txt"
        digest.write_text("Aug 9\n\nA Paper About Zebrafish Genomics\n\nThis abstract studies zebrafish. More.\n")
        run("add", str(digest))
        api.days["2025-08-08"] = [item("2025-08-08", 1)]
        run("fetch", "--date", "2025-08-08")
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    files = [paths.library, tmp_path / "out" / "reading.bib", paths.fetch_state,
             *paths.digests.iterdir(), *paths.data.glob("library.sqlite3-*")]
    assert len(files) >= 5
    for f in files:
        assert mode(f) & 0o077 == 0, (f, oct(mode(f)))
    for folder in (paths.data, paths.digests, paths.cache, paths.index):
        assert mode(folder) == 0o700, (folder, oct(mode(folder)))
    assert mode(digest) == 0o644 and mode(tmp_path / "out") == 0o755  # the user's own files and folders: as they were


def test_the_library_is_created_private_by_any_caller(paths):
    import stat

    from tui.core.library import Library

    old = os.umask(0o022)
    try:
        Library.open(paths).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(paths.library.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.data.stat().st_mode) == 0o700


def test_import_refuses_a_fifo_a_device_and_json_nested_too_deep(tmp_path):
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "papers-library", "version": 2, "papers": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    home = tmp_path / "home"
    for target, said in ((fifo, "not a regular file"), (Path("/dev/zero"), "not a regular file"),
                         (deep, "nested too deep")):
        line = one_line_error(papers(home, "import", str(target), timeout=60), str(target), said)
        assert "nothing was imported" in line or "cannot be read" in line


def test_a_fifo_in_place_of_the_config_or_the_watched_list_is_said_not_waited_on(tmp_path):
    from tui.core.paths import Paths

    home = tmp_path / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    for f in (paths.config_file, paths.watched_file):
        os.mkfifo(f)
        r = papers(home, "digests", timeout=60)
        err = r.stderr.decode()
        assert r.returncode == 0 and "Traceback" not in err, err
        assert f"{f}: cannot be read (not a regular file" in err, err
        f.unlink()
