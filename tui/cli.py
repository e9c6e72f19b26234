"""The ``papers`` command line. Every subcommand calls tui.core, prints, and
exits 0 (done), 1 (an unexpected failure) or 2 (a user error: bad file, bad
argument, unwritable folder), with a one-line message and no traceback."""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .console import UserError, progress_printer
from .core.fsio import atomic_write, write_new


def _paths(args):
    from .core.paths import Paths

    return Paths.default(args.data_dir)


def open_index(args, rebuild: bool = False, quiet: bool = False):
    """Open (and update) the index, printing progress and notices on stderr.

    First the watched folders are imported into the user digests folder; after
    the sync, watches (saved searches with ``watch`` on) tag the papers it
    brought in, one line each on stderr."""
    from .core.index import IndexError_
    from .core.library import LibraryError
    from .core.session import Session

    session = Session(_paths(args))
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
    try:
        # the same digests as the reader: [app] bundled = false leaves out the samples
        opened = session.open_index(progress, rebuild)
    except IndexError_ as e:
        raise UserError(str(e)) from None
    report = opened.report
    for n in report.notices:
        print(f"papers: {n}", file=sys.stderr)
    for err in report.errors:
        print(f"papers: skipped {err}", file=sys.stderr)
    if opened.watches_error:
        print(f"papers: watches not applied: {opened.watches_error}", file=sys.stderr)
    if opened.catch_up_error:
        _catch_up_failed(opened.catch_up_error)
    for name, pids in opened.watches:
        shown = ", ".join(pids[:5]) + (", ..." if len(pids) > 5 else "")
        print(f"papers: watch {name}: {len(pids)} new paper{'s' if len(pids) != 1 else ''} "
              f"tagged watch:{name} ({shown})", file=sys.stderr)
    return opened.index, report


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _term_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


# --- subcommands -----------------------------------------------------------------

def cmd_search(args) -> int:
    index, _ = open_index(args)
    return _show_search(args, index, " ".join(args.query))


def _show_search(args, index, query: str) -> int:
    """Print a page of results (``args.limit``, ``args.offset``, ``args.json``)."""
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

    if "-" in args.files:
        if len(args.files) > 1:
            raise UserError("- (a digest on stdin) cannot be combined with files")
        return _add_stdin(args)
    if args.name is not None:
        raise UserError("--name goes with - (a digest on stdin); files keep their names")
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
            dest, n = target / f.name, 2
            while True:
                try:
                    write_new(dest, data)
                    break
                except FileExistsError:
                    dest = target / f"{f.stem}-{n}{f.suffix}"
                    n += 1
            existing[data] = dest
            copied.append(dest)
    except OSError as e:
        raise UserError(f"cannot copy into {target}: {e.strerror or e}") from None
    index.close()
    index, report = open_index(args)
    print(f"added {len(copied)} digest(s); {report.papers_written} papers indexed; {index.count()} papers in all")
    return 0


def _add_stdin(args) -> int:
    """``papers add - [--name NAME]``: one digest from stdin, checked, then
    written into the user digests folder under a new name."""
    from .core.digest import DigestError
    from .core.watch import check_digest_name, default_stdin_name, read_digest, store_digest

    paths = _paths(args)
    if getattr(sys.stdin, "isatty", lambda: False)():
        raise UserError("add -: reads a digest from stdin; pipe or redirect one in")
    try:
        name = check_digest_name(args.name if args.name is not None else default_stdin_name())
    except ValueError as e:
        raise UserError(str(e)) from None
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    try:
        if args.dry_run:
            digest, dest = read_digest(data, name), None
        else:
            dest, digest = store_digest(paths, data, name)
    except DigestError as e:
        raise UserError(f"{e}; nothing was added") from None
    except FileExistsError as e:
        raise UserError(f"{e.filename}: a digest named {name!r} exists; choose another --name; "
                        "nothing was added") from None
    except OSError as e:
        raise UserError(f"cannot write into {paths.digests}: {e.strerror or e}; nothing was added") from None
    print(f"{dest.name if dest else name}: {len(digest.entries)} papers, label {digest.label or '-'}, "
          f"{digest.format}")
    for prob in digest.problems:
        print(f"    {prob.format(dest.name if dest else '<stdin>')}")
    if dest is None:
        print("dry run: nothing was added")
        return 0
    index, report = open_index(args)
    print(f"added {dest}; {report.papers_written} papers indexed; {index.count()} papers in all")
    index.close()
    return 0


