"""``papers for-you [--days N | --all] [--limit N] [--json]``: the unread
papers not yet bookmarked or decided, best first by a model learned from the
user's decisions (:mod:`tui.core.foryou`), each with why; and the ``for-you``
order of ``papers search --sort for-you``."""

from __future__ import annotations

import json
import sys

from ..console import UserError, plural
from ..core.text import one_line
from .common import clip, term_width, why_line, with_library


def foryou_arguments(p) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--days", type=int, default=7, metavar="N",
                      help="the papers of the last N days of dated digests (default 7; the newest N "
                           "digests when none has a date)")
    when.add_argument("--all", action="store_true", help="every unread, undecided paper, dated or not")
    p.add_argument("--limit", type=int, default=20, help="how many papers (default 20)")
    p.add_argument("--offset", type=int, default=0, help="skip this many papers")
    p.add_argument("--json", action="store_true", help="print a JSON array, each paper with why")
    p.add_argument("--include-muted", action="store_true", help="rank the papers your mutes hide too")


def cmd_for_you(args, ctx) -> int:
    from ..core.foryou import rank

    if args.limit < 0 or args.offset < 0 or (not args.all and args.days < 1):
        raise UserError("--limit and --offset must be 0 or more, --days 1 or more")
    index, _ = ctx.open_index()
    library = ctx.library
    mutes = () if args.include_muted else library.mutes.queries()
    ranking = rank(index, library, None if args.all else args.days, min(args.limit, 1000), args.offset, mutes)
    ids = [p.id for p in ranking.picks]
    papers = index.get_many(ids)
    titles = index.titles([p.like for p in ranking.picks if p.like])
    if args.json:
        out = []
        for pick in ranking.picks:
            d = papers[pick.id].as_json()
            d["score"] = pick.score
            d["why"] = {"terms": list(pick.why), "like": pick.like,
                        "like_title": titles.get(pick.like) if pick.like else None}
            out.append(with_library(library, d))
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_picks(ranking.picks, papers, titles, args.offset)
    shown = f"{args.offset + 1}–{args.offset + len(ids)} of " if ids else ""
    print(f"{shown}{plural(ranking.total, 'paper')} ({ranking.note}; ranked in {ranking.ranked_ms:.0f} ms)",
          file=sys.stderr)
    if not ranking.total:
        print("nothing unread and undecided there" + ("" if args.all else " (--all ranks every such paper)"),
              file=sys.stderr)
    return 0


def print_picks(picks, papers, titles, offset: int = 0) -> None:
    """Each paper on two lines and, when it was learned, a third saying why."""
    width = term_width()
    for i, pick in enumerate(picks, offset + 1):
        p = papers[pick.id]
        where = one_line(", ".join(dict.fromkeys(a.label or a.digest for a in p.appearances)))
        print(f"{i:>3}. {clip(one_line(p.title), width - 6)}")
        print(f"     {p.id} · {clip(where, 40)} · {one_line(p.primary_link)}")
        why = why_line(pick.why, titles.get(pick.like) if pick.like else None)
        if why:
            print(f"     {clip(why, width - 6)}")
