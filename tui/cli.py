"""The ``papers`` command line. Every subcommand calls tui.core, prints, and
exits 0 (done), 1 (an unexpected failure) or 2 (a user error: bad file, bad
argument, unwritable folder), with a one-line message and no traceback."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Sequence

from . import __version__


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def _paths(args):
    from .core.paths import Paths

    return Paths.default(args.data_dir)


def _progress_printer(enabled: bool):
    if not enabled:
        return None
    last = [0.0]

    def show(done: int, total: int, message: str) -> None:
        import time

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


def open_index(args, rebuild: bool = False, quiet: bool = False):
    """Open (and update) the index, printing progress and notices on stderr."""
    from .core.index import Index, IndexError_

    paths = _paths(args)
    progress = _progress_printer(sys.stderr.isatty() and not quiet)
    try:
        from .core.library import Library, LibraryError
    except ImportError:  # the library lands in its own change
        library = None
    else:
        try:
            library = Library.open(paths)
        except LibraryError as e:
            raise UserError(str(e)) from None
        args._library = library
        for n in getattr(library, "notices", ()):
            print(f"papers: {n}", file=sys.stderr)
    try:
        index, report = Index.open(paths, progress=progress, library=library, rebuild=rebuild)
    except IndexError_ as e:
        raise UserError(str(e)) from None
    for n in report.notices:
        print(f"papers: {n}", file=sys.stderr)
    for err in report.errors:
        print(f"papers: skipped {err}", file=sys.stderr)
    return index, report


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _term_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


# --- subcommands -----------------------------------------------------------------

def cmd_search(args) -> int:
    index, _ = open_index(args)
    query = " ".join(args.query)
    res = index.search(query, limit=args.limit, offset=args.offset)
    if args.json:
        papers = index.catalog.get_many([h.id for h in res.hits])
        out = []
        for h in res.hits:
            p = papers[h.id]
            d = p.as_json()
            d["score"] = round(h.score, 4)
            d["title_highlights"] = [list(s) for s in h.title_spans]
            frag, spans = index.snippet(p.abstract, res.terms)
            d["fragment"] = {"text": frag, "highlights": [list(s) for s in spans]}
            out.append(_with_library(args, d))
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = _term_width()
    if not res.hits:
        print(f"no papers match {query!r}" if query.strip() else "no papers")
    papers = index.catalog.get_many([h.id for h in res.hits])
    for i, h in enumerate(res.hits, res.offset + 1):
        p = papers[h.id]
        where = ", ".join(dict.fromkeys(a.label or a.digest for a in p.appearances))
        print(f"{i:>3}. {_clip(h.title, width - 6)}")
        print(f"     {h.id} · {_clip(where, 40)} · {p.primary_link}")
    shown = f"{res.offset + 1}–{res.offset + len(res.hits)} of " if res.hits else ""
    print(f"{shown}{res.total} papers ({res.elapsed_ms:.0f} ms)", file=sys.stderr)
    if res.suggestion:
        print(f"did you mean: {res.suggestion}", file=sys.stderr)
    for n in res.notes:
        print(f"note: {n}", file=sys.stderr)
    return 0


def _with_library(args, d: dict) -> dict:
    """Hook for the library's fields in JSON output (bookmarked, tags, note, read)."""
    lib = getattr(args, "_library", None)
    if lib is not None:
        d.update(lib.json_fields(d["id"]))
    return d


