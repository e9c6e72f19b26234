"""A real terminal for the end-to-end tests: tmux runs ``papers``, send-keys
types, capture-pane reads the screen."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            if shutil.which("tmux") is None:
                item.add_marker(pytest.mark.skip(reason="tmux is not installed (.ci/run installs it)"))


@pytest.fixture(scope="session", autouse=True)
def own_tmux_server(tmp_path_factory):
    """A tmux server of the tests' own, its socket in a folder of theirs
    (TMUX_TMPDIR, which every tmux command here inherits), kept running while
    it has no session: another tmux user of the machine, or the server exiting
    as a test closes the last session, cannot take it away from the next test
    ("server exited unexpectedly")."""
    if shutil.which("tmux") is None:
        yield
        return
    saved = {name: os.environ.get(name) for name in ("TMUX_TMPDIR", "TMUX")}
    os.environ["TMUX_TMPDIR"] = str(tmp_path_factory.mktemp("tmux"))
    os.environ.pop("TMUX", None)  # inside tmux, commands would go to that server
    subprocess.run(["tmux", "start-server", ";", "set-option", "-s", "exit-empty", "off"], check=True)
    yield
    subprocess.run(["tmux", "kill-server"], capture_output=True)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class Term:
    """One ``papers`` in its own tmux session."""

    def __init__(self, home: Path, width: int = 120, height: int = 36, env: dict[str, str] | None = None,
                 unset: tuple[str, ...] = (), wrap: tuple[str, ...] = ()):
        self.name = f"papers-{uuid.uuid4().hex[:8]}"
        self.home = home
        assigns = {"PAPERS_HOME": str(home), "TERM": "xterm-256color", **(env or {})}
        # Without a terminal (CI), pytest exports COLUMNS=80 LINES=24, and Textual takes
        # those over the pane's real size: drop them so the app sees the tmux pane.
        drop = " ".join(f"-u {name}" for name in ("COLUMNS", "LINES", *unset))
        env_args = " ".join(f"{k}={v}" for k, v in assigns.items())
        prefix = " ".join(wrap)  # e.g. setpriv … to run as another user
        cmd = f"{prefix} env {drop} {env_args} {sys.executable} -m tui; echo EXITED $?; sleep 60"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), cmd],
                       check=True)

    def keys(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run(args + list(keys), check=True)

    def type(self, text: str, wait: bool = True) -> None:
        """Type like a person (a key every 30 ms) and wait until the screen shows it."""
        for ch in text:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", ch], check=True)
            time.sleep(0.03)
        if wait:
            self.wait_for(text, timeout=10)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True,
                              text=True, check=True).stdout

    def wait_for(self, text: str | re.Pattern, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if (text.search(screen) if isinstance(text, re.Pattern) else text in screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def app_pid(self) -> int:
        """The pid of the ``python -m tui`` process (the pane runs it under a shell)."""
        shell = subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_pid}"],
                               capture_output=True, text=True, check=True).stdout.strip()
        kids = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
        assert kids, "papers is not running"
        return int(kids[0])

    def to_list(self) -> None:
        """From the search box, where the reader starts, to the list (tab)."""
        self.keys("Tab")
        time.sleep(0.3)

    def search(self, query: str, expect: str) -> str:
        """Focus the search box, type ``query``, wait for ``expect`` in the results."""
        self.keys("/")
        self.type(query)
        return self.wait_for(expect)

    def quit(self) -> None:
        self.keys("Escape")
        time.sleep(0.5)  # ESC followed at once by q would read as alt+q
        self.keys("q")
        self.wait_for("EXITED 0")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def papers(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(home), *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def term(tmp_path):
    """``term(**kw)`` starts ``papers`` in tmux with PAPERS_HOME=tmp_path/home."""
    terms = []

    def start(home: Path | None = None, **kw):
        t = Term(home or tmp_path / "home", **kw)
        terms.append(t)
        return t

    yield start
    for t in terms:
        t.close()
