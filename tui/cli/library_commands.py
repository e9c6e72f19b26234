"""The library commands: bookmarks, bookmark, note, tag, read, export,
import, and saved searches (list, add, rm, watch, run)."""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

from ..console import UserError, os_reason, plural
from ..core.fsio import atomic_write, read_regular
from ..core.text import one_line
from .common import clip, show_search, sync_index, term_width


def _library_command(func):
    """Open index and library for ``func(args, index, library)``; library errors
    and bad tags become one-line user errors."""
    @functools.wraps(func)
    def run(args, ctx) -> int:
        from ..core.library import InvalidTag, LibraryError

        try:
            index, _ = ctx.open_index(quiet=True)
            return func(args, index, ctx.library)
        except (LibraryError, InvalidTag) as e:
            raise UserError(str(e)) from None
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
        paper = index.get(key)
        if paper is None and key not in library.touched_ids():
            raise UserError(f"unknown paper id {key}")
        return key, paper
    if len(key) < MIN_PREFIX:
        raise UserError(f"paper id {key!r} is too short: give at least {MIN_PREFIX} of its 12 characters")
    found = sorted(set(index.ids(key))
                   | {pid for pid in library.touched_ids() if pid.startswith(key)})
    if not found:
        raise UserError(f"no paper id starts with {key}")
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise UserError(f"{key} matches {len(found)} papers ({shown}); give more characters")
    return found[0], index.get(found[0])


def _resolve_all(index, library, raws) -> list:
    """Every id resolved before anything changes: one bad id changes nothing."""
    out: dict = {}
    for raw in raws:
        pid, paper = _resolve(index, library, raw)
        out.setdefault(pid, paper)
    return list(out.items())


def _title(paper, record=None) -> str:
    from ..core.text import strip_control

    if paper is not None:
        return strip_control(paper.title)
    if record is not None and record.snapshot is not None and record.snapshot.title:
        return strip_control(record.snapshot.title)
    return "(not in any digest)"


def _cli_tags(raw_tags) -> list[str]:
    from ..core.library import normalize_tag
    from ..core.text import strip_control

    return list(dict.fromkeys(normalize_tag(strip_control(t)) for t in raw_tags))


@_library_command
def cmd_bookmarks(args, index, library) -> int:
    recs = library.bookmarks(tag=args.tag, sort=args.sort)
    papers = index.get_many([r.id for r in recs])
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
        print("no bookmarks" + (f" tagged {one_line(args.tag)}" if args.tag else ""), file=sys.stderr)
        return 0
    width = term_width()
    tags = {r.id: ", ".join(r.tags) for r in recs}
    tag_w = min(30, max((len(t) for t in tags.values()), default=0))
    title_w = max(20, width - 14 - (tag_w + 2 if tag_w else 0))
    print((f"{'id':<12}  {'title':<{title_w}}" + ("  tags" if tag_w else "")).rstrip())
    for r in recs:
        line = f"{r.id:<12}  {clip(_title(papers.get(r.id), r), title_w):<{title_w}}"
        if tag_w:
            line += f"  {clip(tags[r.id], tag_w)}"
        print(line.rstrip())
    print(plural(len(recs), "bookmark"), file=sys.stderr)
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
    sync_index(index, library)
    for pid, paper, changed in results:
        if args.remove:
            what = "removed the bookmark of" if changed else "was not bookmarked:"
        else:
            what = "bookmarked" if changed else "already bookmarked:"
        print(f"{what} {pid}  {clip(_title(paper, library.get(pid)), max(20, term_width() - 40))}")
    return 0


@_library_command
def cmd_note(args, index, library) -> int:
    from ..core.text import strip_control

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
        text = _read_note_stdin()
    else:
        text = " ".join(args.text)
    text = strip_control(text).rstrip()  # no trailing newline from echo or an editor
    had = library.get(pid)
    changed = library.set_note(pid, text, paper)
    sync_index(index, library)
    if not text.strip():
        print(f"deleted the note of {pid}" if had and had.note else f"{pid} had no note")
    else:
        print(f"saved the note of {pid}" if changed else f"the note of {pid} is unchanged")
    return 0


def _read_note_stdin() -> str:
    """A note from stdin: at most the limit and one byte are read (an endless
    stream is refused, not held in memory); bytes that are not UTF-8 as U+FFFD."""
    from ..core.library import MAX_NOTE_BYTES, NoteTooLong
    from ..core.library.rules import _megabytes

    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_NOTE_BYTES + 1) if stream is not None else sys.stdin.read(MAX_NOTE_BYTES + 1).encode()
    if len(data) > MAX_NOTE_BYTES:
        raise NoteTooLong(f"the note on stdin is longer than a note may be ({_megabytes(MAX_NOTE_BYTES)}); "
                          "nothing was saved")
    return data.decode("utf-8", "replace")


