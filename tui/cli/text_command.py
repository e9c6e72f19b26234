"""``papers text ID``: a paper's full text, downloaded once and read from the
cache ever after (:mod:`tui.core.fulltext`).

On a terminal the Markdown goes through a pager (``$PAGER``, else ``less -R``
where there is one); piped, it is printed plain. ``--json`` prints the text
with its sections and where it is cached. A paper without a full text (none
on the site, no arXiv id, offline and not cached, a bad answer) is one line on
stderr naming why, with the paper's link: exit 2.
"""

from __future__ import annotations

import json
import os
import sys

from ..console import UserError


def add_arguments(p) -> None:
    p.add_argument("id", metavar="ID", help="paper id (12 hex digits) or a unique prefix of 6 or more")
    p.add_argument("--refresh", action="store_true", help="download it again (the cached copy stays on failure)")
    p.add_argument("--json", action="store_true", help="print a JSON object: the text, its sections, its file")


def cmd_text(args, ctx) -> int:
    from ..core.config import load_config
    from ..core.fetch import api_url
    from ..core.fulltext import FullTextError, cached_linked, fetch_linked, full_text, site_url
    from ..core.library import LibraryError
    from .library_commands import _resolve

    try:
        config = load_config(ctx.paths.config_file)
        site = site_url(config)
    except ValueError as e:
        raise UserError(str(e)) from None
    try:
        index, _ = ctx.open_index(quiet=True)
        pid, paper = _resolve(index, ctx.library, args.id)
    except LibraryError as e:
        raise UserError(str(e)) from None
    if paper is None:
        raise UserError(f"no full text: paper {pid} is in no digest any more, so its arXiv id is unknown")
    try:
        text = full_text(ctx.paths, paper, site=site, refresh=args.refresh)
    except FullTextError as e:
        raise UserError(e.line()) from None
    linked = cached_linked(ctx.paths, pid)
    if not text.cached or args.refresh or linked is None:
        try:
            linked = fetch_linked(ctx.paths, paper, api_url(config))
        except (FullTextError, ValueError):
            pass  # the details are a bonus: the text is shown all the same
    if not text.cached:
        reindex_paper(index, ctx.library, pid)
    if args.json:
        json.dump({**text.as_json(), **(linked.as_json() if linked else {})}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if sys.stdout.isatty():
        ctx.close()  # the index and library are not needed while the user reads
        if page(text.markdown):
            return 0
    sys.stdout.write(text.markdown)
    return 0


def reindex_paper(index, library, pid: str) -> None:
    """A full text just downloaded: the paper is indexed again with it (its
    change goes through the library's log, so another window picks it up too)."""
    from ..core.library import LibraryError
    from .common import sync_index

    try:
        with library.batch() as tx:
            tx.changed.add(pid)
    except LibraryError:
        return  # a read-only library: the next reindex takes the text in
    sync_index(index, library)


def page(text: str) -> bool:
    """Show ``text`` through ``$PAGER`` (else ``less -R``); False when there is
    no pager to run (the caller prints it)."""
    import shlex  # here: every command imports this module, few page
    import shutil
    import subprocess

    command = shlex.split(os.environ.get("PAGER") or "") or (["less", "-R"] if shutil.which("less") else [])
    if not command or shutil.which(command[0]) is None:
        return False
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, encoding="utf-8", errors="replace")
    except OSError:
        return False
    try:
        proc.stdin.write(text)
        proc.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    proc.wait()
    return True
