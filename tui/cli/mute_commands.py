"""``papers mute``: hide the papers a query matches from every list, feed,
triage and the for-you ranking (``--list`` them; ``papers unmute N|QUERY``)."""

from __future__ import annotations

import json
import sys

from ..console import UserError, plural
from .common import clip, term_width


def cmd_mute(args, ctx) -> int:
    from ..core.library import InvalidMute, LibraryError
    from ..core.mutes import mute

    try:
        if args.list or not args.query:
            return _list(args, ctx)
        index, _ = ctx.open_index(quiet=True)
        done = mute(ctx.library, index, " ".join(args.query))
    except (InvalidMute, LibraryError) as e:
        raise UserError(str(e)) from None
    n = len(ctx.library.mutes.all())
    said = "muted" if done.added else "already muted"
    print(f"{said} ({n}): {done.mute.query}  — hides {plural(done.hides, 'paper')} "
          "(a bookmarked paper is never hidden)")
    return 0


def _list(args, ctx) -> int:
    from ..core.mutes import hidden

    index, _ = ctx.open_index(quiet=True)
    mutes = ctx.library.mutes.all()
    counts = index.mute_counts([m.query for m in mutes])  # each mute's papers, whatever the others hide
    if getattr(args, "json", False):
        json.dump([{"n": i, "query": m.query, "created_at": m.created_at, "hides": counts.get(m.query, 0)}
                   for i, m in enumerate(mutes, 1)], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not mutes:
        print("no mutes (papers mute QUERY hides the papers a query matches)")
        return 0
    width = term_width()
    for i, m in enumerate(mutes, 1):
        print(f"{i:>3}. {clip(m.query, max(20, width - 30))}  hides {plural(counts.get(m.query, 0), 'paper')}")
    if len(mutes) > 1:
        print(f"in all {plural(len(hidden(ctx.library, index)), 'paper')} hidden (a bookmarked paper never)")
    return 0


def cmd_unmute(args, ctx) -> int:
    from ..core.library import LibraryError

    which = " ".join(args.which)
    library = ctx.open_library()
    try:
        gone = library.mutes.remove(which)
    except LibraryError as e:
        raise UserError(str(e)) from None
    if gone is None:
        n = len(library.mutes.all())
        raise UserError(f"no mute {which!r}: give its number (1–{n}) or its query, as papers mute --list shows"
                        if n else f"no mute {which!r}: there are no mutes")
    print(f"unmuted: {gone.query}")
    return 0
