"""The digest commands: search, digests, add (files, folders or stdin),
watch, reindex, and app (the reader)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..console import UserError, os_reason, plural
from ..core.fsio import write_new
from ..core.text import one_line
from .common import clip, show_search


def cmd_search(args, ctx) -> int:
    index, _ = ctx.open_index()
    return show_search(args, index, " ".join(args.query), ctx.library, ctx.paths)


def cmd_digests(args, ctx) -> int:
    from ..core.fetch import failed_days

    index, _ = ctx.open_index()
    infos = index.digests()
    papers = index.count()
    entries = index.entry_count()
    failed = failed_days(ctx.paths)
    if args.json:
        json.dump({
            "digests": [i.as_json() for i in infos],
            "totals": {"digests": sum(1 for i in infos if not i.error), "entries": entries,
                       "papers": papers, "problems": sum(len(i.problems) for i in infos),
                       "skipped": sum(1 for i in infos if i.error)},
            "fetch_failed": [f.as_json() for f in failed],
        }, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    lw = min(24, max([12, *(len(i.label or "") for i in infos)]))  # "Sample digest 2" fits
    print(f"{'digest':<34} {'label':<{lw}} {'entries':>7} {'problems':>8}  origin")
    for i in infos:  # a name, label or problem may hold anything a file name can: each cell on one line
        name = clip(one_line(i.name), 34)
        if i.error:
            print(f"{name:<34} {'-':<{lw}} {'-':>7} {'-':>8}  {i.origin}  SKIPPED: {one_line(i.error)}")
            continue
        print(f"{name:<34} {clip(one_line(i.label or '-'), lw):<{lw}} {i.entries:>7} {len(i.problems):>8}  {i.origin}")
        for prob in i.problems[:5] if args.verbose else ():
            print(f"    {one_line(str(prob))}")
    ok = sum(1 for i in infos if not i.error)
    print(f"{plural(ok, 'digest')}, {plural(entries, 'entry', 'entries')}, {plural(papers, 'paper')}")
    if failed:
        print(failed_line(failed))
    return 0


def failed_line(failed) -> str:
    """One line naming the days that failed to fetch (the last reason of each
    when at most three, else of the newest)."""
    n = len(failed)
    head = f"{plural(n, 'day')} failed to fetch and {'is' if n == 1 else 'are'} tried again by the next papers fetch: "
    if n <= 3:
        return head + ", ".join(f"{f.day} ({one_line(f.reason)})" for f in failed)
    from ..core.fetch_report import day_spans

    return head + f"{day_spans([f.day for f in failed])} (the newest: {one_line(failed[-1].reason)})"


def cmd_add(args, ctx) -> int:
    """``papers add FILE|DIR...``: every good digest is copied and indexed;
    each file refused is named with its reason on stderr, one line each, and
    makes the exit code 2 (after the good ones are in). The index is opened
    once, after the copies: it takes them in and says which papers it knew."""
    from ..core.digest import DigestError, parse_file

    if "-" in args.files:
        if len(args.files) > 1:
            raise UserError("- (a digest on stdin) cannot be combined with files")
        return _add_stdin(args, ctx)
    if args.name is not None:
        raise UserError("--name goes with - (a digest on stdin); files keep their names")
    paths = ctx.paths
    parsed = []
    files, refused = _digest_files(args.files)
    for f in files:
        try:
            parsed.append((f, parse_file(f)))
        except DigestError as e:
            refused.append(str(e))
    for reason in refused:
        print(f"papers: {one_line(reason)}", file=sys.stderr)
    if not parsed:
        print("papers: nothing was added", file=sys.stderr)
        return 2
    if args.dry_run:
        index, _ = ctx.open_index(quiet=True)
        _say_parsed(index, parsed, added=set())
        print("dry run: nothing was added")
        return 2 if refused else 0
    copied, already = _copy_digests(paths.digests, [f for f, _ in parsed])
    index, _ = ctx.open_index()
    copies = {str(p) for p in copied}
    added = {d.name for d in index.digests() if d.path in copies}
    _say_parsed(index, parsed, added)
    for line in already:
        print(one_line(line))
    indexed = {pid for name in added for pid in index.digest_page(name)}  # the papers the copies brought
    print(f"added {plural(len(copied), 'digest')}; {plural(len(indexed), 'paper')} indexed; "
          f"{plural(index.count(), 'paper')} in all")
    return 2 if refused else 0


def _say_parsed(index, parsed, added: set[str]) -> None:
    """A line for each digest file: its papers, how many the index knew before
    this command (in a digest other than the ``added`` ones), its label and
    format; its problems under it."""
    from ..core.papers import paper_id

    for f, d in parsed:
        ids = [paper_id(e.title) for e in d.entries]
        papers = index.get_many(ids)
        known = [pid for pid, p in papers.items() if any(a.digest not in added for a in p.appearances)]
        print(f"{one_line(str(f))}: {plural(len(d.entries), 'paper')} ({len(known)} already known, "
              f"{len(set(ids)) - len(known)} new), label {one_line(d.label or '-')}, {d.format}")
        for prob in d.problems:
            print(f"    {one_line(prob.format(f))}")


def _digest_files(raw_paths) -> tuple[list[Path], list[str]]:
    """The files named, each folder replaced by its digest files; and one
    line for each folder without any."""
    from ..core.paths import DIGEST_SUFFIXES

    files: list[Path] = []
    reasons: list[str] = []
    for raw in raw_paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in DIGEST_SUFFIXES)
            files += found
            if not found:
                reasons.append(f"{p}: no digest files (*.txt, *.json, *.md) in this folder")
        else:
            files.append(p)
    return files, reasons


def _copy_digests(target: Path, files: list[Path]) -> tuple[list[Path], list[str]]:
    """Copy ``files`` into the digests folder under their names (``name-2``
    when taken); a file whose bytes are there already is not copied again.
    The copies, and a line for each file not copied."""
    from ..core.user_digests import same_digest

    copied, already = [], []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for f in files:
            data = f.read_bytes()
            same = same_digest(target, data)
            if same is not None:
                already.append(f"{f}: already imported as {same.name}")
                continue
            dest, n = target / f.name, 2
            while True:
                try:
                    write_new(dest, data)
                    break
                except FileExistsError:
                    dest = target / f"{f.stem}-{n}{f.suffix}"
                    n += 1
            copied.append(dest)
    except OSError as e:
        raise UserError(f"cannot copy into {target}: {os_reason(e)}") from None
    return copied, already


def _add_stdin(args, ctx) -> int:
    """``papers add - [--name NAME]``: one digest from stdin, checked, then
    written into the user digests folder under a new name."""
    from ..core.digest import DigestError
    from ..core.user_digests import (
        AlreadyImported, check_digest_name, default_stdin_name, read_digest, same_digest, store_digest,
    )

    paths = ctx.paths
    if getattr(sys.stdin, "isatty", lambda: False)():
        raise UserError("add -: reads a digest from stdin; pipe or redirect one in")
    try:
        name = check_digest_name(args.name if args.name is not None else default_stdin_name())
    except ValueError as e:
        raise UserError(str(e)) from None
    from ..core.digest import MAX_BYTES

    # at most one byte past the limit: `yes | papers add -` ends, as too large, instead of filling memory
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_BYTES + 1) if stream is not None else sys.stdin.read(MAX_BYTES + 1).encode("utf-8")
    try:
        if args.dry_run:
            digest, dest = read_digest(data, name), None
            if (same := same_digest(paths.digests, data)) is not None:
                raise AlreadyImported(same)
        else:
            dest, digest = store_digest(paths, data, name)
    except AlreadyImported as e:
        print(f"<stdin>: {one_line(str(e))}; nothing was added")
        return 0
    except DigestError as e:
        raise UserError(f"{e}; nothing was added") from None
    except FileExistsError as e:
        raise UserError(f"{e.filename}: a digest named {name!r} exists; choose another --name; "
                        "nothing was added") from None
    except OSError as e:
        raise UserError(f"cannot write into {paths.digests}: {os_reason(e)}; nothing was added") from None
    print(f"{dest.name if dest else name}: {plural(len(digest.entries), 'paper')}, "
          f"label {one_line(digest.label or '-')}, {digest.format}")
    for prob in digest.problems:
        print(f"    {one_line(prob.format(dest.name if dest else '<stdin>'))}")
    if dest is None:
        print("dry run: nothing was added")
        return 0
    index, report = ctx.open_index()
    print(f"added {one_line(str(dest))}; {plural(report.papers_written, 'paper')} indexed; {plural(index.count(), 'paper')} in all")
    return 0


def cmd_watch(args, ctx) -> int:
    """``papers watch [DIR] | --list | --remove DIR``."""
    from ..core.config import add_watched, folder_key, load_watched, remove_watched

    paths = ctx.paths
    if args.remove is not None and (args.folder or args.list):
        raise UserError("--remove takes the folder itself: papers watch --remove DIR")
    try:
        if args.remove is not None:
            if not remove_watched(paths.watched_file, args.remove):
                raise UserError(f"{folder_key(args.remove)} is not watched (see papers watch --list)")
            print(f"stopped watching {one_line(str(folder_key(args.remove)))}; the digests imported from it stay")
            return 0
        if args.folder and not args.list:
            folder = folder_key(args.folder)
            if not folder.is_dir():
                raise UserError(f"{args.folder}: not a folder")
            if folder == folder_key(paths.digests):
                raise UserError(f"{folder} is where papers keeps added digests; watch another folder")
            added = add_watched(paths.watched_file, folder)
            print(f"{'watching' if added else 'already watching'} {one_line(str(folder))}")
            index, _ = ctx.open_index()
            print(f"{plural(index.count(), 'paper')} in all")
            return 0
    except OSError as e:
        raise UserError(f"cannot change {paths.watched_file}: {os_reason(e)}") from None
    folders, problems = load_watched(paths.watched_file)
    for line in problems:
        print(f"papers: {one_line(line)}", file=sys.stderr)
    if not folders:
        print("no watched folders; add one with: papers watch DIR", file=sys.stderr)
    for folder in folders:
        print(one_line(str(folder)) + ("" if folder.is_dir() else "  (missing)"))
    return 0


def cmd_reindex(args, ctx) -> int:
    index, report = ctx.open_index(rebuild=True)
    print(f"indexed {plural(index.count(), 'paper')} from {plural(len(report.added), 'digest')} "
          f"in {report.seconds:.1f} s")
    return 0


def cmd_app(args, ctx) -> int:
    """``papers`` alone: the reader, which draws on a terminal; from a pipe
    or a script it would write escape codes into it."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the reader needs a terminal (stdin and stdout); "
                        "from a script or a pipe use a command: papers --help")
    try:
        from ..app import run
    except ImportError as e:  # pragma: no cover - the reader is always installed with the package
        raise UserError(f"the reader cannot start: {e}") from None
    return run(ctx.paths)
