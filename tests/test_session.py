"""tui.core.session: the library and the index opened the way the command line
and the reader need them, everything that happened returned as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import text_digest
from tui.core.config import Config, add_watched, load_config
from tui.core.fsio import FileLock
from tui.core.library import Library
from tui.core.papers import paper_id
from tui.core.paths import Paths
from tui.core.session import Session

QUOKKA = "Counting Quokkas With Transformers"
WOMBAT = "Wombat Routing With Graphs"


@pytest.fixture
def paths(tmp_path) -> Paths:
    """A home without the bundled digests (quick to index), with one digest."""
    paths = Paths.default(tmp_path / "home")
    paths.config.mkdir(parents=True)
    paths.config_file.write_text("[app]\nbundled = false\n")
    paths.digests.mkdir(parents=True)
    (paths.digests / "first.txt").write_text(text_digest(["Vision Transformers at Scale", "Speech Tokens"]))
    return paths


@pytest.fixture
def drop(tmp_path, paths) -> Path:
    """A watched folder with a digest waiting in it."""
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "aug9.txt").write_text(text_digest([QUOKKA, WOMBAT], label="Aug 9"))
    add_watched(paths.watched_file, folder)
    return folder


def first_opening(paths: Paths, *, watch: str | None = None, reader: bool = False) -> None:
    """Build the index once (and save a watch), so that what comes next is new."""
    session = Session(paths, reader=reader)
    library = session.open_library()
    if watch:
        library.save_search("quokkas", watch, watch=True)
    session.open_index()
    session.close()


def test_a_watched_folders_digest_is_imported_and_a_watch_tags_its_papers(paths, drop):
    first_opening(paths, watch="quokka")
    session = Session(paths)
    imported = session.import_watched()
    assert imported.problems == [] and imported.summary == "1 new digest from watched folders"
    assert (paths.digests / "aug9.txt").read_text() == (drop / "aug9.txt").read_text()
    library = session.open_library()
    assert library.notices == []
    opened = session.open_index()
    try:
        assert opened.report.added == ["aug9"] and opened.report.errors == []
        assert opened.watches == [("quokkas", [paper_id(QUOKKA)])]
        assert opened.watches_error is None and opened.catch_up_error is None
        assert library.get(paper_id(QUOKKA)).tags == ("watch:quokkas",)
        assert library.get(paper_id(WOMBAT)) is None
        # the index caught up with the tag the watch added
        assert [h.id for h in opened.index.search("tag:watch:quokkas").hits] == [paper_id(QUOKKA)]
        # the command line records no opening: "what's new" is the reader's
        assert opened.new_digests == [] and library.last_opened() is None
    finally:
        session.close()
    again = Session(paths)
    assert again.import_watched() == type(imported)()  # nothing new: nothing copied, nothing said
    again.open_library()
    opened = again.open_index()
    assert opened.report.added == [] and opened.watches == []
    again.close()


def test_new_digests_are_recorded_only_by_the_reader(paths):
    first_opening(paths, reader=True)
    (paths.digests / "fresh.txt").write_text(text_digest([QUOKKA], label="Aug 9"))
    cli = Session(paths)
    cli.open_library()
    assert cli.open_index().new_digests == []
    cli.close()
    with Library.open(paths) as library:
        assert library.new_digests(["first", "fresh"]) == ["fresh"]  # still new for the reader
    reader = Session(paths, load_config(paths.config_file), reader=True)
    reader.open_library()
    assert reader.open_index().new_digests == ["fresh"]
    reader.close()
    reader = Session(paths, load_config(paths.config_file), reader=True)
    reader.open_library()
    assert reader.open_index().new_digests == []  # seen now
    reader.close()


def test_the_reader_uses_the_config_it_was_given(paths, drop):
    config = load_config(paths.config_file)
    config.watched, config.bundled = [], True
    session = Session(paths, config, reader=True)
    assert session.import_watched().summary is None  # the list it started with: no folder
    assert not (paths.digests / "aug9.txt").exists()
    assert any(s.origin == "bundled" for s in session.sources())
    # the command line reads the files when it opens
    cli = Session(paths)
    assert not any(s.origin == "bundled" for s in cli.sources())
    assert cli.import_watched().summary.startswith("1 new")


def test_an_unreadable_list_of_watched_folders_is_one_line(paths):
    paths.watched_file.mkdir()  # a folder where the list should be
    imported = Session(paths).import_watched()
    assert len(imported.problems) == 1 and "watched.txt: cannot be read" in imported.problems[0]
    assert imported.summary is None
    # the reader was told when it read its config; the session says nothing more
    assert Session(paths, Config(), reader=True).import_watched().problems == []


def test_a_read_only_index_is_reported_and_no_watch_runs(paths, drop):
    first_opening(paths, watch="quokka")
    Session(paths).import_watched()
    holder = FileLock(paths.index / "write.lock")  # another process updating the index
    assert holder.acquire(0)
    try:
        session = Session(paths)
        library = session.open_library()
        opened = session.open_index()
        assert opened.report.readonly and opened.index.readonly
        assert any("read-only" in n for n in opened.report.notices)
        assert opened.report.added == [] and opened.watches == [] and opened.watches_error is None
        assert library.get(paper_id(QUOKKA)) is None
        session.close()
    finally:
        holder.release()
    session = Session(paths)  # the next opening that can write brings the digest in
    session.open_library()
    opened = session.open_index()
    assert opened.report.added == ["aug9"] and opened.watches == [("quokkas", [paper_id(QUOKKA)])]
    session.close()


def read_only_library_opening(paths: Paths, reader: bool):
    first_opening(paths, watch="quokka", reader=True)
    (paths.digests / "fresh.txt").write_text(text_digest([QUOKKA], label="Aug 9"))
    session = Session(paths, load_config(paths.config_file) if reader else None, reader=reader)
    library = session.open_library()
    library.readonly = True  # as Library.open leaves it for a read-only folder
    opened = session.open_index()
    session.close()
    with Library.open(paths) as library:
        assert library.get(paper_id(QUOKKA)) is None  # nothing changed
        assert library.new_digests(["first", "fresh"]) == ["fresh"]
    return opened


def test_a_read_only_library_the_command_line_reports_the_watches_not_applied(paths):
    opened = read_only_library_opening(paths, reader=False)
    assert opened.report.added == ["fresh"] and opened.watches == []
    assert "read-only" in opened.watches_error


def test_a_read_only_library_the_reader_leaves_watches_and_whats_new_alone(paths):
    opened = read_only_library_opening(paths, reader=True)
    assert opened.report.added == ["fresh"]
    assert opened.watches == [] and opened.watches_error is None and opened.new_digests == []


def test_without_a_library_the_index_still_opens(paths):
    session = Session(paths, load_config(paths.config_file), reader=True)
    opened = session.open_index()  # the reader carries on when the library cannot be opened
    assert opened.index.count() == 2 and opened.watches == [] and opened.new_digests == []
    session.close()
