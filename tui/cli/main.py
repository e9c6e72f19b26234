"""The parser of every subcommand, and ``main``: run one, map its outcome to
the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from .. import __version__
from ..console import UserError
from ..core.text import one_line
from .arguments import check_text_arguments
from .context import Context
from .digest_commands import cmd_add, cmd_app, cmd_digests, cmd_reindex, cmd_search, cmd_watch
from .fetch_command import add_arguments as fetch_arguments, cmd_fetch
from .foryou_command import cmd_for_you, foryou_arguments
from .mute_commands import cmd_mute, cmd_unmute
from .text_command import add_arguments as text_arguments, cmd_text
from .follow_commands import cmd_follow, cmd_unfollow, follow_arguments, unfollow_arguments
from .library_commands import (
    cmd_bookmark, cmd_bookmarks, cmd_export, cmd_import, cmd_note, cmd_read, cmd_saved_add, cmd_saved_list,
    cmd_saved_rm, cmd_saved_run, cmd_saved_watch, cmd_tag,
)


def _page_arguments(p: argparse.ArgumentParser) -> None:
    """A page of search results: --limit, --offset, --json."""
    p.add_argument("--limit", type=int, default=10, help="how many hits (default 10)")
    p.add_argument("--offset", type=int, default=0, help="skip this many hits")
    p.add_argument("--json", action="store_true", help="print a JSON array")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papers", description="A terminal reader for research-paper digests. `papers` alone opens "
        "the reader (it needs a terminal); a COMMAND works from the shell and from scripts.")
    parser.add_argument("--version", action="version", version=f"papers {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="keep data, cache and config under DIR (also: PAPERS_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("search", help="search the papers")
    p.add_argument("query", nargs="+", help="words or Whoosh query syntax")
    _page_arguments(p)
    p.add_argument("--sort", choices=("relevance", "newest", "upvotes", "for-you"), default="relevance",
                   help="order of the hits (default relevance; upvotes: most upvoted first; "
                        "for-you: learned from your bookmarks, tags, notes and triage)")
    p.add_argument("--include-muted", action="store_true",
                   help="show the papers your mutes hide too (papers mute --list)")
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

    p = sub.add_parser("fetch", help="fetch days of the Daily Papers API as digests and index them",
                       description="Fetch days of the Daily Papers API into the digests folder and index "
                       "them. Without options: from the newest day fetched before (or the last 3 days) up to "
                       "today (UTC). The API: PAPERS_API_URL, or [fetch] api_url in config.toml.")
    fetch_arguments(p)
    p.set_defaults(func=cmd_fetch)

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
    _page_arguments(q)
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

    p = sub.add_parser("text", help="read a paper's full text (downloaded once, then offline)",
                       description="Show a paper's full text as Markdown: downloaded once into "
                       "<data>/fulltext/ID.md from the site (PAPERS_API_URL without /api, or [fetch] site_url) "
                       "and read from there ever after; through $PAGER (or less -R) on a terminal.")
    text_arguments(p)
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("follow", help="follow an author (case and accents ignored); --list",
                       description="Follow the people behind the papers: `author:NAME` and `is:followed` "
                       "search their papers, and new papers by them are announced after a fetch and at start.")
    follow_arguments(p)
    p.set_defaults(func=cmd_follow)
    p = sub.add_parser("unfollow", help="stop following an author")
    unfollow_arguments(p)
    p.set_defaults(func=cmd_unfollow)

    p = sub.add_parser("export", help="export the library: json (lossless), bibtex, ris, csljson, md, csv")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--bookmarks", dest="what", action="store_const", const="bookmarks",
                       help="bookmarked papers")
    which.add_argument("--notes", dest="what", action="store_const", const="notes",
                       help="papers with a note")
    which.add_argument("--all", dest="what", action="store_const", const="all",
                       help="every paper with a bookmark, tag, note or read mark (default)")
    p.set_defaults(what="all")
    p.add_argument("--format", choices=("md", "bibtex", "json", "csv", "ris", "csljson"),
                   help="the format: ris and csljson (CSL-JSON) for Zotero, pandoc and the like "
                        "(default: from the extension of -o FILE: .bib, .md, .json, .csv, .ris, .csl.json; "
                        "json on stdout)")
    p.add_argument("-o", "--output", metavar="FILE", help="write FILE (atomically) instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("for-you", help="unread papers ranked by what you keep and skip (--days N, --all)",
                       description="The unread papers not yet bookmarked or decided, best first by a model "
                       "learned from your bookmarks, tags, notes and triage (keep, skip), each with why.")
    foryou_arguments(p)
    p.set_defaults(func=cmd_for_you)

    p = sub.add_parser("mute", help="hide the papers a query matches from every list (--list the mutes)")
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help="any search query: words, tag:, author:, \"a phrase\" (parsed as written)")
    p.add_argument("--list", action="store_true", help="list the mutes, numbered, with the papers each hides")
    p.add_argument("--json", action="store_true", help="with --list: a JSON array")
    p.set_defaults(func=cmd_mute)

    p = sub.add_parser("unmute", help="remove a mute, by its number in papers mute --list or its query")
    p.add_argument("which", nargs="+", metavar="N|QUERY")
    p.set_defaults(func=cmd_unmute)

    p = sub.add_parser("import", help="merge a JSON export into the library")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_import)

    from ..bench import add_arguments as bench_arguments, cmd_bench
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
        check_text_arguments(args)
    except UserError as e:
        print(f"papers: {e}", file=sys.stderr)
        return 2
    ctx = Context(args.data_dir)
    umask = os.umask(0o077)  # what a command creates (folders, the index, SQLite's -wal) is the user's alone
    try:
        return _run(func, args, ctx)
    except UserError as e:  # what it names (a file, an argument) on one line, without escape sequences
        print(f"papers: {one_line(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("papers: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    finally:  # every command: what it opened is closed when it ends, not when collected
        ctx.close()
        os.umask(umask)


def _run(func, args, ctx: Context) -> int:
    """Run a command; if it met a damaged index, say so in one line and run it
    once more, on the index rebuilt (the damage marked it for that)."""
    try:
        return func(args, ctx) or 0
    except Exception as e:
        # the index package is imported only by commands that use it
        recovery = sys.modules.get("tui.core.index.build.recovery")
        if recovery is None or not isinstance(e, recovery.IndexDamaged):
            raise
        if ctx.said is not None:  # damaged again, on the rebuilt index
            raise UserError(str(e)) from None
        line = f"{e}; rebuilding it"
    print(f"papers: {one_line(line)}", file=sys.stderr)
    ctx.said = {line}  # the rebuild's notice says the same: once is enough
    ctx.close_index()
    return func(args, ctx) or 0
