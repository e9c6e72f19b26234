"""The library from the command line: bookmark, note, tag, read, bookmarks,
export, import, and the search filters they feed (is:, tag:, note:, has:)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import bibtexparser
import pytest

from helpers import run_unprivileged, text_digest
from tui.cli import main
from tui.core.library import Library
from tui.core.paths import Paths

ATTENTION = "Attention Is Not All You Need Anymore"
COMBINER = "Combiner: Full Attention Transformer with Sparse Computation Cost"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A data dir with the bundled digests indexed once; each test gets a copy."""
    home = tmp_path_factory.mktemp("built") / "home"
    assert main(["--data-dir", str(home), "digests"]) == 0
    return home


@pytest.fixture
def home(built, tmp_path, capsys) -> str:
    dst = tmp_path / "home"
    shutil.copytree(built, dst)
    capsys.readouterr()
    return str(dst)


def run(capsys, home, *argv):
    code = main(["--data-dir", home, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def search(capsys, home, query, limit=500) -> list[dict]:
    code, out, err = run(capsys, home, "search", query, "--json", "--limit", str(limit))
    assert code == 0, err
    return json.loads(out)


def pid_of(capsys, home, title) -> str:
    hits = [h for h in search(capsys, home, f'"{title}"', 20) if h["title"] == title]
    assert hits, title
    return hits[0]["id"]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("papers: ") and "Traceback" not in err, err
    return lines[0]


def test_bookmark_then_search_is_bookmarked(capsys, home):
    a, c = pid_of(capsys, home, ATTENTION), pid_of(capsys, home, COMBINER)
    code, out, err = run(capsys, home, "bookmark", a, "--tag", "Reading Group")
    assert code == 0 and out.startswith(f"bookmarked {a}  {ATTENTION}")
    hits = search(capsys, home, "is:bookmarked")
    assert [h["id"] for h in hits] == [a]
    assert {k: hits[0][k] for k in ("bookmarked", "tags", "note", "read")} == {
        "bookmarked": True, "tags": ["reading-group"], "note": None, "read": False}
    assert [h["id"] for h in search(capsys, home, "tag:reading-group")] == [a]
    assert [h["id"] for h in search(capsys, home, "is:bookmarked combiner")] == []  # combines with words
    assert search(capsys, home, "combiner")[0]["bookmarked"] is False
    run(capsys, home, "bookmark", c)
    code, out, err = run(capsys, home, "bookmarks")
    rows = out.splitlines()
    assert rows[0].split() == ["id", "title", "tags"]
    assert rows[1].startswith(c) and rows[2].startswith(a) and rows[2].endswith("reading-group")  # newest first
    code, out, err = run(capsys, home, "bookmarks", "--tag", "reading-group", "--json")
    listed = json.loads(out)
    assert [b["id"] for b in listed] == [a] and listed[0]["title"] == ATTENTION and listed[0]["in_corpus"]
    code, out, err = run(capsys, home, "bookmark", a, "--remove")
    assert code == 0 and out.startswith("removed the bookmark of")
    assert [h["id"] for h in search(capsys, home, "is:bookmarked")] == [c]


def test_note_set_show_from_stdin_and_delete(capsys, home, monkeypatch):
    a = pid_of(capsys, home, ATTENTION)
    code, out, err = run(capsys, home, "note", a, "the", "ablation", "is", "thin")
    assert code == 0 and out.strip() == f"saved the note of {a}"
    assert [h["id"] for h in search(capsys, home, "note:ablation")] == [a]
    assert [h["id"] for h in search(capsys, home, "has:note")] == [a]
    assert search(capsys, home, "note:ablation")[0]["note"] == "the ablation is thin"
    monkeypatch.setattr(sys, "stdin", io.StringIO("line one\r\nline \x1b[31mtwo\x1b[0m\x07 ok\n"))
    assert run(capsys, home, "note", a, "-")[0] == 0
    code, out, err = run(capsys, home, "note", a)
    assert out == "line one\nline two ok\n" and "\x1b" not in out
    assert search(capsys, home, "note:ablation") == []
    code, out, err = run(capsys, home, "note", a, "--delete")
    assert code == 0 and out.strip() == f"deleted the note of {a}"
    code, out, err = run(capsys, home, "note", a)
    assert out == "" and "no note" in err
    assert search(capsys, home, "has:note") == []


def test_a_plain_word_of_a_note_finds_the_paper_below_title_and_abstract_matches(capsys, home):
    a, c = pid_of(capsys, home, ATTENTION), pid_of(capsys, home, COMBINER)
    assert search(capsys, home, "zeugmatic") == []
    run(capsys, home, "note", a, "a zeugmatic trick, compare with the sparse computation cost paper")
    assert [h["id"] for h in search(capsys, home, "zeugmatic")] == [a]
    assert [h["id"] for h in search(capsys, home, "zeugmatic attention")] == [a]  # note and title together
    # words in Combiner's title and in the note of another paper: the title's paper ranks first
    ranked = [h["id"] for h in search(capsys, home, "sparse computation cost")]
    assert ranked.index(c) < ranked.index(a)
    run(capsys, home, "note", a, "--delete")
    assert search(capsys, home, "zeugmatic") == []


def test_tag_and_untag(capsys, home):
    a = pid_of(capsys, home, ATTENTION)
    code, out, err = run(capsys, home, "tag", a, "Vision", "to read", "x\x1b[31m")
    assert code == 0 and out.strip() == f"{a} tags: to-read, vision, x"
    assert [h["id"] for h in search(capsys, home, "tag:to-read")] == [a]
    assert [h["id"] for h in search(capsys, home, "tag:vision attention")] == [a]
    code, out, err = run(capsys, home, "tag", a, "vision", "--remove")
    assert out.strip() == f"{a} tags: to-read, x"
    assert search(capsys, home, "tag:vision") == []
    code, out, err = run(capsys, home, "tag", a, "a,b")
    assert code == 2 and "comma" in one_error_line(err)
    code, out, err = run(capsys, home, "tag", a, "   ")
    assert code == 2 and "empty tag" in one_error_line(err)


def test_read_and_unread(capsys, home):
    a, c = pid_of(capsys, home, ATTENTION), pid_of(capsys, home, COMBINER)
    total = len(search(capsys, home, "is:unread", 1000))
    code, out, err = run(capsys, home, "read", a, c[:8])
    assert code == 0 and out.count("marked read:") == 2
    assert {h["id"] for h in search(capsys, home, "is:read")} == {a, c}
    assert len(search(capsys, home, "is:unread", 1000)) == total - 2
    code, out, err = run(capsys, home, "read", a, "--unread")
    assert out.startswith(f"marked unread: {a}")
    assert [h["id"] for h in search(capsys, home, "is:read")] == [c]


def test_state_survives_a_restart_and_an_index_rebuild(capsys, home):
    a = pid_of(capsys, home, ATTENTION)
    run(capsys, home, "bookmark", a, "--tag", "keep")
    run(capsys, home, "note", a, "remember this")
    with Library.open(Paths.default(home)) as lib:  # a new process's view
        r = lib.get(a)
        assert r.bookmarked and r.tags == ("keep",) and r.note == "remember this"
        assert r.snapshot.title == ATTENTION
    shutil.rmtree(Paths.default(home).index)  # the index is a cache: rebuilt with the library's state
    hits = search(capsys, home, "is:bookmarked note:remember tag:keep")
    assert [h["id"] for h in hits] == [a] and hits[0]["note"] == "remember this"


def test_change_by_another_process_reaches_the_index(capsys, home):
    a = pid_of(capsys, home, ATTENTION)
    with Library.open(Paths.default(home)) as lib:  # e.g. the reader in another terminal
        lib.set_bookmark(a, True)
    assert [h["id"] for h in search(capsys, home, "is:bookmarked")] == [a]


def test_ids_unknown_prefix_and_ambiguous(capsys, home):
    a = pid_of(capsys, home, ATTENTION)
    code, out, err = run(capsys, home, "bookmark", "nope")
    assert code == 2 and "not a paper id" in one_error_line(err)
    code, out, err = run(capsys, home, "bookmark", "123456789abc")
    assert code == 2 and "unknown paper id 123456789abc" in one_error_line(err)
    code, out, err = run(capsys, home, "bookmark", a[:5])
    assert code == 2 and "at least 6" in one_error_line(err)
    code, out, err = run(capsys, home, "bookmark", a, "fffffffffff0")  # one bad id: nothing changes
    assert code == 2 and search(capsys, home, "is:bookmarked") == []
    code, out, err = run(capsys, home, "bookmark", a[:6].upper())
    assert code == 0 and a in out
    with Library.open(Paths.default(home)) as lib:  # papers known only to the library
        lib.set_note("abcdef000001", "one")
        lib.set_note("abcdef000002", "two")
    code, out, err = run(capsys, home, "note", "abcdef")
    assert code == 2 and "matches 2 papers" in one_error_line(err)
    code, out, err = run(capsys, home, "note", "abcdef000002")
    assert code == 0 and out == "two\n"


def test_export_takes_the_format_from_the_file_extension(capsys, home, tmp_path):
    a = pid_of(capsys, home, ATTENTION)
    run(capsys, home, "bookmark", a, "--tag", "rg")
    expected = {}
    for fmt in ("bibtex", "md", "json", "csv"):
        expected[fmt] = run(capsys, home, "export", "--format", fmt)[1]
    for name, fmt in (("reading.bib", "bibtex"), ("reading.BIBTEX", "bibtex"), ("list.md", "md"),
                      ("backup.json", "json"), ("table.csv", "csv")):
        code, out, err = run(capsys, home, "export", "-o", str(tmp_path / name))
        assert code == 0 and f"(all, {fmt})" in err, err
        got, want = (tmp_path / name).read_text(), expected[fmt]
        if fmt == "json":  # the export time differs
            got, want = json.loads(got)["papers"], json.loads(want)["papers"]
        if fmt == "bibtex":
            got, want = (re.sub(r"(?m)^%.*\n", "", x) for x in (got, want))
        assert got == want, name
    code, out, err = run(capsys, home, "export", "--format", "csv", "-o", str(tmp_path / "x.bib"))
    assert code == 0 and (tmp_path / "x.bib").read_text().startswith("id,")  # --format wins
    code, out, err = run(capsys, home, "export", "-o", str(tmp_path / "reading.txt"))
    assert code == 2 and "reading.txt" in one_error_line(err) and out == ""
    assert not (tmp_path / "reading.txt").exists()
    for argv in ((), ("-o", "-")):  # no format and no file: the whole library as JSON on stdout (README)
        code, out, err = run(capsys, home, "export", *argv)
        assert code == 0, err
        assert json.loads(out)["papers"] == json.loads(expected["json"])["papers"]
        assert json.loads(out)["what"] == "all"


def test_export_formats_and_atomic_output(capsys, home, tmp_path):
    a, c = pid_of(capsys, home, ATTENTION), pid_of(capsys, home, COMBINER)
    run(capsys, home, "bookmark", a, c, "--tag", "rg")
    run(capsys, home, "note", a, "50% better & {cheaper}")
    run(capsys, home, "read", c)
    target = tmp_path / "out" / "lib.json"
    target.parent.mkdir()
    target.write_text("old content")
    code, out, err = run(capsys, home, "export", "--format", "json", "-o", str(target))
    assert code == 0 and out == "" and "exported 2 papers" in err
    assert sorted(p.name for p in target.parent.iterdir()) == ["lib.json"]  # no temporary left behind
    data = json.loads(target.read_text())
    assert [p["id"] for p in data["papers"]] == sorted([a, c])
    code, out, err = run(capsys, home, "export", "--format", "bibtex")
    lib = bibtexparser.parse_string(out)
    assert lib.failed_blocks == [] and len(lib.entries) == 2
    notes = [e.fields_dict["note"].value for e in lib.entries if "note" in e.fields_dict]
    assert notes == ["50\\% better \\& \\{cheaper\\}"]
    code, out, err = run(capsys, home, "export", "--notes", "--format", "md")
    assert out.startswith("# Notes") and ATTENTION in out and COMBINER not in out
    code, out, err = run(capsys, home, "export", "--bookmarks", "--format", "csv")
    assert out.splitlines()[0].startswith("id,title,link") and len(out.splitlines()) == 3
    code, out, err = run(capsys, home, "export", "--format", "md", "-o", str(tmp_path / "missing" / "x.md"))
    assert code == 2 and "cannot write" in one_error_line(err)
    with pytest.raises(SystemExit) as e:
        main(["--data-dir", home, "export", "--format", "docx"])
    assert e.value.code == 2


def test_import_into_a_fresh_library_and_twice(capsys, home, built, tmp_path):
    a, c = pid_of(capsys, home, ATTENTION), pid_of(capsys, home, COMBINER)
    run(capsys, home, "bookmark", a, "--tag", "rg")
    run(capsys, home, "note", c, "only a note")
    export_file = tmp_path / "export.json"
    run(capsys, home, "export", "--format", "json", "-o", str(export_file))
    other = tmp_path / "other"
    shutil.copytree(built, other)
    code, out, err = run(capsys, str(other), "import", str(export_file))
    assert code == 0 and "2 added, 0 merged, 0 unchanged" in out
    assert [h["id"] for h in search(capsys, str(other), "is:bookmarked tag:rg")] == [a]
    assert [h["id"] for h in search(capsys, str(other), "note:only")] == [c]
    code, out, err = run(capsys, str(other), "import", str(export_file))
    assert code == 0 and "0 added, 0 merged, 2 unchanged" in out
    with Library.open(Paths.default(home)) as x, Library.open(Paths.default(other)) as y:
        assert x.all_records() == y.all_records()


def test_bad_import_file_exits_2_and_changes_nothing(capsys, home, tmp_path):
    a = pid_of(capsys, home, ATTENTION)
    run(capsys, home, "bookmark", a)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "papers-library", "version": 1, "papers": [{"id": "aaaaaaaaaaaa"}, {"id": 5}]}')
    code, out, err = run(capsys, home, "import", str(bad))
    line = one_error_line(err)
    assert code == 2 and str(bad) in line and "papers[1].id" in line and "nothing was imported" in line
    code, out, err = run(capsys, home, "import", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in one_error_line(err)
    with Library.open(Paths.default(home)) as lib:
        assert [r.id for r in lib.all_records()] == [a]


def test_corrupt_library_is_moved_aside_and_the_command_carries_on(capsys, home):
    paths = Paths.default(home)
    paths.data.mkdir(parents=True, exist_ok=True)
    a = pid_of(capsys, home, ATTENTION)
    for side in ("-wal", "-shm"):
        Path(str(paths.library) + side).unlink(missing_ok=True)
    paths.library.write_bytes(b"\x00garbage" * 512)
    code, out, err = run(capsys, home, "bookmark", a)
    assert code == 0 and "bookmarked" in out
    notice = one_error_line(err)
    assert str(paths.library) in notice and "moved" in notice
    moved = [p for p in paths.data.iterdir() if ".broken-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == b"\x00garbage" * 512


def test_bookmark_outlives_its_digest(capsys, home, tmp_path):
    digest = tmp_path / "quokka.txt"
    digest.write_text(text_digest(["Quokkas Learn To Smile With Diffusion"], label="Sep 9"))
    assert run(capsys, home, "add", str(digest))[0] == 0
    pid = pid_of(capsys, home, "Quokkas Learn To Smile With Diffusion")
    run(capsys, home, "bookmark", pid, "--tag", "fauna")
    run(capsys, home, "note", pid, "cute")
    for f in Paths.default(home).digests.iterdir():
        f.unlink()
    assert search(capsys, home, "quokkas") == []  # gone from the corpus...
    code, out, err = run(capsys, home, "bookmarks")
    assert pid in out and "Quokkas Learn To Smile With Diffusion" in out  # ...not from the library
    code, out, err = run(capsys, home, "export", "--format", "md")
    assert "Quokkas Learn To Smile With Diffusion" in out and "  > cute" in out
    code, out, err = run(capsys, home, "note", pid[:7])
    assert out == "cute\n"


def test_read_only_data_dir_via_the_cli(capsys, built, tmp_path):
    import tempfile

    a = pid_of(capsys, str(built), ATTENTION)
    root = Path(tempfile.mkdtemp(prefix="papers-ro-cli-"))
    try:
        root.chmod(0o755)
        home = root / "home"
        shutil.copytree(built, home)
        for p in [home, *home.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        for p in [home / "cache", *(home / "cache").rglob("*")]:  # the index itself may be written
            p.chmod(0o777 if p.is_dir() else 0o666)
        (home / "data").chmod(0o555)
        code = ("import sys; from tui.cli import main; "
                "sys.exit(main(['--data-dir', sys.argv[1], 'bookmark', sys.argv[2]]))")
        res = run_unprivileged(code, str(home), a)
        if res.returncode == 0:
            pytest.skip("the read-only mode is not enforced for this user")
        assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
        # the library opens read-only (a notice), then the change is refused (the error)
        lines = res.stderr.strip().splitlines()
        assert all(line.startswith("papers: ") for line in lines), res.stderr
        notices = [line for line in lines if "library.sqlite3" in line and "shown read-only" in line]
        assert len(notices) == 1, res.stderr
        assert lines[-1].startswith("papers: cannot change the library") and "read-only" in lines[-1]
    finally:
        for p in root.rglob("*"):
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(root)


# --- saved searches and watches -------------------------------------------------------

def test_saved_searches_add_list_run_replace_rm(capsys, home):
    code, out, err = run(capsys, home, "saved")
    assert code == 0 and out == "" and "no saved searches" in err
    code, out, err = run(capsys, home, "saved", "add", "Attention Papers", "attention", "anymore")
    assert code == 0 and out.strip() == "saved attention-papers: attention anymore"
    code, out, err = run(capsys, home, "saved", "add", "sparse", "sparse", "--watch")
    assert code == 0 and "watch on" in out and "watch:sparse" in out
    code, out, err = run(capsys, home, "saved")
    assert out.splitlines() == ["name              watch  query",
                                "attention-papers  no     attention anymore",
                                "sparse            yes    sparse"]
    code, out, err = run(capsys, home, "saved", "run", "ATTENTION papers", "--json")
    assert code == 0 and json.loads(out)[0]["title"] == ATTENTION
    code, out, err = run(capsys, home, "saved", "run", "attention-papers", "--limit", "1")
    assert code == 0 and ATTENTION in out.splitlines()[0] and "attention anymore" in err
    code, out, err = run(capsys, home, "saved", "add", "sparse", "sparse", "attention")  # replaces, watch kept
    assert code == 0 and out.startswith("replaced sparse: sparse attention")
    code, out, err = run(capsys, home, "saved", "watch", "sparse", "--off")
    assert code == 0 and out.strip() == "watch off: sparse"
    code, out, err = run(capsys, home, "saved", "--json")
    assert [(s["name"], s["query"], s["watch"]) for s in json.loads(out)] == [
        ("attention-papers", "attention anymore", False), ("sparse", "sparse attention", False)]
    code, out, err = run(capsys, home, "saved", "rm", "sparse")
    assert code == 0 and "removed" in out
    with Library.open(Paths.default(home)) as lib:  # in the file, after the commands ended
        assert [(s.name, s.query) for s in lib.saved.all()] == [("attention-papers", "attention anymore")]


@pytest.mark.parametrize("argv, message", [
    (("saved", "add", "a,b", "q"), "comma"),
    (("saved", "add", "x" * 59, "q"), "longer than 58"),
    (("saved", "add", "ok", " "), "query: empty"),
    (("saved", "rm", "missing"), "no saved search named 'missing'"),
    (("saved", "run", "missing"), "no saved search named 'missing'"),
    (("saved", "watch", "missing"), "no saved search named 'missing'"),
])
def test_saved_search_errors_are_one_line_exit_2(capsys, home, argv, message):
    run(capsys, home, "saved", "add", "keep", "q")
    code, out, err = run(capsys, home, *argv)
    assert code == 2 and message in one_error_line(err)
    with Library.open(Paths.default(home)) as lib:
        assert [s.name for s in lib.saved.all()] == ["keep"]


def stdin_bytes(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_add_from_stdin(capsys, home, monkeypatch):
    digests = Paths.default(home).digests
    text = text_digest(["Quokkas Learn To Smile With Diffusion", ATTENTION], label="Sep 9")
    stdin_bytes(monkeypatch, text.encode())
    code, out, err = run(capsys, home, "add", "-", "--name", "quokka")
    assert code == 0 and out.startswith("quokka.txt: 2 papers, label Sep 9, text")
    assert (digests / "quokka.txt").read_text() == text
    assert [h["title"] for h in search(capsys, home, "quokkas")] == ["Quokkas Learn To Smile With Diffusion"]
    stdin_bytes(monkeypatch, text_digest(["Something Else Entirely"]).encode())
    code, out, err = run(capsys, home, "add", "-", "--name", "quokka")  # never overwrites
    line = one_error_line(err)
    assert code == 2 and "quokka.txt" in line and "exists" in line
    assert (digests / "quokka.txt").read_text() == text
    stdin_bytes(monkeypatch, text_digest(["Default Name Paper"]).encode())
    code, out, err = run(capsys, home, "add", "-", "--dry-run")
    assert code == 0 and out.splitlines()[-1] == "dry run: nothing was added"
    assert sorted(p.name for p in digests.iterdir()) == ["quokka.txt"]
    stdin_bytes(monkeypatch, text_digest(["Default Name Paper"]).encode())
    code, out, err = run(capsys, home, "add", "-")
    assert code == 0 and out.startswith("stdin-")
    assert len([p for p in digests.iterdir() if p.name.startswith("stdin-")]) == 1


def test_add_from_stdin_knows_content_already_imported(capsys, home, monkeypatch, tmp_path):
    """The same bytes make one digest, whether they came from a file or stdin."""
    digests = Paths.default(home).digests
    f = tmp_path / "sep9.txt"
    f.write_text(text_digest(["Quokkas Learn To Smile With Diffusion"], label="Sep 9"))
    assert run(capsys, home, "add", str(f))[0] == 0
    for argv in (("-",), ("-", "--name", "again"), ("-", "--dry-run")):
        stdin_bytes(monkeypatch, f.read_bytes())
        code, out, err = run(capsys, home, "add", *argv)
        assert code == 0 and out.splitlines()[0] == "<stdin>: already imported as sep9.txt; nothing was added", out
        assert sorted(p.name for p in digests.iterdir()) == ["sep9.txt"]
    g = tmp_path / "sep10.txt"
    g.write_text(text_digest(["Wombats Learn To Dig With Diffusion"], label="Sep 10"))
    stdin_bytes(monkeypatch, g.read_bytes())
    assert run(capsys, home, "add", "-", "--name", "wombats")[0] == 0
    code, out, err = run(capsys, home, "add", str(g))
    assert code == 0 and f"{g}: already imported as wombats.txt" in out
    assert sorted(p.name for p in digests.iterdir()) == ["sep9.txt", "wombats.txt"]


@pytest.mark.parametrize("data, argv, message", [
    (b"", ("-", "--name", "x"), "<stdin>: is empty"),
    (b"hello there\n", ("-", "--name", "x"), "<stdin>: has no papers"),
    (b'[{"paper": 5', ("-", "--name", "x"), "<stdin>: invalid JSON"),
    (b"\xff\xfe\x00h", ("-",), "<stdin>: is UTF-16"),
    (text_digest(["Fine"]).encode(), ("-", "--name", "../up"), "--name"),
    (text_digest(["Fine"]).encode(), ("-", "other.txt"), "cannot be combined"),
    (text_digest(["Fine"]).encode(), ("other.txt", "--name", "x"), "--name goes with -"),
])
def test_add_from_stdin_refuses_bad_input(capsys, home, monkeypatch, data, argv, message):
    stdin_bytes(monkeypatch, data)
    code, out, err = run(capsys, home, "add", *argv)
    assert code == 2 and message in one_error_line(err)
    assert not Paths.default(home).digests.exists() or not list(Paths.default(home).digests.iterdir())


def test_watch_a_folder_and_watches_announce_new_papers(capsys, home, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    code, out, err = run(capsys, home, "watch")
    assert code == 0 and out == "" and "no watched folders" in err
    run(capsys, home, "saved", "add", "quokkas", "quokka", "smile", "--watch")
    (drop / "sep9.txt").write_text(text_digest(
        ["Quokkas Learn To Smile With Diffusion", "Quokkas Frown", ATTENTION], label="Sep 9"))
    (drop / "junk.txt").write_text("not a digest\n")
    code, out, err = run(capsys, home, "watch", str(drop))
    assert code == 0 and out.splitlines()[0] == f"watching {drop.resolve()}"
    errs = err.splitlines()
    assert f"papers: {drop / 'junk.txt'}: has no papers (no title followed by an abstract)" in errs
    assert "papers: imported 1 new digest from watched folders" in errs
    announce = [e for e in errs if e.startswith("papers: watch quokkas:")]
    quokka = pid_of(capsys, home, "Quokkas Learn To Smile With Diffusion")
    assert announce == [f"papers: watch quokkas: 1 new paper tagged watch:quokkas ({quokka})"]
    assert [h["id"] for h in search(capsys, home, "tag:watch:quokkas")] == [quokka]
    code, out, err = run(capsys, home, "watch", "--list")
    assert out.splitlines() == [str(drop.resolve())]
    # a file dropped later is picked up by whatever command runs next
    (drop / "sep10.txt").write_text(text_digest(["Quokkas Smile Again"], label="Sep 10"))
    code, out, err = run(capsys, home, "bookmarks")
    assert "papers: watch quokkas: 1 new paper tagged watch:quokkas" in err
    assert "junk.txt" not in err  # said once, when it was first seen
    assert len(search(capsys, home, "tag:watch:quokkas")) == 2
    code, out, err = run(capsys, home, "bookmarks")
    assert "watch quokkas" not in err and "imported" not in err  # nothing new the second time
    code, out, err = run(capsys, home, "watch", "--remove", str(drop))
    assert code == 0 and "stopped watching" in out
    code, out, err = run(capsys, home, "watch", "--remove", str(drop))
    assert code == 2 and "is not watched" in one_error_line(err)
    assert {p.name for p in Paths.default(home).digests.iterdir()} == {"sep9.txt", "sep10.txt"}


@pytest.mark.parametrize("argv, message", [
    (("watch", "/nonexistent/papers-folder"), "not a folder"),
    (("watch", "--remove", "/x", "/y"), "--remove takes the folder itself"),
])
def test_watch_errors_are_one_line_exit_2(capsys, home, argv, message):
    code, out, err = run(capsys, home, *argv)
    assert code == 2 and message in one_error_line(err)
    assert not Paths.default(home).watched_file.exists()


def test_watching_the_digests_folder_itself_is_refused(capsys, home):
    digests = Paths.default(home).digests
    digests.mkdir(parents=True, exist_ok=True)
    code, out, err = run(capsys, home, "watch", str(digests))
    assert code == 2 and "watch another folder" in one_error_line(err)


def test_saved_searches_survive_export_and_import(capsys, home, built, tmp_path):
    run(capsys, home, "saved", "add", "mine", "attention", "--watch")
    export_file = tmp_path / "export.json"
    assert run(capsys, home, "export", "--format", "json", "-o", str(export_file))[0] == 0
    other = tmp_path / "other"
    shutil.copytree(built, other)
    code, out, err = run(capsys, str(other), "import", str(export_file))
    assert code == 0 and "saved searches: 1 added" in out
    code, out, err = run(capsys, str(other), "saved")
    assert out.splitlines()[1].split() == ["mine", "yes", "attention"]
