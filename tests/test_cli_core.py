import json
import subprocess
import sys

import pytest

from conftest import text_digest
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


def test_digests_totals(capsys, home):
    code, out, err = run(capsys, "--data-dir", home, "digests")
    assert code == 0
    assert "4 digests, 359 entries, 285 papers" in out
    code, out, err = run(capsys, "--data-dir", home, "digests", "--json")
    data = json.loads(out)
    assert data["totals"] == {"digests": 4, "entries": 359, "papers": 285, "problems": 0, "skipped": 0}


def test_add_bad_file_exits_2_and_copies_nothing(capsys, home, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(text_digest(["A Good Paper About Quokkas"]))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out, err = run(capsys, "--data-dir", home, "add", str(good), str(bad))
    assert code == 2
    assert "bad.json" in err and "invalid JSON" in err and "Traceback" not in err
    assert not (tmp_path / "home" / "data" / "digests").exists() or not list((tmp_path / "home" / "data" / "digests").iterdir())


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
