"""config.toml: every problem is one line naming the file and the key; a broken
file never changes which digests are indexed; key remappings are checked
against the reader's bindings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import load_config


def write(paths, text: str) -> Path:
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")
    return paths.config_file


def test_a_good_file_reads_without_problems_and_knows_the_fetch_section(paths):
    write(paths, '[keys]\nbookmark = "B"\n\n[app]\nbundled = false\n\n'
                 '[fetch]\napi_url = "https://example.org/api"\non_start = true\n')
    cfg = load_config(paths.config_file)
    assert cfg.problems == [] and cfg.bundled is False and cfg.keys == {"bookmark": "B"}


def test_invalid_toml_keeps_the_last_good_bundled_value(paths):
    f = write(paths, "[app]\nbundled = false\n")
    assert load_config(f).bundled is False
    write(paths, "[app]\nbundled = false\n[keys\nbookmark = 'B'\n")  # a broken header
    cfg = load_config(f)
    assert cfg.bundled is False  # the samples are not brought back
    assert len(cfg.problems) == 1 and str(f) in cfg.problems[0] and "not valid TOML" in cfg.problems[0]
    assert "bundled = false" in cfg.problems[0]
    write(paths, "[app]\nbundled = true\n")  # fixed: the file rules again
    assert load_config(f).bundled is True


def test_invalid_toml_without_a_last_good_read_takes_the_bundled_line_of_the_text(paths):
    f = write(paths, "[app]\nbundled = false\nkeys = = 3\n")
    cfg = load_config(f)
    assert cfg.bundled is False and "not valid TOML" in cfg.problems[0]


def test_unreadable_file_keeps_the_last_good_bundled_value(paths):
    f = write(paths, "[app]\nbundled = false\n")
    load_config(f)
    f.write_bytes(b"[app]\nbundled = \xff\n")  # not UTF-8
    cfg = load_config(f)
    assert cfg.bundled is False and str(f) in cfg.problems[0]


@pytest.mark.parametrize("text, key", [
    ('[app]\nbundled = "no"\n', "[app] bundled"),
    ("keys = 3\n", "keys"),
    ("[keys]\nbookmark = 3\n", "[keys] bookmark"),
    ("[colours]\nbg = 'red'\n", "[colours]"),
    ("[app]\nbundeld = false\n", "[app] unknown key bundeld"),
    ("[fetch]\nurl = 'x'\n", "[fetch] unknown key url"),
    ("bundled = false\n", "bundled ignored (it belongs under [app])"),
    ("app = true\n", "app must be a section"),
])
def test_wrong_types_and_unknown_names_are_reported_in_one_line(paths, text, key):
    f = write(paths, "[app]\nbundled = false\n")
    load_config(f)
    write(paths, text)
    cfg = load_config(f)
    assert len(cfg.problems) == 1, cfg.problems
    line = cfg.problems[0]
    assert line.startswith(f"{f}: ") and key in line and "\n" not in line
    assert cfg.bundled is False  # a wrong type never changes the corpus either


# --- key remapping, checked against the reader's bindings ---------------------------

@pytest.fixture
def scopes(paths):
    from tui.app import PapersApp

    return PapersApp(paths).keymap_scopes()


@pytest.mark.parametrize("keys, problem", [
    ({"bookmark": "ctrl+banana"}, "'ctrl+banana' is not a key"),
    ({"bookmark": "banana"}, "'banana' is not a key"),
    ({"bookmark": "hyper+"}, "not a key"),
    ({"bookmark": "cmd+b"}, "'cmd' is not a modifier"),
    ({"bookmark": "q"}, "q is the key of Quit"),
    ({"bookmark": "escape"}, "escape is the key of"),
    ({"bookmark": "?"}, "question_mark is the key of Help"),
    ({"bookmrk": "B"}, "bookmrk: no such binding id"),
])
def test_bad_bindings_are_refused_with_a_line(scopes, keys, problem):
    from tui.keymap import check_keymap

    good, problems = check_keymap(keys, scopes, Path("config.toml"))
    assert good == {}
    assert len(problems) == 1 and problems[0].startswith("config.toml: [keys] ") and problem in problems[0]


def test_good_bindings_swaps_and_keys_of_other_screens_are_accepted(scopes):
    from tui.keymap import check_keymap

    keys = {"bookmark": "B", "copy_link": "y,c", "help": "?,f1",
            "quit": "b",  # the key bookmark gave up
            "toggle_read": "m", "more_like": "r",  # a swap: neither keeps the other's key
            "triage_later": "b"}  # triage is a screen of its own
    assert check_keymap(keys, scopes) == (keys, [])


def test_a_refused_binding_frees_nothing_it_did_not_take(scopes):
    from tui.keymap import check_keymap

    # quit moves to "x" only if delete_saved gives "x" up; it does not (bad key)
    good, problems = check_keymap({"delete_saved": "ctrl+banana", "quit": "x"}, scopes)
    assert good == {} and len(problems) == 2


async def test_the_reader_reports_config_problems_and_keeps_q_for_quit(paths):
    from tui.app import PapersApp

    write(paths, '[keys]\nbookmark = "q"\ncopy_link = "ctrl+banana"\n\n[app]\nbundled = "no"\n[colours]\n')
    app = PapersApp(paths, watch_interval=0, dwell=0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        for key in ("[keys] bookmark", "[keys] copy_link", "[app] bundled", "[colours]"):
            assert any(key in m and str(paths.config_file) in m for m in messages), (key, messages)
        await pilot.press("escape", "q")  # from the search box, where the reader starts, to the list
        await pilot.pause(0.2)
    assert app.return_code == 0  # q still quits


def test_the_command_line_reports_config_problems_and_keeps_the_samples_out(paths, capsys):
    """Invalid TOML used to be silent on the command line, and its defaults
    brought the 285 sample papers back into an index built without them."""
    import json

    from helpers import text_digest
    from tui.cli import main

    home = paths.data.parent
    f = write(paths, "[app]\nbundled = false\n")
    paths.digests.mkdir(parents=True)
    (paths.digests / "mine.txt").write_text(text_digest(["Quokka Counting", "Wombat Routing"]))
    assert main(["--data-dir", str(home), "digests", "--json"]) == 0
    capsys.readouterr()
    write(paths, "[app]\nbundled = false\n[keys\n")
    assert main(["--data-dir", str(home), "digests", "--json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert [d["name"] for d in (doc["digests"] if isinstance(doc, dict) else doc)] == ["mine"]
    lines = [line for line in err.splitlines() if str(f) in line]
    assert len(lines) == 1 and lines[0].startswith("papers: ") and "not valid TOML" in lines[0]
