"""One command's session: where its data is, and the index and the library
it opened through one :class:`tui.core.session.Session`, with what the
opening did printed as ``papers: …`` lines on stderr. ``main`` makes one for
each command, hands it to the command with the command's arguments, and
closes what it opened when the command ends: the index is opened once per
command (again only to rebuild a damaged one), the library once."""

from __future__ import annotations

import sys
from functools import cached_property

from ..console import UserError, plural, progress_printer
from ..core.text import one_line
from .common import catch_up_failed


def say(line: str) -> None:
    """A ``papers: …`` line on stderr; what it names (a file, a folder, a
    reason) on one line, without escape sequences or control characters."""
    print(f"papers: {one_line(str(line))}", file=sys.stderr)


class Context:
    def __init__(self, data_dir: str | None = None):
        self.data_dir = data_dir
        self.index = None
        self.library = None
        #: what the rebuild of a damaged index need not say again (None: no rebuild yet)
        self.said: set[str] | None = None

    @cached_property
    def paths(self):
        from ..core.paths import Paths

        return Paths.default(self.data_dir)

    @cached_property
    def session(self):
        from ..core.session import Session

        return Session(self.paths)

    def open_index(self, rebuild: bool = False, quiet: bool = False):
        """Open (and update) the index, printing progress and notices on stderr.

        First the watched folders are imported into the user digests folder; after
        the sync, watches (saved searches with ``watch`` on) tag the papers it
        brought in, one line each on stderr."""
        from ..core.index import IndexError_
        from ..core.library import LibraryError

        session = self.session
        imported = session.import_watched()
        for line in imported.problems:
            say(line)
        if imported.summary:
            say(f"imported {imported.summary}")
        progress = progress_printer(sys.stderr.isatty() and not quiet)
        if self.library is not None:  # opened again (to rebuild a damaged index): one library at a time
            self.library.close()
        try:
            self.library = session.open_library()
        except LibraryError as e:
            raise UserError(str(e)) from None
        for n in self.library.notices:
            say(n)
        # the same digests as the reader: [app] bundled = false leaves out the samples
        # (config.toml read now for its problems; the digests listed once the index is locked)
        for line in session.check_config():
            say(line)
        self.close_index()
        try:
            opened = session.open_index(progress, rebuild)
        except IndexError_ as e:
            raise UserError(str(e)) from None
        self.index = opened.index
        report = opened.report
        said = self.said or set()
        for n in report.notices:
            if n not in said:
                say(n)
        for err in report.errors:
            say(f"skipped {err}")
        if opened.watches_error:
            say(f"watches not applied: {opened.watches_error}")
        if opened.catch_up_error:
            catch_up_failed(opened.catch_up_error)
        for name, pids in opened.watches:
            shown = ", ".join(pids[:5]) + (", ..." if len(pids) > 5 else "")
            print(f"papers: watch {name}: {plural(len(pids), 'new paper')} tagged watch:{name} ({shown})",
                  file=sys.stderr)
        for name, pids in opened.followed:
            shown = ", ".join(pids[:5]) + (", ..." if len(pids) > 5 else "")
            print(f"papers: following {name}: {plural(len(pids), 'new paper')} ({shown})", file=sys.stderr)
        return opened.index, report

    def open_library(self):
        """Open just the library (no index needed), its notices on stderr."""
        from ..core.library import LibraryError

        try:
            self.library = self.session.open_library()
        except LibraryError as e:
            raise UserError(str(e)) from None
        for n in self.library.notices:
            say(n)
        return self.library

    def close_index(self) -> None:
        """Close the index this command opened, if it did."""
        index, self.index = self.index, None
        if index is not None:
            index.close()

    def close(self) -> None:
        """The command ended: what it opened is closed now, not when collected."""
        self.close_index()
        library, self.library = self.library, None
        if library is not None:
            library.close()
