"""What the commands share: opening the index and library (through
tui.core.session), printing what the opening did as ``papers: …`` lines on
stderr, a page of search results, and catching the index up after a change."""

from __future__ import annotations

import json
import shutil
import sys

from ..console import UserError, plural, progress_printer


def data_paths(args):
    from ..core.paths import Paths

    return Paths.default(args.data_dir)


def open_index(args, rebuild: bool = False, quiet: bool = False):
    """Open (and update) the index, printing progress and notices on stderr.

    First the watched folders are imported into the user digests folder; after
    the sync, watches (saved searches with ``watch`` on) tag the papers it
    brought in, one line each on stderr."""
    from ..core.index import IndexError_
    from ..core.library import LibraryError
    from ..core.session import Session

    session = Session(data_paths(args))
    imported = session.import_watched()
    for line in imported.problems:
        print(f"papers: {line}", file=sys.stderr)
    if imported.summary:
        print(f"papers: imported {imported.summary}", file=sys.stderr)
    progress = progress_printer(sys.stderr.isatty() and not quiet)
    previous = getattr(args, "_library", None)
    if previous is not None:  # opened again (papers add): one library per command
        previous.close()
    try:
        library = session.open_library()
    except LibraryError as e:
        raise UserError(str(e)) from None
    args._library = library
    for n in library.notices:
        print(f"papers: {n}", file=sys.stderr)
    # the same digests as the reader: [app] bundled = false leaves out the samples
    # (read now for config.toml's problems; listed again once the index is locked)
    session.sources()
    for line in session.config_problems:
        print(f"papers: {line}", file=sys.stderr)
    close_index(args)
    try:
        opened = session.open_index(progress, rebuild)
    except IndexError_ as e:
        raise UserError(str(e)) from None
    args._index = opened.index
    report = opened.report
    said = getattr(args, "_said", None) or set()
    for n in report.notices:
        if n not in said:
            print(f"papers: {n}", file=sys.stderr)
    for err in report.errors:
        print(f"papers: skipped {err}", file=sys.stderr)
    if opened.watches_error:
        print(f"papers: watches not applied: {opened.watches_error}", file=sys.stderr)
    if opened.catch_up_error:
        _catch_up_failed(opened.catch_up_error)
    for name, pids in opened.watches:
        shown = ", ".join(pids[:5]) + (", ..." if len(pids) > 5 else "")
        print(f"papers: watch {name}: {plural(len(pids), 'new paper')} tagged watch:{name} ({shown})",
              file=sys.stderr)
    return opened.index, report


def close_index(args) -> None:
    """Close the index this command opened, if it did."""
    index = getattr(args, "_index", None)
    args._index = None
    if index is not None:
        index.close()


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def term_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def show_search(args, index, query: str) -> int:
    """Print a page of results (``args.limit``, ``args.offset``, ``args.json``)."""
    res = index.search(query, limit=args.limit, offset=args.offset)
    if args.json:
        papers = index.get_many([h.id for h in res.hits])
        out = []
        for h in res.hits:
            p = papers[h.id]
            d = p.as_json()
            d["score"] = round(h.score, 4)
            d["title_highlights"] = [list(s) for s in h.title_spans]
            frag, spans = index.snippet(p.abstract, res.terms)
            d["fragment"] = {"text": frag, "highlights": [list(s) for s in spans]}
            out.append(with_library(args, d))
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = term_width()
    if not res.hits and res.total and res.offset >= res.total:  # paged past the last hit
        print(f"--offset {res.offset} is past the end: {plural(res.total, 'paper')} "
              f"match{'es' if res.total == 1 else ''} {query!r}", file=sys.stderr)
        return 0
    if not res.hits:
        print(f"no papers match {query!r}" if query.strip() else "no papers")
    papers = index.get_many([h.id for h in res.hits])
    for i, h in enumerate(res.hits, res.offset + 1):
        p = papers[h.id]
        where = ", ".join(dict.fromkeys(a.label or a.digest for a in p.appearances))
        print(f"{i:>3}. {clip(h.title, width - 6)}")
        print(f"     {h.id} · {clip(where, 40)} · {p.primary_link}")
    shown = f"{res.offset + 1}–{res.offset + len(res.hits)} of " if res.hits else ""
    print(f"{shown}{plural(res.total, 'paper')} ({res.elapsed_ms:.0f} ms)", file=sys.stderr)
    if res.suggestion:
        print(f"did you mean: {res.suggestion}", file=sys.stderr)
    for n in res.notes:
        print(f"note: {n}", file=sys.stderr)
    return 0


def with_library(args, d: dict) -> dict:
    """Hook for the library's fields in JSON output (bookmarked, tags, note, read)."""
    lib = getattr(args, "_library", None)
    if lib is not None:
        d.update(lib.json_fields(d["id"]))
    return d


def sync_index(index, library) -> None:
    """Re-index the papers whose library state changed, so that ``is:``,
    ``tag:`` and ``note:`` searches see the change at once.

    ``catch_up`` rather than ``update_library(ids)``: it re-indexes every paper
    changed since the index last looked (this command's, and any another
    process saved meanwhile) and so never records a generation whose changes
    it has not applied."""
    try:
        index.catch_up(library)
    except Exception as e:  # the change is saved; the next start catches up
        _catch_up_failed(type(e).__name__)


def _catch_up_failed(error: str) -> None:
    print(f"papers: saved; the search index will catch up on the next start ({error})", file=sys.stderr)
