"""What the commands print alike: a page of search results (with the
library's fields in JSON), lines cut to the terminal, and catching the index
up after a change of the library. Opening the index and the library is the
command's :class:`~.context.Context`."""

from __future__ import annotations

import json
import shutil
import sys

from ..console import plural
from ..core.text import one_line


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def term_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def why_line(words, like_title: str | None) -> str:
    """``why: quantization, pruning · like “GPTQ: …”`` (empty when nothing was learned)."""
    parts = []
    if words:
        parts.append("why: " + ", ".join(one_line(w) for w in words))
    if like_title:
        parts.append(f"like “{clip(one_line(like_title), 50)}”")
    return " · ".join(parts)


def show_search(args, index, query: str, library=None, paths=None) -> int:
    """Print a page of results (``args.limit``, ``args.offset``, ``args.json``,
    ``args.sort`` when the command has it); with ``library``, the JSON of each
    paper has its library fields; with ``paths``, ``matched_in`` says where
    the query's words are (title, abstract, or the full text's section)."""
    mutes = () if library is None or getattr(args, "include_muted", False) else library.mutes.queries()
    sort = getattr(args, "sort", "relevance")
    order, how = None, None
    if sort == "for-you" and library is not None:
        from ..core.foryou import order_of

        order, how = order_of(index, library)
    res = index.search(query, limit=args.limit, offset=args.offset, sort=sort, mutes=mutes, order=order)
    why = _why(index, library, res, order)
    if args.json:
        papers = index.get_many([h.id for h in res.hits])
        out = []
        for h in res.hits:
            p = papers[h.id]
            d = p.as_json()
            d["score"] = round(h.score, 4)
            d["title_highlights"] = [list(s) for s in h.title_spans]
            frag, spans = index.snippet(p.abstract, res.terms)
            d["fragment"] = {"text": frag, "highlights": [list(s) for s in spans]}
            if h.id in why:
                d["why"] = why[h.id]
            if paths is not None:
                from ..core.fulltext import cached_linked, matched_in

                d["matched_in"] = matched_in(paths, index, p, res.terms, h.title_spans)
                linked = cached_linked(paths, p.id)
                d.update(linked.as_json() if linked else
                         {"linked_models": None, "linked_datasets": None, "linked_spaces": None})
            out.append(with_library(library, d))
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = term_width()
    if not res.hits and res.total and res.offset >= res.total:  # paged past the last hit
        print(f"--offset {res.offset} is past the end: {plural(res.total, 'paper')} "
              f"match{'es' if res.total == 1 else ''} {query!r}", file=sys.stderr)
        return 0
    if not res.hits:
        print(f"no papers match {query!r}" if query.strip() else "no papers")
    papers = index.get_many([h.id for h in res.hits])
    upvotes = getattr(args, "sort", "relevance") == "upvotes"  # a column of the upvotes, first
    if upvotes and res.hits:
        print(f"{'':>3}  {'upvotes':>7}  title")
    for i, h in enumerate(res.hits, res.offset + 1):
        p = papers[h.id]
        where = one_line(", ".join(dict.fromkeys(a.label or a.digest for a in p.appearances)))
        if upvotes:
            count = "-" if p.upvotes is None else str(p.upvotes)
            print(f"{i:>3}. {count:>7}  {clip(h.title, width - 15)}")
            print(f"     {'':>7}  {h.id} · {clip(where, 40)} · {one_line(p.primary_link)}")
            continue
        print(f"{i:>3}. {clip(h.title, width - 6)}")
        print(f"     {h.id} · {clip(where, 40)} · {one_line(p.primary_link)}")
        line = why_line(why[h.id]["terms"], why[h.id]["like_title"]) if h.id in why else ""
        if line:
            print(f"     {clip(line, width - 6)}")
    shown = f"{res.offset + 1}–{res.offset + len(res.hits)} of " if res.hits else ""
    print(f"{shown}{plural(res.total, 'paper')} ({res.elapsed_ms:.0f} ms)", file=sys.stderr)
    if how:
        print(f"note: {how}", file=sys.stderr)
    if res.suggestion:
        print(f"did you mean: {res.suggestion}", file=sys.stderr)
    for n in res.notes:
        print(f"note: {n}", file=sys.stderr)
    return 0


def _why(index, library, res, order) -> dict[str, dict]:
    """For the for-you order: each hit's why (the words that weigh most, the
    kept paper it is most like), as JSON and as a line."""
    if order is None or not res.hits:
        return {}
    from ..core.foryou import explain, train

    model = train(index, library)
    if model.empty:
        return {}
    why = explain(index, model, [h.id for h in res.hits])
    titles = index.titles([like for _, like in why.values() if like])
    return {pid: {"terms": list(words), "like": like, "like_title": titles.get(like) if like else None}
            for pid, (words, like) in why.items()}


def with_library(library, d: dict) -> dict:
    """The library's fields in JSON output (bookmarked, tags, note, read)."""
    if library is not None:
        d.update(library.json_fields(d["id"]))
    return d


def sync_index(index, library) -> None:
    """Re-index the papers whose library state changed, so that ``is:``,
    ``tag:`` and ``note:`` searches see the change at once.

    ``catch_up`` rather than ``update_library(ids)``: it re-indexes every paper
    changed since the index last looked (this command's, and any another
    process saved meanwhile) and so never records a generation whose changes
    it has not applied."""
    try:
        index.catch_up(library)
    except Exception as e:  # the change is saved; the next start catches up
        catch_up_failed(type(e).__name__)


def catch_up_failed(error: str) -> None:
    print(f"papers: saved; the search index will catch up on the next start ({error})", file=sys.stderr)