@_library_command
def cmd_tag(args, index, library) -> int:
    from ..core.text import strip_control

    pid, paper = _resolve(index, library, args.id)
    if args.remove:
        if not library.remove_tags(pid, [strip_control(t) for t in args.tags]):
            print(f"{pid} had none of those tags", file=sys.stderr)
    else:
        library.add_tags(pid, _cli_tags(args.tags), paper)
    sync_index(index, library)
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
    sync_index(index, library)
    state = "unread" if args.unread else "read"
    for pid, paper, changed in results:
        print(f"{'marked' if changed else 'already'} {state}: {pid}  "
              f"{clip(_title(paper, library.get(pid)), max(20, term_width() - 40))}")
    return 0


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it holds the old content or the new,
    whatever happens."""
    path = path.expanduser()
    try:
        atomic_write(path, text)
    except OSError as e:
        raise UserError(f"cannot write {path}: {os_reason(e)}") from None


#: export formats by the extension of ``-o FILE``
EXPORT_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".md": "md", ".json": "json", ".csv": "csv"}


def cmd_export(args, ctx) -> int:
    """``papers export``: ``--format``, or else the extension of ``-o FILE``
    says the format, checked before anything is opened; to stdout without
    ``--format``, JSON (the lossless export)."""
    if args.format is None and (not args.output or args.output == "-"):
        args.format = "json"
    if args.format is None:
        suffix = Path(args.output).suffix.lower()
        if suffix not in EXPORT_EXTENSIONS:
            raise UserError(f"export -o {args.output}: cannot tell the format from {suffix or 'a name without an extension'}"
                            "; give --format md|bibtex|json|csv (or end the name in .bib, .md, .json or .csv)")
        args.format = EXPORT_EXTENSIONS[suffix]
    return _export(args, ctx)


@_library_command
def _export(args, index, library) -> int:
    from ..core.export import export, select

    text = export(library, args.what, args.format, catalog=index)
    if args.output and args.output != "-":
        _write_atomic(Path(args.output), text)
        n = len(select(library, args.what))
        print(f"exported {plural(n, 'paper')} ({args.what}, {args.format}) to {one_line(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


@_library_command
def cmd_import(args, index, library) -> int:
    from ..core.library import ImportFormatError

    path = Path(args.file).expanduser()
    try:
        data = read_regular(path)
    except OSError as e:
        raise UserError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        report = library.transfer.import_json(data)
    except ImportFormatError as e:
        raise UserError(f"{path}: {e}; nothing was imported") from None
    sync_index(index, library)
    print(f"imported {one_line(str(path))}: {report.summary()}")
    for pid in report.notes_replaced:
        print(f"  {pid}: the imported note was newer and replaced the library's")
    for pid in report.notes_kept:
        print(f"  {pid}: the library's note was newer and was kept; the imported one was not applied")
    return 0


# --- saved searches and watches -------------------------------------------------------

def _library_only(func):
    """Open just the library for ``func(args, library)`` (no index needed)."""
    @functools.wraps(func)
    def run(args, ctx) -> int:
        from ..core.library import InvalidSavedSearch, LibraryError

        try:
            return func(args, ctx.open_library())
        except (LibraryError, InvalidSavedSearch) as e:
            raise UserError(str(e)) from None
    return run


def _saved_or_fail(library, name: str):
    found = library.saved.get(name)
    if found is None:
        raise UserError(f"no saved search named {name!r} (see papers saved)")
    return found


@_library_only
def cmd_saved_list(args, library) -> int:
    searches = library.saved.all()
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
        print(f"{clip(s.name, name_w):<{name_w}}  {'yes' if s.watch else 'no':<5}  {s.query}")
    return 0


@_library_only
def cmd_saved_add(args, library) -> int:
    before = library.saved.get(args.name)
    # the name as typed: one holding control characters is refused, not quietly changed
    s = library.saved.save(args.name, " ".join(args.query), watch=args.watch)
    what = "saved" if before is None else ("unchanged:" if before == s else "replaced")
    print(f"{what} {s.name}: {s.query}" + ("  (watch on: new papers that match are tagged "
                                           f"{s.tag})" if s.watch else ""))
    return 0


@_library_only
def cmd_saved_rm(args, library) -> int:
    found = _saved_or_fail(library, args.name)
    library.saved.delete(found.name)
    print(f"removed the saved search {found.name}" + (f"; papers keep the tag {found.tag}" if found.watch else ""))
    return 0


@_library_only
def cmd_saved_watch(args, library) -> int:
    s = library.saved.set_watch(_saved_or_fail(library, args.name).name, not args.off)
    assert s is not None
    print(f"watch {'on' if s.watch else 'off'}: {s.name}" +
          (f" (papers added from now on that match {s.query!r} are tagged {s.tag})" if s.watch else ""))
    return 0


@_library_command
def cmd_saved_run(args, index, library) -> int:
    found = _saved_or_fail(library, args.name)
    if not args.json:
        print(f"saved search {found.name}: {found.query}", file=sys.stderr)
    return show_search(args, index, found.query, library)
