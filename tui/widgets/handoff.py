"""What the per-paper keys hand to other programs: text to the clipboard
(``y``, ``Y``), a link to the browser (``o``), a note to ``$EDITOR`` (``e``).

A widget with nothing to draw, on each screen that shows papers, that owns
the thread workers of the clipboard and the browser and says, once, what
happened: copied and how, or where to copy the text from by hand.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
import webbrowser
from pathlib import Path

from textual import work
from textual.widget import Widget

from .dialogs import TextDialog
from .render import one_line


class Handoff(Widget):
    DEFAULT_CSS = "Handoff { display: none; }"

    # -- the clipboard ---------------------------------------------------------------------------
    def copy(self, what: str, text: str) -> None:
        """Copy ``text`` (``what`` it is, for the notice): the terminal's
        clipboard (OSC 52, also over SSH) and the system's."""
        self.app.copy_to_clipboard(text)  # OSC 52: the terminal, also over SSH
        self._copy_local(what, text)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy_local(self, what: str, text: str) -> None:
        from ..core.clipboard import copy_local

        result = copy_local(text)
        self.app.call_from_thread(self._copied, what, text, result)

    def _copied(self, what: str, text: str, result) -> None:
        preview = one_line(text)[:60] + ("…" if len(one_line(text)) > 60 else "")
        if result.ok:
            self.notify(f"Copied {what}: {preview}\nvia {result.route} and the terminal (OSC 52)", markup=False, timeout=4)
        else:
            self.notify(f"Sent {what} to the terminal clipboard (OSC 52): {preview}\n"
                        f"{no_system_clipboard(result.detail)}", markup=False, severity="warning", timeout=6)
            self.app.push_screen(TextDialog(f"Copy the {what} from here", text))

    # -- the browser -----------------------------------------------------------------------------
    @work(thread=True, group="browser", exit_on_error=False)
    def open_browser(self, url: str) -> None:
        try:
            ok = webbrowser.open(url, new=2)
        except Exception:
            ok = False
        msg = f"Opened {url}" if ok else f"No browser found to open {url}; copy it with y"
        self.app.call_from_thread(self.notify, msg, markup=False, severity="information" if ok else "warning",
                                  timeout=4)

    # -- $EDITOR ---------------------------------------------------------------------------------
    def edit(self, before: str) -> str | None:
        """``before`` edited in ``$VISUAL`` or ``$EDITOR`` (else vi), the
        terminal handed over meanwhile; None when the editor could not run or
        failed (said, and nothing is changed)."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile("w", suffix=".md", prefix="papers-note-", delete=False, encoding="utf-8") as f:
            f.write(before)
            tmp = f.name
        try:
            try:
                with self.app.suspend():
                    code = subprocess.call([*shlex.split(editor), tmp])
            except Exception as e:  # no terminal to hand over (headless, some Windows consoles)
                self.notify(f"Cannot run the editor here: {e}", severity="error", markup=False)
                return None
            if code != 0:
                self.notify(f"{editor} exited with {code}; note unchanged", severity="warning", markup=False)
                return None
            return Path(tmp).read_text(encoding="utf-8")
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def no_system_clipboard(detail: str) -> str:
    """Why the system clipboard did not take the text, said once: "No system
    clipboard tool works here", and the tools tried or what went wrong."""
    detail = detail.strip().rstrip(".")
    if not detail:
        return "No system clipboard tool works here."
    if detail.casefold().startswith("no clipboard tool"):
        tried = re.search(r"\(([^)]*)\)", detail)
        return "No system clipboard tool works here" + (f" (tried {tried.group(1)})." if tried else ".")
    return f"No system clipboard tool works here: {detail}."
