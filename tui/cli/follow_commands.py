"""``papers follow NAME``, ``papers follow --list``, ``papers unfollow NAME``:
the authors the user follows (:mod:`tui.core.following`), matched without
case or accents; ``author:`` and ``is:followed`` search their papers."""

from __future__ import annotations

import json
import sys

from ..console import UserError, plural


def follow_arguments(p) -> None:
    p.add_argument("name", nargs="*", metavar="NAME", help="an author's name (case and accents do not matter)")
    p.add_argument("--list", action="store_true", help="list the followed authors (the default without NAME)")
    p.add_argument("--json", action="store_true", help="with --list: a JSON array")


def unfollow_arguments(p) -> None:
    p.add_argument("name", nargs="+", metavar="NAME", help="a followed author's name")


def _papers_by(index, name: str) -> int:
    from ..core.following import followed_query

    query = followed_query([name])
    return index.search(query, limit=1).total if query else 0


def cmd_follow(args, ctx) -> int:
    from ..core.following import known_spelling
    from ..core.library import LibraryError

    name = " ".join(args.name).strip()
    index, _ = ctx.open_index(quiet=True)
    library = ctx.library
    try:
        if args.list or not name:
            return _list(args, index, library)
        follow, new = library.follows.follow(known_spelling(index, name) or name)
    except ValueError as e:
        raise UserError(str(e)) from None
    except LibraryError as e:
        raise UserError(str(e)) from None
    n = _papers_by(index, follow.name)
    count = plural(n, "paper") if n else "no paper yet"
    print(f"{'following' if new else 'already following'} {follow.name} ({count})")
    return 0


def _list(args, index, library) -> int:
    follows = library.follows.all()
    rows = [(f, _papers_by(index, f.name)) for f in follows]
    if args.json:
        json.dump([{**f.as_json(), "papers": n} for f, n in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("no followed authors (papers follow NAME follows one)")
    for f, n in rows:
        print(f"{f.name}  ({plural(n, 'paper')}, since {f.followed_at[:10]})")
    return 0


def cmd_unfollow(args, ctx) -> int:
    from ..core.library import LibraryError

    library = ctx.open_library()
    try:
        ended = [library.follows.unfollow(n) for n in [" ".join(args.name)]]
    except LibraryError as e:
        raise UserError(str(e)) from None
    if ended[0] is None:
        raise UserError(f"not following {' '.join(args.name)!r} (papers follow --list lists who you follow)")
    print(f"no longer following {ended[0].name}")
    return 0
