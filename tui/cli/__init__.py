"""The ``papers`` command line. Every subcommand calls tui.core, prints, and
exits 0 (done), 1 (an unexpected failure) or 2 (a user error: bad file, bad
argument, unwritable folder), with a one-line message and no traceback.

* :mod:`.main` -- the parser and ``main``, which runs each command as
  ``command(args, ctx)`` with one :class:`~.context.Context` (its session);
* :mod:`.digest_commands` -- search, digests, add, watch, reindex, app;
* :mod:`.library_commands` -- bookmarks, bookmark, note, tag, read, export, import, saved;
* :mod:`.fetch_command` -- fetch (days of the Daily Papers API, then indexed);
* :mod:`.context` -- a command's session: the index and library it opened, closed at its end;
* :mod:`.common` -- what the commands print alike.
"""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
