"""What the command line and ``papers bench`` share on the terminal: the error
a user can fix, the progress bar drawn on stderr, and :func:`plural` for the
counts in messages (``1 paper``, ``2 papers``). No Textual here."""

from __future__ import annotations

import errno
import sys
import time

from .core.text import plural

__all__ = ["UserError", "plural", "progress_printer"]


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def os_reason(e: OSError) -> str:
    """Why a file could not be written, a full disk named as such."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk full"
    return e.strerror or str(e)


def progress_printer(enabled: bool):
    """A progress callback ``(done, total, message)`` drawing a bar on stderr
    at most ten times a second (and at the end), or None when not ``enabled``."""
    if not enabled:
        return None
    last = [0.0]

    def show(done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {message[:60]:<60}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
