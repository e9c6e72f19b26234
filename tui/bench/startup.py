"""Start-up from the user's side: ``papers search`` in a fresh process, and in
the reader the time from the last key typed to its results on screen."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def cli_search(home: Path, word: str, pycache: Path, runs: int = 5) -> dict:
    """``papers --data-dir home search word``, ``runs`` times after an uncounted
    first run (which fills the bytecode cache): the median wall and CPU time
    of the process, from spawning it to its exit."""
    env = dict(os.environ)
    env.pop("PAPERS_HOME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    walls, cpus, errors = [], [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(home), "search", word],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, timeout=300)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode:
            last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            errors.append(f"exit code {proc.returncode}: {last[0][:200]}")
            continue
        if i:
            walls.append(wall)
            cpus.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
    out: dict = {"query": word, "runs": len(walls), "errors": errors}
    if walls:
        out.update(seconds=round(statistics.median(walls), 3), cpu_s=round(statistics.median(cpus), 3),
                   all=[round(w, 3) for w in walls])
    return out
