"""The fixtures every test module may ask for. What tests share that is not a
fixture (digests made up for a test, the steps of a Pilot test) is in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import StandIn
from tui.core.paths import BUNDLED_DIGESTS, Paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.default(tmp_path / "home")


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
