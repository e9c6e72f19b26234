"""``papers bench``: one reproducible run that measures parsing, the index, search
and the reader's start-up on a synthetic corpus (:mod:`.synth`).

Every step goes through the code the program itself uses: digests are parsed
with ``parse_file``; the index is opened with ``Index.open`` on a ``Paths``
home whose digests are user digests, with the bundled ones switched off in its
config (the sources the reader uses); the library is the real SQLite library,
seeded with a few bookmarks, tags, notes and read marks so that ``tag:`` and
``is:`` queries have something to find; the reader is ``PapersApp``, run
headless in a fresh process.

Start-up times run from the moment the parent process takes ``time.time()``,
just before it spawns the child (passed in ``PAPERS_BENCH_T0``), to the
``time.time()`` the child reads when the event happens; so they include the
interpreter's own start and every import. Headless, Textual lays out and
renders every widget; only the bytes for a terminal are not produced.

SQLite FTS5 on the same papers and queries is measured as a reference.

* :mod:`.run` -- the :class:`~.run.Bench` run: work folder, corpus, each step;
* :mod:`.child` -- the reader and the bare app, each in a child process;
* :mod:`.report` -- the readable table; :mod:`.targets` -- targets, query mix;
* :mod:`.command` -- the ``papers bench`` arguments and command.

``papers`` imports this package for its arguments on every start: nothing
here imports more than the standard library until a run starts.
"""

from .command import add_arguments, cmd_bench


def render(out: dict) -> str:
    """The readable table of a run's figures (:func:`.report.render`)."""
    from .report import render

    return render(out)


__all__ = ["add_arguments", "cmd_bench", "render"]
