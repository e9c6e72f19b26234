import json
import subprocess
import sys

import pytest

from helpers import text_digest
from tui.cli import main


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "home")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_swin_first_with_code_link(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "search", "shifted windows", "--json")
    assert code == 0
    hits = json.loads(out)
    first = hits[0]
    assert first["title"] == "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
    assert {"id", "title", "abstract", "score", "digests", "links"} <= set(first)
    assert "https://github.com/microsoft/Swin-Transformer" in [link["url"] for link in first["links"]]
    assert first["digests"][0]["label"] == "Sample digest 2" and first["digests"][0]["position"] == 65


def test_search_table_and_limit(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "search", "transformer", "--limit", "3")
    assert code == 0
    assert out.count("\n") == 6 and "of" in err


def test_search_offset_past_the_end_says_so(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "search", "transformer", "--limit", "1")
    total = int(err.split(" of ")[1].split()[0])
    assert total > 100
    code, out, err = run(capsys, "--data-dir", home, "search", "transformer", "--offset", "1000")
    assert code == 0 and out == ""
    assert err.strip() == f"--offset 1000 is past the end: {total} papers match 'transformer'"
    code, out, err = run(capsys, "--data-dir", home, "search", "transformer", "--offset", str(total))
    assert out == "" and "past the end" in err
    code, out, err = run(capsys, "--data-dir", home, "search", "zzyzxqwv")
    assert out.strip() == "no papers match 'zzyzxqwv'"


def test_digests_totals(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "digests")
    assert code == 0
    assert "4 digests, 359 entries, 285 papers" in out
    code, out, err = run(capsys, "--data-dir", home, "digests", "--json")
    data = json.loads(out)
    assert data["totals"] == {"digests": 4, "entries": 359, "papers": 285, "problems": 0, "skipped": 0}


def test_add_bad_file_exits_2_after_adding_the_good_one(capsys, home, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(text_digest(["A Good Paper About Quokkas"]))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out, err = run(capsys, "--data-dir", home, "add", str(good), str(bad))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"papers: {bad}: invalid JSON"), err
    assert "Traceback" not in err and "added 1 digest" in out
    assert sorted(p.name for p in (tmp_path / "home" / "data" / "digests").iterdir()) == ["good.txt"]


