"""Copying text to the system clipboard, each strategy reporting whether it worked.

The reader always also sends the text to the terminal with OSC 52 (Textual's
``App.copy_to_clipboard``), which works over SSH and in most terminals but never
acknowledges. This module adds the local clipboard tools (the same ones
pyperclip drives: wl-copy, xclip, xsel, pbcopy; pyperclip itself on Windows),
with their stderr captured — never written over the interface — and a timeout.
X11 tools are checked by reading the clipboard back: with a stale ``DISPLAY``
xclip exits 0 and copies nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

TIMEOUT = 2.0


@dataclass(frozen=True)
class CopyResult:
    ok: bool
    route: str  # "xclip", "wl-copy", ... or "" when nothing worked
    detail: str = ""  # why a route failed, one line


def _run(cmd: list[str], text: str | None = None) -> subprocess.CompletedProcess:
    """Run a clipboard tool; its output goes to temporary files, not pipes:
    xclip and xsel leave a child behind that serves the selection, and that
    child would hold a pipe open until the timeout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        res = subprocess.run(
            cmd, input=text.encode("utf-8") if text is not None else None, stdout=out, stderr=err,
            stdin=None if text is not None else subprocess.DEVNULL, timeout=TIMEOUT, start_new_session=True,
        )
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, res.returncode, out.read().decode("utf-8", "replace"),
                                           err.read().decode("utf-8", "replace"))


def _strategies() -> list[tuple[str, list[str], list[str] | None]]:
    """(name, copy command, read-back command) for the tools this machine has."""
    out = []
    env = os.environ
    if sys.platform == "darwin" and shutil.which("pbcopy"):
        out.append(("pbcopy", ["pbcopy"], ["pbpaste"] if shutil.which("pbpaste") else None))
    if env.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        out.append(("wl-copy", ["wl-copy"], ["wl-paste", "--no-newline"] if shutil.which("wl-paste") else None))
    if env.get("DISPLAY"):
        if shutil.which("xclip"):
            out.append(("xclip", ["xclip", "-selection", "clipboard", "-in"],
                        ["xclip", "-selection", "clipboard", "-out"]))
        if shutil.which("xsel"):
            out.append(("xsel", ["xsel", "--clipboard", "--input"], ["xsel", "--clipboard", "--output"]))
    return out


def available_routes() -> list[str]:
    names = [name for name, _, _ in _strategies()]
    if sys.platform == "win32":
        names.append("pyperclip")
    return names


def copy_local(text: str) -> CopyResult:
    """Put ``text`` on the system clipboard with the first tool that provably works."""
    problems = []
    for name, cmd, readback in _strategies():
        try:
            res = _run(cmd, text)
            if res.returncode != 0:
                problems.append(f"{name}: {(res.stderr or 'failed').strip().splitlines()[0][:80]}")
                continue
            if readback:
                back = _run(readback)
                if back.returncode != 0 or back.stdout.rstrip("\n") != text.rstrip("\n"):
                    problems.append(f"{name}: the clipboard did not take the text")
                    continue
            return CopyResult(True, name)
        except subprocess.TimeoutExpired:
            problems.append(f"{name}: timed out")
        except OSError as e:
            problems.append(f"{name}: {e.strerror or e}")
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        try:
            import pyperclip

            pyperclip.copy(text)
            return CopyResult(True, "pyperclip")
        except Exception as e:
            problems.append(f"pyperclip: {e}")
    return CopyResult(False, "", "; ".join(problems) or "no clipboard tool (xclip, xsel, wl-copy, pbcopy) usable here")