def cmd_watch(args) -> int:
    """``papers watch [DIR] | --list | --remove DIR``."""
    from .core.config import add_watched, folder_key, load_watched, remove_watched

    paths = _paths(args)
    if args.remove is not None and (args.folder or args.list):
        raise UserError("--remove takes the folder itself: papers watch --remove DIR")
    try:
        if args.remove is not None:
            if not remove_watched(paths.watched_file, args.remove):
                raise UserError(f"{folder_key(args.remove)} is not watched (see papers watch --list)")
            print(f"stopped watching {folder_key(args.remove)}; the digests imported from it stay")
            return 0
        if args.folder and not args.list:
            folder = folder_key(args.folder)
            if not folder.is_dir():
                raise UserError(f"{args.folder}: not a folder")
            if folder == folder_key(paths.digests):
                raise UserError(f"{folder} is where papers keeps added digests; watch another folder")
            added = add_watched(paths.watched_file, folder)
            print(f"watching {folder}" if added else f"already watching {folder}")
            index, _ = open_index(args)
            print(f"{index.count()} papers in all")
            index.close()
            return 0
    except OSError as e:
        raise UserError(f"cannot change {paths.watched_file}: {e.strerror or e}") from None
    folders, problems = load_watched(paths.watched_file)
    for line in problems:
        print(f"papers: {line}", file=sys.stderr)
    if not folders:
        print("no watched folders; add one with: papers watch DIR", file=sys.stderr)
    for folder in folders:
        print(f"{folder}" + ("" if folder.is_dir() else "  (missing)"))
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


# --- the library: bookmarks, tags, notes, read state, export, import ---------------

def _library_command(func):
    """Open index and library for ``func(args, index, library)``; library errors
    and bad tags become one-line user errors; the library is closed after."""
    @functools.wraps(func)
    def run(args) -> int:
        from .core.library import InvalidTag, LibraryError

        try:
            index, _ = open_index(args, quiet=True)
            return func(args, index, args._library)
        except (LibraryError, InvalidTag) as e:
            raise UserError(str(e)) from None
        finally:
            library = getattr(args, "_library", None)
            if library is not None:
                library.close()
    return run


_HEX_RE = re.compile(r"[0-9a-f]+")
MIN_PREFIX = 6


def _resolve(index, library, raw: str):
    """``(paper id, Paper or None)`` for a full id or a unique prefix of at
    least 6 characters; papers known only to the library (their digest is
    gone) count too."""
    key = raw.strip().lower()
    if not _HEX_RE.fullmatch(key) or len(key) > 12:
        raise UserError(f"{raw!r} is not a paper id (12 hex digits, as `papers search` shows)")
    if len(key) == 12:
        paper = index.catalog.get(key)
        if paper is None and key not in library.touched_ids():
            raise UserError(f"unknown paper id {key}")
        return key, paper
    if len(key) < MIN_PREFIX:
        raise UserError(f"paper id {key!r} is too short: give at least {MIN_PREFIX} of its 12 characters")
    found = sorted({pid for pid in index.catalog.all_ids() if pid.startswith(key)}
                   | {pid for pid in library.touched_ids() if pid.startswith(key)})
    if not found:
        raise UserError(f"no paper id starts with {key}")
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise UserError(f"{key} matches {len(found)} papers ({shown}); give more characters")
    return found[0], index.catalog.get(found[0])


def _resolve_all(index, library, raws) -> list:
    """Every id resolved before anything changes: one bad id changes nothing."""
    out: dict = {}
    for raw in raws:
        pid, paper = _resolve(index, library, raw)
        out.setdefault(pid, paper)
    return list(out.items())


def _title(paper, record=None) -> str:
    from .core.text import strip_control

    if paper is not None:
        return strip_control(paper.title)
    if record is not None and record.snapshot is not None and record.snapshot.title:
        return strip_control(record.snapshot.title)
    return "(not in any digest)"


def _cli_tags(raw_tags) -> list[str]:
    from .core.library import normalize_tag
    from .core.text import strip_control

    return list(dict.fromkeys(normalize_tag(strip_control(t)) for t in raw_tags))


