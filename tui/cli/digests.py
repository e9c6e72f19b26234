"""The digest commands: search, digests, add (files, folders or stdin),
watch, reindex, and app (the reader)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..console import UserError
from ..core.fsio import write_new
from .common import clip, data_paths, open_index, show_search


def cmd_search(args) -> int:
    index, _ = open_index(args)
    return show_search(args, index, " ".join(args.query))


def cmd_digests(args) -> int:
    index, _ = open_index(args)
    infos = index.digests()
    papers = index.count()
    entries = index.entry_count()
    if args.json:
        json.dump({
            "digests": [i.as_json() for i in infos],
            "totals": {"digests": sum(1 for i in infos if not i.error), "entries": entries,
                       "papers": papers, "problems": sum(len(i.problems) for i in infos),
                       "skipped": sum(1 for i in infos if i.error)},
        }, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    lw = min(24, max([12, *(len(i.label or "") for i in infos)]))  # "Sample digest 2" fits
    print(f"{'digest':<34} {'label':<{lw}} {'entries':>7} {'problems':>8}  origin")
    for i in infos:
        if i.error:
            print(f"{clip(i.name, 34):<34} {'-':<{lw}} {'-':>7} {'-':>8}  {i.origin}  SKIPPED: {i.error}")
            continue
        print(f"{clip(i.name, 34):<34} {clip(i.label or '-', lw):<{lw}} {i.entries:>7} {len(i.problems):>8}  {i.origin}")
        for prob in i.problems[:5] if args.verbose else ():
            print(f"    {prob}")
    ok = sum(1 for i in infos if not i.error)
    print(f"{ok} digests, {entries} entries, {papers} papers")
    return 0


def cmd_add(args) -> int:
    from ..core.digest import DigestError, parse_file
    from ..core.paths import DIGEST_SUFFIXES

    if "-" in args.files:
        if len(args.files) > 1:
            raise UserError("- (a digest on stdin) cannot be combined with files")
        return _add_stdin(args)
    if args.name is not None:
        raise UserError("--name goes with - (a digest on stdin); files keep their names")
    paths = data_paths(args)
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
    from ..core.papers import paper_id

    index, _ = open_index(args, quiet=True)
    for f, d in parsed:
        ids = [paper_id(e.title) for e in d.entries]
        known = index.get_many(ids)
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
    from ..core.digest import DigestError
    from ..core.watch import check_digest_name, default_stdin_name, read_digest, store_digest

    paths = data_paths(args)
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
    from ..core.config import add_watched, folder_key, load_watched, remove_watched

    paths = data_paths(args)
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
        from ..app import run
    except ImportError as e:  # pragma: no cover - the reader is always installed with the package
        raise UserError(f"the reader cannot start: {e}") from None
    return run(data_paths(args))