def cmd_digests(args) -> int:
    index, _ = open_index(args)
    infos = index.digests()
    papers = index.count()
    entries = index.catalog.entry_count()
    if args.json:
        json.dump({
            "digests": [i.as_json() for i in infos],
            "totals": {"digests": sum(1 for i in infos if not i.error), "entries": entries,
                       "papers": papers, "problems": sum(len(i.problems) for i in infos),
                       "skipped": sum(1 for i in infos if i.error)},
        }, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{'digest':<34} {'label':<12} {'entries':>7} {'problems':>8}  origin")
    for i in infos:
        if i.error:
            print(f"{_clip(i.name, 34):<34} {'-':<12} {'-':>7} {'-':>8}  {i.origin}  SKIPPED: {i.error}")
            continue
        print(f"{_clip(i.name, 34):<34} {_clip(i.label or '-', 12):<12} {i.entries:>7} {len(i.problems):>8}  {i.origin}")
        for prob in i.problems[:5] if args.verbose else ():
            print(f"    {prob}")
    ok = sum(1 for i in infos if not i.error)
    print(f"{ok} digests, {entries} entries, {papers} papers")
    return 0


def cmd_add(args) -> int:
    from .core.digest import DigestError, parse_file
    from .core.paths import DIGEST_SUFFIXES

    paths = _paths(args)
    files: list[Path] = []
    for raw in args.files:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in DIGEST_SUFFIXES)
            if not found:
                raise UserError(f"{p}: no digest files (*.txt, *.json) in this folder")
            files += found
        else:
            files.append(p)
    parsed = []
    bad = []
    for f in files:
        try:
            parsed.append((f, parse_file(f)))
        except DigestError as e:
            bad.append(str(e))
    if bad:
        for b in bad:
            print(f"papers: {b}", file=sys.stderr)
        print("papers: nothing was added", file=sys.stderr)
        return 2
    from .core.papers import paper_id

    index, _ = open_index(args, quiet=True)
    for f, d in parsed:
        ids = [paper_id(e.title) for e in d.entries]
        known = index.catalog.get_many(ids)
        print(f"{f}: {len(d.entries)} papers ({len(known)} already known, {len(set(ids)) - len(known)} new),"
              f" label {d.label or '-'}, {d.format}")
        for prob in d.problems:
            print(f"    {prob.format(f)}")
    if args.dry_run:
        print("dry run: nothing was added")
        return 0
    target = paths.digests
    try:
        target.mkdir(parents=True, exist_ok=True)
        copied = []
        existing = {p.read_bytes(): p for p in target.iterdir() if p.is_file()} if len(parsed) else {}
        for f, d in parsed:
            data = f.read_bytes()
            if data in existing:
                print(f"{f}: already imported as {existing[data].name}")
                continue
            dest = target / f.name
            n = 2
            while dest.exists():
                dest = target / f"{f.stem}-{n}{f.suffix}"
                n += 1
            tmp = dest.with_name("." + dest.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, dest)
            existing[data] = dest
            copied.append(dest)
    except OSError as e:
        raise UserError(f"cannot copy into {target}: {e.strerror or e}") from None
    index.close()
    index, report = open_index(args)
    print(f"added {len(copied)} digest(s); {report.papers_written} papers indexed; {index.count()} papers in all")
    return 0


def cmd_reindex(args) -> int:
    index, report = open_index(args, rebuild=True)
    print(f"indexed {index.count()} papers from {len(report.added)} digests in {report.seconds:.1f} s")
    return 0


def cmd_app(args) -> int:
    try:
        from .app import run
    except ImportError as e:  # pragma: no cover - the reader is always installed with the package
        raise UserError(f"the reader cannot start: {e}") from None
    return run(_paths(args))


# --- parser ------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papers", description="A terminal reader for research-paper digests.")
    parser.add_argument("--version", action="version", version=f"papers {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="keep data, cache and config under DIR (also: PAPERS_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("search", help="search the papers")
    p.add_argument("query", nargs="+", help="words or Whoosh query syntax")
    p.add_argument("--limit", type=int, default=10, help="how many hits (default 10)")
    p.add_argument("--offset", type=int, default=0, help="skip this many hits")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("digests", help="list the digests in the corpus")
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="show parse problems")
    p.set_defaults(func=cmd_digests)

    p = sub.add_parser("add", help="import digest files (or folders of them)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="only show what would be imported")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("reindex", help="rebuild the search index from scratch")
    p.set_defaults(func=cmd_reindex)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "limit", 1) is not None and getattr(args, "limit", 1) < 1:
        parser.error("--limit must be at least 1")
    func = getattr(args, "func", cmd_app)
    try:
        return func(args) or 0
    except UserError as e:
        print(f"papers: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("papers: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