def _sync_index(index, library) -> None:
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


@_library_command
def cmd_bookmarks(args, index, library) -> int:
    recs = library.bookmarks(tag=args.tag, sort=args.sort)
    papers = index.catalog.get_many([r.id for r in recs])
    if args.json:
        out = []
        for r in recs:
            p = papers.get(r.id)
            s = r.snapshot
            out.append({
                "id": r.id, "title": _title(p, r),
                "link": p.primary_link if p else (s.link if s else None),
                "arxiv_id": p.arxiv_id if p else (s.arxiv_id if s else None),
                "authors": list(p.authors if p else (s.authors if s else ())),
                "in_corpus": p is not None,
                "bookmarked_at": r.bookmarked_at, "read_at": r.read_at,
                **r.json_fields(),
            })
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not recs:
        print("no bookmarks" + (f" tagged {args.tag}" if args.tag else ""), file=sys.stderr)
        return 0
    width = _term_width()
    tags = {r.id: ", ".join(r.tags) for r in recs}
    tag_w = min(30, max((len(t) for t in tags.values()), default=0))
    title_w = max(20, width - 14 - (tag_w + 2 if tag_w else 0))
    print((f"{'id':<12}  {'title':<{title_w}}" + ("  tags" if tag_w else "")).rstrip())
    for r in recs:
        line = f"{r.id:<12}  {_clip(_title(papers.get(r.id), r), title_w):<{title_w}}"
        if tag_w:
            line += f"  {_clip(tags[r.id], tag_w)}"
        print(line.rstrip())
    print(f"{len(recs)} bookmarks", file=sys.stderr)
    return 0


@_library_command
def cmd_bookmark(args, index, library) -> int:
    if args.remove and args.tag:
        raise UserError("--tag cannot be combined with --remove; use `papers tag ID TAG --remove`")
    targets = _resolve_all(index, library, args.ids)
    tags = _cli_tags(args.tag)
    results = []
    with library.batch():
        for pid, paper in targets:
            changed = library.set_bookmark(pid, not args.remove, paper)
            if tags:
                library.add_tags(pid, tags, paper)
            results.append((pid, paper, changed))
    _sync_index(index, library)
    for pid, paper, changed in results:
        if args.remove:
            what = "removed the bookmark of" if changed else "was not bookmarked:"
        else:
            what = "bookmarked" if changed else "already bookmarked:"
        print(f"{what} {pid}  {_clip(_title(paper, library.get(pid)), max(20, _term_width() - 40))}")
    return 0


@_library_command
def cmd_note(args, index, library) -> int:
    from .core.text import strip_control

    pid, paper = _resolve(index, library, args.id)
    if not args.text and not args.delete:
        rec = library.get(pid)
        if rec is None or rec.note is None:
            print(f"no note for {pid}", file=sys.stderr)
            return 0
        print(strip_control(rec.note))
        return 0
    if args.delete:
        text = ""
    elif args.text == ["-"]:
        text = sys.stdin.read()
    else:
        text = " ".join(args.text)
    text = strip_control(text).rstrip()  # no trailing newline from echo or an editor
    had = library.get(pid)
    changed = library.set_note(pid, text, paper)
    _sync_index(index, library)
    if not text.strip():
        print(f"deleted the note of {pid}" if had and had.note else f"{pid} had no note")
    else:
        print(f"saved the note of {pid}" if changed else f"the note of {pid} is unchanged")
    return 0


@_library_command
def cmd_tag(args, index, library) -> int:
    from .core.text import strip_control

    pid, paper = _resolve(index, library, args.id)
    if args.remove:
        if not library.remove_tags(pid, [strip_control(t) for t in args.tags]):
            print(f"{pid} had none of those tags", file=sys.stderr)
    else:
        library.add_tags(pid, _cli_tags(args.tags), paper)
    _sync_index(index, library)
    rec = library.get(pid)
    print(f"{pid} tags: {', '.join(rec.tags) if rec and rec.tags else '(none)'}")
    return 0


