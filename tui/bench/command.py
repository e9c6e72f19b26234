"""``papers bench``: its arguments and the command."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from ..console import UserError
from .targets import MAX_PAPERS, MIN_PAPERS

# the run and the report are imported when a run starts: papers imports this
# module for its arguments on every start


def add_arguments(p) -> None:
    p.add_argument("--papers", default="100000", metavar="N",
                   help=f"papers in the synthetic corpus (default 100000; {MIN_PAPERS}–{MAX_PAPERS:,})")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.add_argument("--keep", metavar="DIR",
                   help="keep corpus and index in DIR, and reuse them on the next run")
    p.add_argument("--seed", default="0", metavar="S", help="seed of the synthetic corpus (default 0)")
    p.add_argument("--app-runs", default="5", metavar="K",
                   help="start-ups of the reader (and of a bare app) to take the median of (default 5)")
    p.add_argument("--no-app", action="store_true", help="skip the reader's start-up")
    p.add_argument("--full-texts", default="0", metavar="N",
                   help="cache a made-up full text for N of the papers (indexed and searched; default 0)")


def _int(name: str, raw: str, low: int, high: int) -> int:
    from .run import BenchError

    try:
        n = int(str(raw).replace("_", ""))
    except ValueError:
        raise BenchError(f"{name}: {raw!r} is not a whole number") from None
    if not low <= n <= high:
        raise BenchError(f"{name} must be between {low} and {high} (got {n})")
    return n


def cmd_bench(args, ctx) -> int:
    """``papers bench``: the run makes its own homes (``ctx``, the command's
    session, opens nothing here)."""
    import tempfile

    from .report import render
    from .run import Bench, BenchError, parse_count

    try:
        papers = parse_count(args.papers)
        seed = _int("--seed", args.seed, 0, 2**31)
        app_runs = _int("--app-runs", args.app_runs, 1, 50)
        texts = _int("--full-texts", args.full_texts, 0, papers)
        if args.keep:
            home, keep = Path(args.keep).expanduser().resolve(), True
        else:
            home, keep = Path(tempfile.mkdtemp(prefix="papers-bench-")), False
        bench = Bench(papers, seed, home, keep, app=not args.no_app, app_runs=app_runs, full_texts=texts)
        try:
            out = bench.run()
        finally:
            bench.close()
            if not keep:
                shutil.rmtree(home, ignore_errors=True)
    except BenchError as e:
        raise UserError(str(e)) from None
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(out))