def test_add_folder_adds_its_digests_and_names_a_stray_file(capsys, home, tmp_path):
    """A README beside the digests is refused with its reason; the digest is added."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "aug-9.txt").write_text(text_digest(["Quokka Counting With Transformers"], label="Aug 9"))
    (folder / "README.md").write_text("Digests saved from the Daily Papers page, one file a day.\n")
    code, out, err = run(capsys, "--data-dir", home, "add", str(folder))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"papers: {folder / 'README.md'}: "), err
    assert "added 1 digest; 1 paper indexed; 286 papers in all" in out
    assert sorted(p.name for p in (tmp_path / "home" / "data" / "digests").iterdir()) == ["aug-9.txt"]
    hits = json.loads(run(capsys, "--data-dir", home, "search", "quokka counting", "--json")[1])
    assert hits[0]["title"] == "Quokka Counting With Transformers"


def test_add_dry_run_reports_every_file(capsys, home, tmp_path):
    bad, good, gone = tmp_path / "bad.txt", tmp_path / "good.txt", tmp_path / "gone.txt"
    bad.write_text("just one line\n")
    good.write_text(text_digest(["A Good Paper About Quokkas", "Transformer in Transformer"]))
    code, out, err = run(capsys, "--data-dir", home, "add", str(bad), str(good), str(gone), "--dry-run")
    assert code == 2
    assert f"{good}: 2 papers (1 already known, 1 new)" in out and "dry run: nothing was added" in out
    lines = err.strip().splitlines()
    assert [line.split(": ")[1] for line in lines] == [str(bad), str(gone)], err
    assert not (tmp_path / "home" / "data" / "digests").exists()


def test_add_dry_run_then_add(capsys, home, tmp_path):
    f = tmp_path / "new.txt"
    f.write_text(text_digest(["A Good Paper About Quokkas", "Transformer in Transformer"]))
    code, out, err = run(capsys, "--data-dir", home, "add", "--dry-run", str(f))
    assert code == 0 and "2 papers (1 already known, 1 new)" in out and "nothing was added" in out
    assert run(capsys, "--data-dir", home, "search", "quokkas", "--json")[1].strip() == "[]"
    code, out, err = run(capsys, "--data-dir", home, "add", str(f))
    assert code == 0 and "added 1 digest" in out
    assert (tmp_path / "home" / "data" / "digests" / "new.txt").read_text() == f.read_text()
    hits = json.loads(run(capsys, "--data-dir", home, "search", "quokkas", "--json")[1])
    assert hits[0]["title"] == "A Good Paper About Quokkas"
    code, out, err = run(capsys, "--data-dir", home, "add", str(f))
    assert "already imported" in out


def test_add_opens_the_index_once(capsys, home, tmp_path, monkeypatch):
    """papers add: one opening of the index says which papers were known and
    takes the new digest in; a dry run opens it once too."""
    from tui.core.index import Index

    opened = []
    real_open = Index.open.__func__

    def counting_open(cls, *args, **kwargs):
        opened.append(kwargs.get("rebuild", False))
        return real_open(cls, *args, **kwargs)

    monkeypatch.setattr(Index, "open", classmethod(counting_open))
    f = tmp_path / "new.txt"
    f.write_text(text_digest(["A Good Paper About Quokkas", "Transformer in Transformer"]))
    code, out, err = run(capsys, "--data-dir", home, "add", "--dry-run", str(f))
    assert code == 0 and f"{f}: 2 papers (1 already known, 1 new)" in out and len(opened) == 1
    opened.clear()
    code, out, err = run(capsys, "--data-dir", home, "add", str(f))
    assert code == 0 and out.splitlines()[0].startswith(f"{f}: 2 papers (1 already known, 1 new)"), out
    assert "added 1 digest; 2 papers indexed; 286 papers in all" in out
    assert opened == [False]
    opened.clear()
    code, out, err = run(capsys, "--data-dir", home, "add", str(f))  # the same bytes again
    assert code == 0 and out.splitlines() == [f"{f}: 2 papers (2 already known, 0 new), label Aug 7, text",
                                              f"{f}: already imported as new.txt",
                                              "added 0 digests; 0 papers indexed; 286 papers in all"], out
    assert opened == [False]


def test_add_missing_file(capsys, home, tmp_path):
    code, out, err = run(capsys, "--data-dir", home, "add", str(tmp_path / "nope.txt"))
    assert code == 2 and "no such file" in err


def test_reindex(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "reindex")
    assert code == 0 and "indexed 285 papers" in out


def test_papers_home_env(tmp_path):
    env = {"PAPERS_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "tui", "digests", "--json"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["totals"]["papers"] == 285
    assert (tmp_path / "h" / "cache" / "index" / "catalog.sqlite3").exists()


def test_core_and_cli_search_do_not_import_textual(tmp_path):
    code = (
        "import importlib, pkgutil, sys\n"
        "import tui.core, tui.core.text, tui.core.digest, tui.core.papers, tui.core.links\n"
        "import tui.core.index, tui.core.paths, tui.core.index.catalog, tui.core.session, tui.console\n"
        "for m in pkgutil.walk_packages(tui.core.__path__, 'tui.core.'):\n"  # every core module,
        "    importlib.import_module(m.name)\n"  # those of tui.core.index among them
        "from tui.cli import main\n"
        f"main(['--data-dir', {str(tmp_path)!r}, 'search', 'swin'])\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("ok")


def test_user_error_has_no_traceback(tmp_path):
    ro = tmp_path / "file"
    ro.write_text("not a folder")
    res = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(ro), "search", "x"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1


def test_cli_and_reader_index_the_same_digests_when_samples_are_off(tmp_path, capsys):
    """[app] bundled = false: `papers search` must not bring the samples back."""
    from tui.cli import main
    from tui.core.paths import Paths

    home = tmp_path / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    paths.digests.mkdir(parents=True)
    (paths.digests / "mine.txt").write_text(text_digest(["Quokka Counting With Transformers", "Wombat Routing"]))
    assert main(["--data-dir", str(home), "digests", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    names = [d["name"] for d in (out["digests"] if isinstance(out, dict) else out)]
    assert names == ["mine"]


@pytest.mark.parametrize("query, sort", [
    ("x", "relevance"), ("vision transformer", "relevance"), ("model*", "relevance"), ('"a b"', "relevance"),
    ("upvotes:>3", "relevance"), ("tag:x", "relevance"), ("", "upvotes"), ("*", "relevance"), ("c++", "relevance"),
    ("trasnformer~", "newest"), ("x", "upvotes")])
def test_an_index_without_papers_answers_every_query_with_nothing_not_damage(tmp_path, query, sort):
    """No digests at all ([app] bundled = false, nothing added): every kind of
    query, sort and mute finds nothing, and the index is not marked damaged."""
    from tui.core.index import Index
    from tui.core.paths import Paths

    index, _ = Index.open(Paths.default(tmp_path / "home"), sources=[])
    try:
        assert index.search(query, sort=sort).total == 0
        assert index.search(query, sort=sort, mutes=["diffusion"]).total == 0
        assert not (index.folder / "damaged").exists()
    finally:
        index.close()


def test_papers_search_with_no_digests_says_nothing_matched(tmp_path, capsys):
    from tui.cli import main
    from tui.core.paths import Paths

    home = tmp_path / "home"
    paths = Paths.default(home)
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    assert main(["--data-dir", str(home), "search", "x", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "Traceback" not in captured.err and "damaged" not in captured.err


def test_counts_of_one_are_singular(capsys, home, tmp_path):
    """'1 digest', '1 paper', '1 bookmark': never '1 digest(s)' or '1 papers'."""
    f = tmp_path / "lone.txt"
    f.write_text(text_digest(["A Lone Paper About Quokkas"]))
    code, out, err = run(capsys, "--data-dir", home, "add", "--dry-run", str(f))
    assert code == 0 and "lone.txt: 1 paper (0 already known, 1 new)" in out
    code, out, err = run(capsys, "--data-dir", home, "add", str(f))
    assert code == 0 and "added 1 digest; 1 paper indexed; 286 papers in all" in out
    code, out, err = run(capsys, "--data-dir", home, "search", "quokkas")
    assert code == 0 and "1–1 of 1 paper (" in err
    pid = out.split("\n")[1].split()[0]
    assert run(capsys, "--data-dir", home, "bookmark", pid)[0] == 0
    code, out, err = run(capsys, "--data-dir", home, "bookmarks")
    assert err.strip() == "1 bookmark"
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "one.txt").write_text(text_digest(["A Single Wombat Paper"]))
    assert run(capsys, "--data-dir", home, "watch", str(drop))[0] == 0
    (drop / "two.txt").write_text(text_digest(["Another Single Wombat Paper"], label="Aug 8"))
    code, out, err = run(capsys, "--data-dir", home, "digests")
    assert "papers: imported 1 new digest from watched folders" in err
    assert "7 digests, 362 entries, 288 papers" in out
    assert "(s)" not in out + err


def test_plural():
    from tui.console import plural

    assert [plural(n, "paper") for n in (0, 1, 2)] == ["0 papers", "1 paper", "2 papers"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_the_reader_needs_a_terminal(tmp_path):
    """`echo | papers | head`: one line on stderr, exit 2, no escape codes in the pipe."""
    res = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(tmp_path / "h")],
                         input="\n", capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and res.stdout == "" and "\x1b" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("papers: the reader needs a terminal"), res.stderr
    assert main(["--data-dir", str(tmp_path / "h")]) == 2  # under pytest stdin is not a terminal


def test_help_says_papers_alone_opens_the_reader(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "`papers` alone opens the reader" in " ".join(capsys.readouterr().out.split())


SIGNAL_KEYS = ("upvotes", "comments", "github", "project_page", "ai_summary", "ai_keywords")


def test_search_json_carries_the_community_signals(capsys, home, tmp_path):
    """upvotes, comments, github, project_page, ai_summary, ai_keywords: from an
    API digest; null for a paper known only from a text dump."""
    f = tmp_path / "api.json"
    f.write_text(json.dumps([{"paper": {
        "id": "2408.01234", "title": "Quokka Routing With Sparse Experts",
        "summary": "We route quokkas through sparse experts and measure how far they hop.",
        "authors": [{"name": "Ada Lovelace"}], "upvotes": 42, "publishedAt": "2024-08-07T12:00:00.000Z",
        "githubRepo": "https://github.com/lab/quokka", "githubStars": 17,
        "projectPage": "https://lab.example.org/quokka", "ai_summary": "Quokkas hop through experts.",
        "ai_keywords": ["quokka", "sparse experts"]}, "numComments": 3}]))
    assert run(capsys, "--data-dir", home, "add", str(f))[0] == 0
    hit = json.loads(run(capsys, "--data-dir", home, "search", "quokka routing", "--json")[1])[0]
    assert {k: hit[k] for k in SIGNAL_KEYS} == {
        "upvotes": 42, "comments": 3, "github": {"url": "https://github.com/lab/quokka", "stars": 17},
        "project_page": "https://lab.example.org/quokka", "ai_summary": "Quokkas hop through experts.",
        "ai_keywords": ["quokka", "sparse experts"]}
    dump = json.loads(run(capsys, "--data-dir", home, "search", "shifted windows", "--json")[1])[0]
    assert {k: dump[k] for k in SIGNAL_KEYS} == dict.fromkeys(SIGNAL_KEYS)