@_library_command
def cmd_read(args, index, library) -> int:
    targets = _resolve_all(index, library, args.ids)
    results = []
    with library.batch():
        for pid, paper in targets:
            results.append((pid, paper, library.set_read(pid, not args.unread, paper)))
    _sync_index(index, library)
    state = "unread" if args.unread else "read"
    for pid, paper, changed in results:
        print(f"{'marked' if changed else 'already'} {state}: {pid}  "
              f"{_clip(_title(paper, library.get(pid)), max(20, _term_width() - 40))}")
    return 0


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it holds the old content or the new,
    whatever happens."""
    path = path.expanduser()
    try:
        atomic_write(path, text)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None


@_library_command
def cmd_export(args, index, library) -> int:
    from .core.export import export, select

    text = export(library, args.what, args.format, catalog=index.catalog)
    if args.output and args.output != "-":
        _write_atomic(Path(args.output), text)
        n = len(select(library, args.what))
        print(f"exported {n} papers ({args.what}, {args.format}) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


@_library_command
def cmd_import(args, index, library) -> int:
    from .core.library import ImportFormatError

    path = Path(args.file).expanduser()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        report = library.import_json(data)
    except ImportFormatError as e:
        raise UserError(f"{path}: {e}; nothing was imported") from None
    _sync_index(index, library)
    print(f"imported {path}: {report.summary()}")
    for pid in report.notes_replaced:
        print(f"  {pid}: the imported note was newer and replaced the library's")
    for pid in report.notes_kept:
        print(f"  {pid}: the library's note was newer and was kept; the imported one was not applied")
    return 0


# --- saved searches and watches -------------------------------------------------------

def _library_only(func):
    """Open just the library for ``func(args, library)`` (no index needed)."""
    @functools.wraps(func)
    def run(args) -> int:
        from .core.library import InvalidSavedSearch, Library, LibraryError

        try:
            with Library.open(_paths(args)) as library:
                for n in library.notices:
                    print(f"papers: {n}", file=sys.stderr)
                return func(args, library)
        except (LibraryError, InvalidSavedSearch) as e:
            raise UserError(str(e)) from None
    return run


def _saved_or_fail(library, name: str):
    found = library.saved_search(name)
    if found is None:
        raise UserError(f"no saved search named {name!r} (see papers saved)")
    return found


@_library_only
def cmd_saved_list(args, library) -> int:
    searches = library.saved_searches()
    if args.json:
        json.dump([{**s.as_json(), "checked_at": s.checked_at} for s in searches],
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not searches:
        print("no saved searches; add one with: papers saved add NAME QUERY", file=sys.stderr)
        return 0
    name_w = min(30, max(len(s.name) for s in searches))
    print(f"{'name':<{name_w}}  watch  query")
    for s in searches:
        print(f"{_clip(s.name, name_w):<{name_w}}  {'yes' if s.watch else 'no':<5}  {s.query}")
    return 0


@_library_only
def cmd_saved_add(args, library) -> int:
    from .core.text import strip_control

    before = library.saved_search(args.name)
    s = library.save_search(strip_control(args.name), " ".join(args.query), watch=args.watch)
    what = "saved" if before is None else ("unchanged:" if before == s else "replaced")
    print(f"{what} {s.name}: {s.query}" + ("  (watch on: new papers that match are tagged "
                                           f"{s.tag})" if s.watch else ""))
    return 0


@_library_only
def cmd_saved_rm(args, library) -> int:
    found = _saved_or_fail(library, args.name)
    library.delete_search(found.name)
    print(f"removed the saved search {found.name}" + (f"; papers keep the tag {found.tag}" if found.watch else ""))
    return 0


@_library_only
def cmd_saved_watch(args, library) -> int:
    s = library.set_watch(_saved_or_fail(library, args.name).name, not args.off)
    assert s is not None
    print(f"watch {'on' if s.watch else 'off'}: {s.name}" +
          (f" (papers added from now on that match {s.query!r} are tagged {s.tag})" if s.watch else ""))
    return 0


@_library_command
def cmd_saved_run(args, index, library) -> int:
    found = _saved_or_fail(library, args.name)
    if not args.json:
        print(f"saved search {found.name}: {found.query}", file=sys.stderr)
    return _show_search(args, index, found.query)


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

    p = sub.add_parser("add", help="import digest files (or folders of them); - reads one from stdin")
    p.add_argument("files", nargs="+", metavar="FILE", help="a digest file, a folder of them, or - for stdin")
    p.add_argument("--dry-run", action="store_true", help="only show what would be imported")
    p.add_argument("--name", metavar="NAME",
                   help="with -: the digest's name (default stdin-YYYYmmdd-HHMMSS)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("watch", help="import digests from a folder on every start; --list, --remove")
    p.add_argument("folder", nargs="?", metavar="DIR", help="the folder to watch")
    p.add_argument("--list", action="store_true", help="list the watched folders (the default)")
    p.add_argument("--remove", metavar="DIR", help="stop watching DIR (its digests stay)")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("saved", help="saved searches: list; add, rm, run, watch")
    p.add_argument("--json", action="store_true", help="list as a JSON array")
    p.set_defaults(func=cmd_saved_list)
    saved = p.add_subparsers(dest="saved_command", metavar="SUBCOMMAND")
    q = saved.add_parser("add", help="save a search (an existing name gets the new query)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("query", nargs="+", metavar="QUERY", help="words or query syntax, as for search")
    q.add_argument("--watch", action=argparse.BooleanOptionalAction, default=None,
                   help="tag new papers that match it watch:NAME (--no-watch: off; default: unchanged)")
    q.set_defaults(func=cmd_saved_add)
    q = saved.add_parser("rm", help="forget a saved search")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=cmd_saved_rm)
    q = saved.add_parser("run", help="search with a saved search")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--limit", type=int, default=10, help="how many hits (default 10)")
    q.add_argument("--offset", type=int, default=0, help="skip this many hits")
    q.add_argument("--json", action="store_true", help="print a JSON array")
    q.set_defaults(func=cmd_saved_run)
    q = saved.add_parser("watch", help="turn a saved search's watch on (or --off)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--off", action="store_true", help="turn it off")
    q.set_defaults(func=cmd_saved_watch)

    p = sub.add_parser("reindex", help="rebuild the search index from scratch")
    p.set_defaults(func=cmd_reindex)

    ids_help = "paper id (12 hex digits) or a unique prefix of 6 or more"
    p = sub.add_parser("bookmarks", help="list bookmarked papers, newest first")
    p.add_argument("--tag", metavar="T", help="only those with this tag")
    p.add_argument("--sort", choices=("added", "title"), default="added", help="order (default: added)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_bookmarks)

    p = sub.add_parser("bookmark", help="bookmark papers (or remove their bookmarks)")
    p.add_argument("ids", nargs="+", metavar="ID", help=ids_help)
    p.add_argument("--tag", action="append", default=[], metavar="T", help="also tag them (repeatable)")
    p.add_argument("--remove", action="store_true", help="remove the bookmarks instead")
    p.set_defaults(func=cmd_bookmark)

    p = sub.add_parser("note", help="show a paper's note, or set it from TEXT or stdin (-)")
    p.add_argument("id", metavar="ID", help=ids_help)
    p.add_argument("text", nargs="*", metavar="TEXT", help="the new note; - reads stdin; '' deletes")
    p.add_argument("--delete", action="store_true", help="delete the note")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("tag", help="add tags to a paper (or remove them)")
    p.add_argument("id", metavar="ID", help=ids_help)
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--remove", action="store_true", help="remove these tags instead")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("read", help="mark papers read (or unread)")
    p.add_argument("ids", nargs="+", metavar="ID", help=ids_help)
    p.add_argument("--unread", action="store_true", help="mark them unread instead")
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("export", help="export the library: json (lossless), bibtex, md, csv")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--bookmarks", dest="what", action="store_const", const="bookmarks",
                       help="bookmarked papers")
    which.add_argument("--notes", dest="what", action="store_const", const="notes",
                       help="papers with a note")
    which.add_argument("--all", dest="what", action="store_const", const="all",
                       help="every paper with a bookmark, tag, note or read mark (default)")
    p.set_defaults(what="all")
    p.add_argument("--format", required=True, choices=("md", "bibtex", "json", "csv"))
    p.add_argument("-o", "--output", metavar="FILE", help="write FILE (atomically) instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="merge a JSON export into the library")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_import)

    from .bench import add_arguments as bench_arguments, cmd_bench
    p = sub.add_parser("bench", help="measure parsing, indexing, search and start-up on a synthetic corpus")
    bench_arguments(p)
    p.set_defaults(func=cmd_bench)
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
    finally:  # every command: the library is closed when it ends, not when collected
        library = getattr(args, "_library", None)
        if library is not None:
            library.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
