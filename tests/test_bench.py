"""The synthetic corpus and ``papers bench``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.bench import render
from tui.bench import synth
from tui.core.digest import parse_file
from tui.core.papers import paper_id

ROOT = Path(__file__).resolve().parent.parent


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_n_and_seed_give_the_same_bytes(tmp_path):
    a = synth.write_corpus(tmp_path / "a", 250)
    b = synth.write_corpus(tmp_path / "b", 250)
    assert [p.name for p in a] == ["synth-00000.txt", "synth-00001.txt", "synth-00002.txt"]
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    # the file dates are the labels' days, oldest first
    assert [p.stat().st_mtime for p in a] == sorted(p.stat().st_mtime for p in a)
    assert a[0].stat().st_mtime == b[0].stat().st_mtime


def test_another_seed_or_size_gives_other_files(tmp_path):
    base = _bytes(Path(synth.write_corpus(tmp_path / "a", 250)[0].parent))
    other_seed = _bytes(Path(synth.write_corpus(tmp_path / "b", 250, seed=1)[0].parent))
    assert base.keys() == other_seed.keys()
    assert all(base[k] != other_seed[k] for k in base)
    bigger = _bytes(Path(synth.write_corpus(tmp_path / "c", 300)[0].parent))
    assert bigger != base
    # a smaller corpus is the first digests of a bigger one
    assert bigger["synth-00000.txt"] == base["synth-00000.txt"]
    assert bigger["synth-00002.txt"] != base["synth-00002.txt"]


def test_the_corpus_parses_back_into_n_unique_papers(tmp_path):
    n = 1050
    written = list(synth.corpus(n))
    files = synth.write_corpus(tmp_path, n)
    assert len(files) == 11
    titles, entries = [], 0
    for path, d in zip(files, written):
        digest = parse_file(path)
        assert digest.problems == ()
        assert digest.format == "text"
        assert digest.label == d.label
        assert tuple(e.title for e in digest.entries) == d.titles
        entries += len(digest.entries)
        titles += [e.title for e in digest.entries]
        for e in digest.entries:
            assert "\n" not in e.abstract and 400 <= len(e.abstract) <= 4000
            assert 10 <= len(e.title) <= synth.MAX_TITLE
    assert entries == n
    assert len({paper_id(t) for t in titles}) == n
    mean = sum(len(d.text) for d in written) / n
    assert 800 <= mean <= 2500  # about a real abstract and title per paper


def test_method_names_are_distinct_words():
    names = [synth.method_name(i) for i in range(20_000)]
    assert len(set(names)) == len(names)
    assert all(n.isalpha() and n.islower() for n in names)
    assert synth.method_name(5, seed=1) != synth.method_name(5)


def _bench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "bench", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def _check_common(out: dict, n: int) -> None:
    assert out["papers"] == n and out["judged"] is False
    assert out["machine"]["cpus"] >= 1 and out["machine"]["textual"] and out["machine"]["whoosh"]
    assert out["parse"]["entries"] == n and out["parse"]["problems"] == 0
    assert out["parse"]["entries_per_s"] > 0
    assert out["reopen"]["wrote"] is False and out["reopen"]["files_changed"] == []
    assert out["add_digest"]["papers_written"] == 100 and len(out["add_digest"]["added"]) == 1
    assert out["remove_digest"]["removed"] == out["add_digest"]["added"]
    s = out["search"]
    assert 0 < s["p50"] <= s["p95"] <= s["max"]
    assert s["n"] == len(s["queries"]) * s["rounds"]
    assert {"rare word", "common word", "phrase", "field", "boolean", "prefix", "fuzzy", "typo",
            "pathological"} <= s["categories"].keys()
    hits = {q["query"]: q["hits"] for q in s["queries"]}
    assert hits["is:unread"] > n // 2 and hits["tag:reading-group"] >= 1
    rare = [q for q in s["queries"] if q["category"] == "rare word"][0]
    assert 1 <= rare["hits"] <= 2  # the made-up name of one paper
    f = out["first_page"]
    assert f["hits"] > n // 2 and f["rows"] == min(f["hits"], 200) and f["ms"] > 0
    fts = out["fts5"]
    assert fts["rows"] == n and fts["build_s"] > 0 and fts["p50"] <= fts["max"]
    assert fts["skipped"] and not fts["failed"]


@pytest.mark.slow
def test_bench_json_without_the_reader_and_reuse_with_keep(tmp_path):
    keep = tmp_path / "kept"
    first = _bench("--papers", "200", "--json", "--no-app", "--keep", str(keep))
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    _check_common(out, 200)
    assert out["corpus"]["reused"] is False and out["corpus"]["digests"] == 2
    assert out["build"]["built"] is True and out["build"]["papers"] == 200
    assert "app" not in out
    quality = out["for_you"]["quality"]  # for you on three topics of the bundled papers
    assert len(quality) == 3 and all(r["for_you"] >= 7 and r["for_you"] >= r["like_bookmarks"]
                                     for r in quality.values()), quality
    assert "for you on the bundled papers: compression" in render(out)
    assert sorted(p.name for p in (keep / "data" / "digests").iterdir()) == ["synth-00000.txt", "synth-00001.txt"]

    second = _bench("--papers", "200", "--json", "--no-app", "--keep", str(keep))
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["corpus"]["reused"] is True
    assert again["build"]["built"] is False and again["build"]["wrote"] is False
    assert again["search"]["queries"][0]["hits"] == out["search"]["queries"][0]["hits"]
    assert "index (reused)" in render(again) and "cold index build" not in render(again)


@pytest.fixture(scope="module")
def bench_with_the_reader() -> dict:
    """The figures of one run at 2,000 papers (two chunks of a build), the
    reader started once: what the two tests below check."""
    proc = _bench("--papers", "2000", "--app-runs", "1", "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_bench_with_the_reader(bench_with_the_reader):
    out = bench_with_the_reader
    app = out["app"]
    assert app["errors"] == [] and app["runs"] == 1 and app["bare_runs"] == 1
    assert 0 < app["imports_s"] < app["painted_s"] <= app["results_s"] <= app["search_s"]
    assert app["bare_painted_s"] > 0 and app["painted_ratio"] > 0
    assert app["index_wrote"] is False and app["files_changed"] == []
    assert app["peak_rss_mb"] > app["bare_peak_rss_mb"] > 10
    assert app["all"]["app"][0]["rows"] == 200

    table = render(out)
    for line in ("cold index build", "re-open, nothing changed", "search p50/p95/max", "reader painted",
                 "reader peak RSS", "SQLite FTS5"):
        assert line in table
    assert not [line for line in table.splitlines() if line.endswith(("pass", "FAIL"))]  # judged at 100k only
    # at the size the targets are set for, every target gets a verdict
    judged = render({**out, "papers": 100_000, "judged": True})
    verdicts = [line for line in judged.splitlines() if line.endswith(("pass", "FAIL"))]
    assert len(verdicts) == 20  # with the known-item MRR, the exact-ranking and the for-you rows
    speed = out["for_you"]["speed"]
    assert speed["learned"] and speed["kept"] >= 30 and speed["all"]["papers"] > speed["week"]["papers"] > 0
    assert any(line.startswith("  ranked: whole unread set") for line in verdicts)
    assert any(line.startswith("ranking = exact reference") for line in verdicts)
    assert any(line.startswith("known items, MRR") for line in verdicts)
    assert [line for line in verdicts if line.startswith("re-open")][0].endswith("pass")


@pytest.mark.parametrize("args, message", [
    (["--papers", "0"], "--papers must be between"),
    (["--papers", "lots"], "is not a number of papers"),
    (["--papers", "2000000"], "--papers must be between"),
    (["--seed", "x"], "--seed"),
    (["--app-runs", "0"], "--app-runs must be between"),
])
def test_bad_arguments_are_one_line_and_exit_2(args, message):
    proc = _bench(*args, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("papers: ") and message in proc.stderr
    assert proc.stdout == ""


def test_keep_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    proc = _bench("--papers", "100", "--no-app", "--keep", str(tmp_path), timeout=30)
    assert proc.returncode == 2 and "not made by papers bench" in proc.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_bench_measures_disk_start_up_a_moved_folder_and_typing(bench_with_the_reader):
    """The rows of the build, disk and start-up targets, in one run at 2,000 papers."""
    out = bench_with_the_reader
    b = out["build"]
    assert b["built"] and b["cpu_s"] > 0
    disk = out["disk"]
    assert disk["bytes"] == disk["catalog_bytes"] + disk["whoosh_bytes"] and 0 < disk["ratio"] <= 2
    assert disk["ratio"] == round(disk["bytes"] / out["corpus"]["bytes"], 2)
    assert {"entries", "papers", "words", "digests"} <= disk["catalog"].keys()
    assert disk["whoosh"]["postings"]["abstract"] > disk["whoosh"]["postings"]["title"] > 0
    assert {"pst", "trm"} <= disk["whoosh"]["files"].keys() and disk["whoosh"]["terms"]["id"] == 2000
    cli = out["cli"]
    assert cli["errors"] == [] and cli["runs"] == 5 and 0 < cli["seconds"] and 0 < cli["cpu_s"]
    moved = out["moved"]
    assert moved["papers"] == 2000 and 0 <= moved["papers_written"] <= 2000 and moved["seconds"] > 0
    typing = out["typing"]
    assert "error" not in typing, typing
    for pace in ("typing", "burst"):
        assert 0 < typing[pace]["median_s"] <= typing[pace]["max_s"] and len(typing[pace]["all"]) == 4
    assert out["app"]["errors"] == []
    table = render(out)
    for line in ("index + catalog on disk", "  catalog", "  Whoosh postings", "fresh process",
                 "data folder moved", "reader last key", "typed in a burst"):
        assert line in table


def test_a_start_up_child_that_never_paints_is_an_error():
    from tui.bench.run import _check_marks

    _check_marks("app", {"painted": 0.3, "results": 0.5, "search": 0.7, "exit_code": 0})
    _check_marks("bare", {"painted": 0.3, "exit_code": None})
    with pytest.raises(RuntimeError, match="did not start"):
        _check_marks("app", {"imported": 0.2, "exit_code": 1})
    with pytest.raises(RuntimeError, match="no search mark"):
        _check_marks("app", {"painted": 0.3, "results": 0.5, "exit_code": 0})
    with pytest.raises(RuntimeError, match="exit code 1"):
        _check_marks("bare", {"painted": 0.3, "exit_code": 1})
