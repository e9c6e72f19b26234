"""The fixtures every test module may ask for. What tests share that is not a
fixture (digests made up for a test, the steps of a Pilot test) is in helpers.py."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from helpers import StandIn
from tui.core.paths import BUNDLED_DIGESTS, Paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A fresh home of the test's own, empty: a first start builds the index."""
    return Paths.default(tmp_path / "home")


@pytest.fixture(scope="session")
def bundled_index_built(tmp_path_factory) -> Path:
    """The index folder (Whoosh and catalog) of the bundled digests, built once
    per session as a first start builds it; tests copy it (``bundled_index``)
    and never write here."""
    from tui.core.session import Session

    session = Session(Paths.default(tmp_path_factory.mktemp("bundled-index") / "home"))
    session.open_library()
    opened = session.open_index()
    assert opened.report.rebuilt and opened.index.count() == 285
    session.close()
    return session.paths.index


@pytest.fixture
def bundled_index(paths: Paths, bundled_index_built: Path) -> Paths:
    """``paths`` with the index of the bundled digests in it, copied from the
    one built for the session: the reader opens it as a second start does
    (nothing to re-index) instead of building it. For tests whose subject is
    not the first build; the library and the rest of the home stay fresh."""
    shutil.copytree(bundled_index_built, paths.index)
    return paths


@pytest.fixture
def opened(bundled_index):
    """The index and the library of ``bundled_index``, open, closed after the test."""
    from tui.core.index import Index
    from tui.core.library import Library

    index, _ = Index.open(bundled_index)
    library = Library.open(bundled_index)
    yield index, library
    library.close()
    index.close()


@pytest.fixture
def bundled() -> list[Path]:
    return sorted(BUNDLED_DIGESTS.glob("*.txt"))


@pytest.fixture
def api():
    """A stand-in Daily Papers API on 127.0.0.1 (see helpers.StandIn)."""
    stand_in = StandIn()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.fixture
def refused_port() -> int:
    """A port of 127.0.0.1 that refuses connections: bound by this test and
    never listened on, held until the test ends so that no other test (nor a
    stand-in API of a test running beside it) can be given it meanwhile."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
