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

import sys

from ..console import UserError, plural, progress_printer


def add_arguments(p) -> None:
    p.add_argument("--date", metavar="DAY", help="fetch this day only (YYYY-MM-DD, today, yesterday)")
    p.add_argument("--since", metavar="DAY", help="fetch every day from DAY ...")
    p.add_argument("--until", metavar="DAY", help="... up to DAY (default: today)")
    p.add_argument("--dry-run", action="store_true", help="fetch and report; write and index nothing")


def cmd_fetch(args, ctx) -> int:
    from ..core.config import load_config
    from ..core.fetch import api_url, fetch, plan
    from ..core.fetch_report import FAILED, SKIPPED

    paths = ctx.paths
    try:
        base_url = api_url(load_config(paths.config_file))
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
    return 2 if report.failed or report.skipped else 0

