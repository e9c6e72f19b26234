"""``papers fetch``: days of the Daily Papers API saved as digests, then indexed.

The days are planned (``--date``, ``--since``/``--until``, or by default from
the newest day fetched before up to today, with the days that failed before,
named in a first line), fetched with a progress bar on a terminal, and
reported one line per day (on stdout; a day that failed or was
not fetched on stderr) with the summary last. The digests written are then
indexed the way every command opens the index (watched folders, the sync with
progress, the watches announced on the new papers). Exit code 2 when a day
failed or was not fetched -- the days that worked are saved and indexed all
the same -- or for a bad option; 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from ..console import UserError, plural, progress_printer


def add_arguments(p) -> None:
    p.add_argument("--date", metavar="DAY", help="fetch this day only (YYYY-MM-DD, today, yesterday)")
    p.add_argument("--since", metavar="DAY", help="fetch every day from DAY ...")
    p.add_argument("--until", metavar="DAY", help="... up to DAY (default: today)")
    p.add_argument("--dry-run", action="store_true", help="fetch and report; write and index nothing")
    p.add_argument("--full-text", action=argparse.BooleanOptionalAction, default=None,
                   help="also download the full texts of bookmarked papers not cached yet (default: "
                   "[fetch] full_text = \"bookmarked\" in config.toml)")


def cmd_fetch(args, ctx) -> int:
    from ..core.config import load_config
    from ..core.fetch import api_url, fetch, plan
    from ..core.fetch_report import FAILED, SKIPPED

    paths = ctx.paths
    try:
        config = load_config(paths.config_file)
        base_url = api_url(config)
        days = plan(paths, date=args.date, since=args.since, until=args.until)
    except ValueError as e:
        raise UserError(str(e)) from None
    show = progress_printer(sys.stderr.isatty())
    seen = [0, 0]  # (done, total) last drawn: a run that stops early still ends its bar

    def progress(done: int, total: int, message: str) -> None:
        seen[:] = done, total
        show(done, total, message)

    report = fetch(paths, days, base_url=base_url, dry_run=args.dry_run, progress=show and progress)
    if show and seen[0] < seen[1]:
        show(seen[1], seen[1], "stopped")
    for line in report.notes:
        print(line)
    for d in report.days:
        if d.status in (FAILED, SKIPPED):
            print(f"papers: {d.line(report.dry_run)}", file=sys.stderr)
            continue
        print(d.line(report.dry_run))
        for p in d.problems:
            print(f"  {p}")
    for line in report.problems + ([report.retry_hint()] if report.retry_at else []):
        print(f"papers: {line}", file=sys.stderr)
    print(report.summary())
    if report.changed:
        sys.stdout.flush()
        index, sync = ctx.open_index()
        print(f"{plural(sync.papers_written, 'paper')} indexed; {plural(index.count(), 'paper')} in all")
    texts_failed = False
    wanted = args.full_text if args.full_text is not None else config.fetch_full_text == "bookmarked"
    if wanted and not args.dry_run:
        texts_failed = fetch_full_texts(ctx, config, base_url, show)
    return 2 if report.failed or report.skipped or texts_failed else 0


def fetch_full_texts(ctx, config, base_url: str, show) -> bool:
    """The full texts (and details) of the bookmarked papers not cached yet,
    two requests a second at most, indexed after; True when one failed."""
    from ..core.fulltext import fetch_texts, site_url

    index, _ = ctx.open_index(quiet=True)
    library = ctx.library
    ids = [r.id for r in library.bookmarks()]
    papers = [p for p in index.get_many(ids).values() if p.arxiv_id]
    report = fetch_texts(ctx.paths, papers, site=site_url(config), api=base_url, progress=show)
    for pid, reason in report.failed:
        print(f"papers: {pid}: {reason}", file=sys.stderr)
    print(report.summary())
    if report.fetched:
        from .common import sync_index

        with library.batch() as tx:
            tx.changed.update(report.fetched)
        sync_index(index, library)
    return bool(report.failed)

