"""``papers bench``: one reproducible run that measures parsing, the index, search
and the reader's start-up on a synthetic corpus (:mod:`tui.core.synth`).

Every step goes through the code the program itself uses: digests are parsed
with ``parse_file``; the index is opened with ``Index.open`` on a ``Paths``
home whose digests are user digests, with the bundled ones switched off in its
config (the sources the reader uses); the library is the real SQLite library,
seeded with a few bookmarks, tags, notes and read marks so that ``tag:`` and
``is:`` queries have something to find; the reader is ``PapersApp``, run
headless in a fresh process.

Start-up times run from the moment the parent process takes ``time.time()``,
just before it spawns the child (passed in ``PAPERS_BENCH_T0``), to the
``time.time()`` the child reads when the event happens; so they include the
interpreter's own start and every import. Headless, Textual lays out and
renders every widget; only the bytes for a terminal are not produced.

SQLite FTS5 on the same papers and queries is measured as a reference.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

# Only what cli.py imports anyway lives up here: ``papers`` imports this module
# for its arguments on every start.

#: Targets for a 100,000-paper corpus; pass/fail is shown only at that size.
TARGET_PAPERS = 100_000
TARGETS = {
    "cold_build_s": 60.0,
    "startup_ratio": 1.3,
    "add_digest_s": 2.0,
    "search_p50_ms": 20.0,
    "search_p95_ms": 100.0,
    "search_max_ms": 300.0,
    "first_page_ms": 100.0,
    "peak_rss_mb": 300.0,
}
MAX_PAPERS = 1_000_000
MIN_PAPERS = 100
SEARCH_ROUNDS = 3
APP_TIMEOUT = 180.0
ENV_T0 = "PAPERS_BENCH_T0"
MANIFEST = "bench.json"
COMMON_WORDS = ("transformer", "model", "language", "learning", "performance", "training", "data")

# The query mix: (category, query for papers, the same for FTS5 or None, why not).
# {name} and {name2} are made-up method names of two papers (one paper each),
# {label} a digest's date label.
_LONG_WORDS = ("the model learns attention over long sequences of visual tokens " * 32)[:2000]
QUERIES: tuple[tuple[str, str, str | None, str], ...] = (
    ("rare word", "{name}", "{name}", ""),
    ("rare word", "{name2}", "{name2}", ""),
    ("rare word", "laplacian", "laplacian", ""),
    ("rare word", "eigenvectors", "eigenvectors", ""),
    ("common word", "transformer", "transformer", ""),
    ("common word", "model", "model", ""),
    ("common word", "language", "language", ""),
    ("common word", "performance", "performance", ""),
    ("2-5 words", "vision transformer", "vision transformer", ""),
    ("2-5 words", "large language models", "large language models", ""),
    ("2-5 words", "diffusion models for image generation", "diffusion models image generation", ""),
    ("2-5 words", "self-supervised speech representation", '"self-supervised" speech representation', ""),
    ("2-5 words", "efficient attention long context inference", "efficient attention long context inference", ""),
    ("phrase", '"large language models"', '"large language models"', ""),
    ("phrase", '"state of the art"', '"state of the art"', ""),
    ("phrase", '"vision transformer"', '"vision transformer"', ""),
    ("field", "title:transformer", "title:transformer", ""),
    ("field", "abstract:ablation", "abstract:ablation", ""),
    ("field", "title:{name}", "title:{name}", ""),
    ("field", "tag:reading-group", None, "library state is not in the FTS5 table"),
    ("field", "is:unread", None, "library state is not in the FTS5 table"),
    ("field", "is:bookmarked", None, "library state is not in the FTS5 table"),
    ("field", "has:note", None, "library state is not in the FTS5 table"),
    ("field", "is:unread transformer", None, "library state is not in the FTS5 table"),
    ("field", 'digest:"{label}"', None, "digest labels are not in the FTS5 table"),
    ("boolean", "diffusion AND video", "diffusion AND video", ""),
    ("boolean", "speech OR audio", "speech OR audio", ""),
    ("boolean", "language NOT vision", "language NOT vision", ""),
    ("boolean", "(image OR video) AND generation", "(image OR video) AND generation", ""),
    ("prefix", "transfo*", "transfo*", ""),
    ("prefix", "quant*", "quant*", ""),
    ("prefix", "pre*", "pre*", ""),
    ("typing", "vision transf", "vision transf*", ""),
    ("typing", "large langu", "large langu*", ""),
    ("fuzzy", "trasnformer~", None, "FTS5 has no fuzzy terms"),
    ("fuzzy", "difusion~2", None, "FTS5 has no fuzzy terms"),
    ("fuzzy", "segmentaton~1", None, "FTS5 has no fuzzy terms"),
    ("typo", "trasnformer", None, "FTS5 has no typo tolerance"),
    ("typo", "lanugage modles", None, "FTS5 has no typo tolerance"),
    ("typo", "reinforcment lerning", None, "FTS5 has no typo tolerance"),
    ("pathological", "*former", None, "FTS5 has no leading wildcard"),
    ("pathological", "*", None, "FTS5 has no leading wildcard"),
    ("pathological", "transformer~9", None, "FTS5 has no fuzzy terms"),
    ("pathological", "NOT NOT transformer", None, "not valid FTS5 syntax"),
    ("pathological", "title:(((", None, "not valid FTS5 syntax"),
    ("pathological", "a" * 2000, '"' + "a" * 256 + '"', ""),
    ("pathological", _LONG_WORDS, " ".join(_LONG_WORDS[:256].split()[:-1]), ""),
)


class BenchError(Exception):
    """A bad argument or an unusable folder; one line."""


# --- small helpers ----------------------------------------------------------------

def _say(text: str) -> None:
    sys.stderr.write(f"bench: {text}\n")
    sys.stderr.flush()


def _pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))]


def _median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def _stats_ms(values: list[float]) -> dict:
    return {"n": len(values), "p50": round(_pct(values, 50), 2), "p95": round(_pct(values, 95), 2),
            "max": round(max(values), 2) if values else None}


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime_ns) of every file under ``folder``."""
    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            p = Path(root) / n
            try:
                st = p.stat()
            except OSError:
                continue
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def parse_count(raw: str) -> int:
    """``2000``, ``2_000``, ``2,000`` or ``2k`` -> 2000; BenchError otherwise."""
    text = str(raw).strip().lower().replace("_", "").replace(",", "")
    mult = 1
    if text.endswith("k"):
        text, mult = text[:-1], 1000
    try:
        n = int(text) * mult
    except ValueError:
        raise BenchError(f"--papers: {raw!r} is not a number of papers") from None
    if not MIN_PAPERS <= n <= MAX_PAPERS:
        raise BenchError(f"--papers must be between {MIN_PAPERS:,} and {MAX_PAPERS:,} (got {n:,})")
    return n


def machine() -> dict:
    import platform
    import sqlite3
    from importlib import metadata

    def version(*names):
        for n in names:
            try:
                return metadata.version(n)
            except metadata.PackageNotFoundError:
                pass
        return None

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "textual": version("textual"),
        "whoosh": version("Whoosh-Reloaded", "whoosh-reloaded", "Whoosh"),
        "sqlite": sqlite3.sqlite_version,
    }


# --- the work folder --------------------------------------------------------------

def _prepare(home: Path, papers: int, seed: int) -> bool:
    """Make ``home`` a work folder; True when its corpus (and whatever index
    it has) can be reused."""
    from .core import synth

    manifest = home / MANIFEST
    want = {"generator": synth.GENERATOR_VERSION, "papers": papers, "seed": seed,
            "per_digest": synth.PER_DIGEST}
    if home.exists() and not home.is_dir():
        raise BenchError(f"--keep: {home} is a file, not a folder")
    if home.is_dir() and any(home.iterdir()):
        try:
            have = json.loads(manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BenchError(f"--keep: {home} is not empty and was not made by papers bench; "
                             "give a new or empty folder") from None
        except (OSError, ValueError) as e:
            raise BenchError(f"--keep: cannot read {manifest} ({e})") from None
        digests = home / "data" / "digests"
        expected = {f"synth-{k:05d}.txt" for k in range(-(-papers // synth.PER_DIGEST))}
        present = {p.name for p in digests.iterdir()} if digests.is_dir() else set()
        if have.get("complete") and {k: have.get(k) for k in want} == want and expected <= present:
            for extra in present - expected:  # e.g. the added digest of an interrupted run
                (digests / extra).unlink()
            return True
        for sub in ("data", "cache", "config", "pycache"):
            shutil.rmtree(home / sub, ignore_errors=True)
        manifest.unlink(missing_ok=True)
    try:
        (home / "config").mkdir(parents=True, exist_ok=True)
        # the folder is the bench's from now on, even if this run is interrupted
        manifest.write_text(json.dumps({**want, "complete": False}) + "\n", encoding="utf-8")
        (home / "config" / "config.toml").write_text("[app]\nbundled = false\n", encoding="utf-8")
    except OSError as e:
        raise BenchError(f"cannot write in {home}: {e.strerror or e}") from None
    return False


def _seed_library(library, titles: list[str]) -> dict:
    """A few bookmarks (tagged), notes and read marks, spread over the corpus."""
    from .core.papers import paper_id

    counts = {"bookmarked": 0, "noted": 0, "read": 0}
    with library.batch():
        for i, title in enumerate(titles):
            pid = None
            if i % 499 == 7:
                pid = paper_id(title)
                library.set_bookmark(pid, True)
                library.add_tags(pid, ["reading-group"])
                counts["bookmarked"] += 1
            if i % 997 == 11:
                pid = pid or paper_id(title)
                library.set_note(pid, "ablation worth repeating on our data")
                counts["noted"] += 1
            if i % 23 == 5:
                library.set_read(pid or paper_id(title), True)
                counts["read"] += 1
    return counts


# --- the steps --------------------------------------------------------------------

class Bench:
    def __init__(self, papers: int, seed: int, home: Path, keep: bool, app: bool, app_runs: int):
        self.papers = papers
        self.seed = seed
        self.home = home
        self.keep = keep
        self.app = app
        self.app_runs = app_runs
        self.out: dict = {"papers": papers, "seed": seed, "machine": machine(), "targets": TARGETS,
                          "target_papers": TARGET_PAPERS, "judged": papers >= TARGET_PAPERS}

    def run(self) -> dict:
        from .core.paths import Paths

        t_all = time.perf_counter()
        reuse = _prepare(self.home, self.papers, self.seed)
        self.paths = Paths.default(self.home)
        self.generate(reuse)
        self.parse()
        self.build()
        self.reopen()
        self.add_remove()
        self.search()
        self.first_page()
        self.fts5()
        if self.app:
            self.app_startup()
        self.out["total_s"] = round(time.perf_counter() - t_all, 2)
        if self.keep:
            self.out["kept_in"] = str(self.home)
        return self.out

    # -- corpus
    def generate(self, reuse: bool) -> None:
        from .core import synth
        from .core.library import Library

        folder = self.paths.digests
        if reuse:
            self.files = sorted(folder.glob("synth-*.txt"))
            self.out["corpus"] = {"reused": True, "seconds": None}
        else:
            _say(f"generating {self.papers:,} papers…")
            t0 = time.perf_counter()
            folder.mkdir(parents=True, exist_ok=True)
            titles: list[str] = []
            self.files = []
            for d in synth.corpus(self.papers, self.seed):
                self.files.append(synth.write_digest(folder, d))
                titles += d.titles
            seconds = time.perf_counter() - t0
            library = Library.open(self.paths)
            try:
                seeded = _seed_library(library, titles)
            finally:
                library.close()
            (self.home / MANIFEST).write_text(json.dumps({
                "generator": synth.GENERATOR_VERSION, "papers": self.papers, "seed": self.seed,
                "per_digest": synth.PER_DIGEST, "complete": True}) + "\n", encoding="utf-8")
            self.out["corpus"] = {"reused": False, "seconds": round(seconds, 3), "library": seeded}
        size = sum(p.stat().st_size for p in self.files)
        self.out["corpus"].update(digests=len(self.files), bytes=size)
        k = len(self.files)
        self.extra = synth.digest(k, self.seed)  # the digest the incremental step adds
        mid = self.papers // 2
        self.fill = {"name": synth.method_name(mid, self.seed),
                     "name2": synth.method_name(self.papers - 1, self.seed),
                     "label": synth.digest(k // 2, self.seed, count=1).label.lower()}

    def parse(self) -> None:
        from .core.digest import parse_file

        _say(f"parsing {len(self.files):,} digests…")
        t0 = time.perf_counter()
        entries = problems = 0
        for p in self.files:
            d = parse_file(p)
            entries += len(d.entries)
            problems += len(d.problems)
        seconds = time.perf_counter() - t0
        size = self.out["corpus"]["bytes"]
        self.out["parse"] = {"seconds": round(seconds, 3), "entries": entries, "problems": problems,
                             "entries_per_s": round(entries / seconds), "mb_per_s": round(size / 1e6 / seconds, 1)}

    # -- index
    def _sources(self):
        from .core.config import load_config
        from .core.paths import digest_sources

        return digest_sources(self.paths, bundled=load_config(self.paths.config_file).bundled)

    def _open(self, progress=None):
        from .core.index import Index
        from .core.library import Library

        library = Library.open(self.paths)
        t0 = time.perf_counter()
        try:
            index, report = Index.open(self.paths, sources=self._sources(), progress=progress, library=library)
        except BaseException:
            library.close()
            raise
        wall = time.perf_counter() - t0
        return index, library, report, wall

    def build(self) -> None:
        from .console import progress_printer

        _say("opening the index (a cold build when there is none)…")
        progress = progress_printer(sys.stderr.isatty())
        index, library, report, wall = self._open(progress)
        self.index, self.library = index, library
        if report.errors:
            raise RuntimeError(f"the synthetic corpus did not index cleanly: {report.errors[0]}")
        papers = index.count()
        info = {"built": report.rebuilt, "seconds": round(wall, 3), "papers_written": report.papers_written,
                "papers": papers, "wrote": report.wrote}
        if report.rebuilt:
            info["papers_per_s"] = round(report.papers_written / wall) if wall else None
        self._close()
        info["index_bytes"] = sum(s for s, _ in _files(self.paths.index).values())
        self.out["build"] = info

    def reopen(self) -> None:
        """Open again with nothing changed; compare every file of the index
        folder (with the index closed, so SQLite's -wal/-shm are gone)."""
        before = _files(self.paths.index)
        self.index, self.library, report, wall = self._open()
        self._close()
        changed = _changed(before, _files(self.paths.index))
        self.out["reopen"] = {"seconds": round(wall, 3), "wrote": report.wrote,
                              "papers_written": report.papers_written, "files_changed": changed}

    def add_remove(self) -> None:
        from .core import synth

        _say("adding one digest, then removing it…")
        path = synth.write_digest(self.paths.digests, self.extra)
        try:
            index, library, report, wall = self._open()
            added = {"seconds": round(wall, 3), "added": report.added, "papers_written": report.papers_written}
            index.close()
            library.close()
        finally:
            path.unlink(missing_ok=True)
        index, library, report, wall = self._open()
        index.close()
        library.close()
        removed = {"seconds": round(wall, 3), "removed": report.removed, "papers_written": report.papers_written}
        self.out["add_digest"] = added
        self.out["remove_digest"] = removed

    # -- search
    def _queries(self) -> list[tuple[str, str, str | None, str]]:
        return [(c, q.format(**self.fill) if "{" in q else q, f.format(**self.fill) if f and "{" in f else f, why)
                for c, q, f, why in QUERIES]

    def search(self) -> None:
        from .widgets.papers_list import PAGE

        queries = self._queries()
        _say(f"searching: {len(queries)} queries × {SEARCH_ROUNDS} rounds…")
        self.index, self.library, _, _ = self._open()
        times: dict[int, list[float]] = {i: [] for i in range(len(queries))}
        hits: dict[int, int] = {}
        notes: dict[int, tuple] = {}
        for _ in range(SEARCH_ROUNDS):
            for i, (_, q, _, _) in enumerate(queries):
                t0 = time.perf_counter()
                res = self.index.search(q, limit=PAGE)
                times[i].append((time.perf_counter() - t0) * 1000)
                hits[i] = res.total
                notes[i] = res.notes
        every = [t for ts in times.values() for t in ts]
        cats: dict[str, list[float]] = {}
        for i, (c, *_rest) in enumerate(queries):
            cats.setdefault(c, []).extend(times[i])
        per_query = [{"category": c, "query": q if len(q) <= 60 else q[:40] + f"… ({len(q)} chars)",
                      "hits": hits[i], "ms": [round(t, 2) for t in times[i]], "notes": list(notes[i])}
                     for i, (c, q, _, _) in enumerate(queries)]
        self.out["search"] = {"page": PAGE, "rounds": SEARCH_ROUNDS, **_stats_ms(every),
                              "first_round_max": round(max(times[i][0] for i in times), 2),
                              "categories": {c: _stats_ms(v) for c, v in cats.items()},
                              "queries": per_query}

    def first_page(self) -> None:
        from .widgets.papers_list import PAGE

        totals = {w: self.index.search(w, limit=1).total for w in COMMON_WORDS}
        word = max(COMMON_WORDS, key=lambda w: totals[w])
        self._close()
        self.index, self.library, _, _ = self._open()
        runs = []
        for _ in range(6):
            t0 = time.perf_counter()
            res = self.index.search(word, limit=PAGE)
            runs.append((time.perf_counter() - t0) * 1000)
        self._close()
        self.out["first_page"] = {"query": word, "hits": res.total, "rows": len(res.hits),
                                  "first_ms": round(runs[0], 2), "ms": round(_median(runs[1:]), 2),
                                  "max_ms": round(max(runs[1:]), 2)}

    # -- the reference: SQLite FTS5
    def fts5(self) -> None:
        import sqlite3

        from .core.digest import parse_file

        _say("SQLite FTS5 reference…")
        db_path = self.home / "fts5.sqlite3"
        db_path.unlink(missing_ok=True)
        try:
            db = sqlite3.connect(db_path)
            db.execute("CREATE VIRTUAL TABLE papers USING fts5(title, abstract, "
                       "tokenize = 'porter unicode61 remove_diacritics 2')")
        except sqlite3.Error as e:
            self.out["fts5"] = {"error": f"FTS5 unavailable: {e}"}
            return
        try:
            insert = 0.0
            rows = 0
            for p in self.files:
                d = parse_file(p)
                batch = [(e.title, e.abstract) for e in d.entries]
                t0 = time.perf_counter()
                db.executemany("INSERT INTO papers (title, abstract) VALUES (?, ?)", batch)
                insert += time.perf_counter() - t0
                rows += len(batch)
            t0 = time.perf_counter()
            db.commit()
            db.execute("INSERT INTO papers(papers) VALUES ('optimize')")
            db.commit()
            insert += time.perf_counter() - t0
            from .widgets.papers_list import PAGE

            queries = self._queries()
            times: list[float] = []
            cats: dict[str, list[float]] = {}
            skipped, failed, per_query = [], [], []
            for c, q, f, why in queries:
                short = q if len(q) <= 60 else q[:40] + f"… ({len(q)} chars)"
                if f is None:
                    skipped.append({"query": short, "why": why})
                    continue
                ms, total = [], 0
                try:
                    for _ in range(SEARCH_ROUNDS):
                        t0 = time.perf_counter()
                        db.execute("SELECT rowid, title FROM papers WHERE papers MATCH ? "
                                   "ORDER BY bm25(papers, 2.5, 1.0) LIMIT ?", (f, PAGE)).fetchall()
                        total = db.execute("SELECT count(*) FROM papers WHERE papers MATCH ?", (f,)).fetchone()[0]
                        ms.append((time.perf_counter() - t0) * 1000)
                except sqlite3.Error as e:
                    failed.append({"query": short, "fts5": f, "error": str(e)})
                    continue
                times += ms
                cats.setdefault(c, []).extend(ms)
                per_query.append({"category": c, "query": short, "fts5": f if len(f) <= 60 else f[:40] + "…",
                                  "hits": total, "ms": [round(t, 2) for t in ms]})
            self.out["fts5"] = {"build_s": round(insert, 3), "rows": rows,
                                "bytes": db_path.stat().st_size, **_stats_ms(times),
                                "categories": {c: _stats_ms(v) for c, v in cats.items()},
                                "skipped": skipped, "failed": failed, "queries": per_query}
        finally:
            db.close()
            db_path.unlink(missing_ok=True)

    # -- the reader
    def _state_files(self) -> dict:
        return _files(self.home / "cache") | {f"data/{k}": v for k, v in _files(self.home / "data").items()}

    def app_startup(self) -> None:
        """The reader and a bare app, started in turn; the first start of each
        is not counted: it fills the bytecode cache, and the reader records the
        digests it has not seen before (for "what's new"), a write that only
        the first start after the digests changed makes."""
        word = self.out.get("first_page", {}).get("query", "transformer")
        _say(f"the reader: {self.app_runs} start-ups, and as many of a bare Textual app…")
        app_runs, bare_runs, errors = [], [], []
        first_start: dict = {}
        pycache = self.home / "pycache"
        first = self._state_files()
        before = first
        for i in range(self.app_runs + 1):
            for kind, runs in (("app", app_runs), ("bare", bare_runs)):
                try:
                    result = _spawn(kind, self.home, word, pycache)
                except RuntimeError as e:
                    errors.append(f"{kind}: {e}")
                else:
                    if i:
                        runs.append(result)
                    else:
                        first_start[kind] = result
            if i == 0:
                before = self._state_files()
        after = self._state_files()

        def med(runs, key):
            vals = [r[key] for r in runs if r.get(key) is not None]
            return round(_median(vals), 3) if vals else None

        info = {
            "runs": len(app_runs), "bare_runs": len(bare_runs), "errors": errors,
            "process_start": f"parent's time.time() just before spawning, passed in {ENV_T0}",
            "dwell_to_read": "off (a paper left open would be marked read: a write of reading, not of start-up)",
            "bytecode": "cached, as an installed package has it: PYTHONPYCACHEPREFIX, filled by the "
                        "uncounted first start of each kind",
            "painted_s": med(app_runs, "painted"), "results_s": med(app_runs, "results"),
            "search_s": med(app_runs, "search"), "search_query": word,
            "bare_painted_s": med(bare_runs, "painted"),
            "imports_s": med(app_runs, "imported"), "bare_imports_s": med(bare_runs, "imported"),
            "index_wrote": any(r.get("index_wrote") for r in app_runs),
            "files_changed": _changed(before, after),
            "first_start_files_changed": _changed(first, before),
            "first_start_index": first_start.get("app", {}).get("index_report"),
            "first_start": first_start,
            "peak_rss_mb": round(max(r["rss_kb"] for r in app_runs) / 1024, 1) if app_runs else None,
            "bare_peak_rss_mb": round(max(r["rss_kb"] for r in bare_runs) / 1024, 1) if bare_runs else None,
            "all": {"app": app_runs, "bare": bare_runs},
        }
        if info["painted_s"] and info["bare_painted_s"]:
            info["painted_ratio"] = round(info["painted_s"] / info["bare_painted_s"], 2)
        if info["results_s"] and info["bare_painted_s"]:
            info["results_ratio"] = round(info["results_s"] / info["bare_painted_s"], 2)
        self.out["app"] = info

    def _close(self) -> None:
        for name in ("index", "library"):
            thing = getattr(self, name, None)
            setattr(self, name, None)
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    pass


# --- the reader, in a child process ---------------------------------------------

_CHILD = "import sys; from tui.bench import child_main; sys.exit(child_main(sys.argv[1:]))"


def _spawn(kind: str, home: Path, word: str, pycache: Path) -> dict:
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="papers-bench-") as tmp:
        out = Path(tmp) / "out.json"
        env = dict(os.environ)
        env.pop("PAPERS_HOME", None)
        # compiled modules are cached where they disturb nothing, whatever the
        # environment says about writing bytecode
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        env[ENV_T0] = repr(time.time())
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, kind, str(home), str(out), word],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env)
        try:
            _, err = proc.communicate(timeout=APP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RuntimeError(f"no result within {APP_TIMEOUT:.0f} s") from None
        try:
            return json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise RuntimeError(last[0][:200]) from None


def _peak_rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def child_main(argv: list[str]) -> int:
    """``kind home out word``: start the reader (or a bare app with the same
    widgets), note when it is painted, when its first results are on screen and
    when a search for ``word`` is; write the times to ``out`` and exit."""
    t0 = float(os.environ[ENV_T0])
    kind, home, out, word = argv
    marks: dict = {}

    def mark(name: str) -> None:
        marks.setdefault(name, round(time.time() - t0, 4))

    if kind == "app":
        from . import cli
        from .app import PapersApp
        from .cli.common import data_paths

        args = cli.build_parser().parse_args(["--data-dir", home])
        paths = data_paths(args)

        class BenchApp(PapersApp):
            def start(self) -> None:
                super().start()
                self.call_after_refresh(mark, "painted")

            # Textual calls this before PapersApp's own handler of the message
            def on_papers_app_index_ready(self, event) -> None:
                r = event.report
                marks["index_wrote"] = r.wrote
                if r.wrote or r.notices:
                    marks["index_report"] = {"papers_written": r.papers_written, "rebuilt": r.rebuilt,
                                             "added": r.added[:5], "changed": r.changed[:5],
                                             "removed": r.removed[:5], "notices": r.notices[:5]}
                marks["index_open_s"] = round(event.report.seconds, 4)

            def on_papers_app_search_done(self, event) -> None:
                self.call_later(self._settled)

            def _settled(self) -> None:
                if not self.search_settled:
                    return
                if "results" not in marks:
                    self.call_after_refresh(self._results_shown)
                elif self.query_text == word and "search" not in marks:
                    self.call_after_refresh(self._search_shown)

            def _results_shown(self) -> None:
                mark("results")
                marks["rows"] = len(self.main.query_one("#results").ids)
                self.start_search(word, immediate=True)

            def _search_shown(self) -> None:
                mark("search")
                self.exit()

        app = BenchApp(paths, watch_interval=0)
        # A paper whose details stay open for a while counts as read, a write
        # that belongs to reading, not to starting: off, so that any write seen
        # here is the start-up's own.
        app.dwell = 0
    else:
        app = _bare_app(mark)
    mark("imported")
    app.run(headless=True, size=(120, 40))
    marks["rss_kb"] = _peak_rss_kb()
    Path(out).write_text(json.dumps(marks), encoding="utf-8")
    return 0


def _bare_app(mark):
    """The reader's widgets, laid out by its own stylesheet, with no data."""
    from textual.app import App
    from textual.containers import Horizontal, Vertical
    from textual.widgets import ContentSwitcher, Footer, Input, OptionList, ProgressBar, Static, Tab, Tabs

    class BareApp(App):
        CSS_PATH = str(Path(__file__).with_name("app.tcss"))
        BINDINGS = [("q", "quit", "Quit"), ("slash", "focus", "Search"), ("b", "nothing", "Bookmark")]

        def compose(self):
            yield Input(placeholder="Search papers", id="search")
            with Horizontal(id="body"):
                with Vertical(id="left"):
                    yield Tabs(*[Tab(t, id=f"tab-{t.lower()}") for t in ("Search", "Bookmarks", "Notes", "Digests")],
                               id="tabs")
                    with ContentSwitcher(initial="results", id="panes"):
                        yield OptionList(id="results")
                        with Vertical(id="bookmarks"):
                            yield Input(placeholder="filter by tag", id="bookmark-filter")
                            yield OptionList(id="bookmark-list")
                        yield OptionList(id="notes")
                        yield OptionList(id="digests")
                yield Static("No paper selected.", id="details")
            with Horizontal(id="statusbar"):
                yield Static("Starting…", id="status")
                yield ProgressBar(id="progress", show_eta=False)
            yield Footer()

        def on_mount(self) -> None:
            self.query_one("#progress").display = False
            self.query_one("#results").focus()
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            mark("painted")
            self.exit()

    return BareApp()


# --- output -----------------------------------------------------------------------

def _fmt_s(s) -> str:
    return "-" if s is None else f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def _verdict(ok: bool, judged: bool) -> str:
    return ("pass" if ok else "FAIL") if judged else ""


def render(out: dict) -> str:
    """The readable table."""
    judged = out["judged"]
    m = out["machine"]
    T = TARGETS
    rows: list[tuple[str, str, str, str]] = []

    def row(what, value, target="", ok=None):
        rows.append((what, value, target, _verdict(ok, judged) if ok is not None else ""))

    c = out["corpus"]
    row("corpus", f"{out['papers']:,} papers, {c['digests']:,} digests, {c['bytes'] / 1e6:.1f} MB"
        + (" (reused)" if c["reused"] else f", generated in {_fmt_s(c['seconds'])}"))
    p = out["parse"]
    row("parse (parse_file)", f"{p['entries_per_s']:,} entries/s ({_fmt_s(p['seconds'])}, {p['mb_per_s']} MB/s,"
        f" {p['problems']} problems)")
    b = out["build"]
    if b["built"]:
        row("cold index build", f"{_fmt_s(b['seconds'])} ({b['papers_per_s']:,} papers/s, "
            f"index {b['index_bytes'] / 1e6:.0f} MB)", f"≤ {T['cold_build_s']:.0f} s",
            b["seconds"] <= T["cold_build_s"])
    else:
        row("index (reused)", f"opened in {_fmt_s(b['seconds'])}, {b['papers_written']} papers written")
    r = out["reopen"]
    quiet = not r["wrote"] and not r["files_changed"]
    row("re-open, nothing changed", f"{_fmt_s(r['seconds'])}, " + (
        "wrote nothing" if quiet else f"WROTE: {r['papers_written']} papers, {len(r['files_changed'])} files"),
        "0 writes", quiet)
    a = out["add_digest"]
    row("add one digest (100 papers)", f"{_fmt_s(a['seconds'])} ({a['papers_written']} papers written)",
        f"≤ {T['add_digest_s']:.0f} s", a["seconds"] <= T["add_digest_s"])
    d = out["remove_digest"]
    row("remove one digest", f"{_fmt_s(d['seconds'])}")
    s = out["search"]
    ok = s["p50"] <= T["search_p50_ms"] and s["p95"] <= T["search_p95_ms"] and s["max"] <= T["search_max_ms"]
    row(f"search p50/p95/max ({len(s['queries'])}×{s['rounds']})",
        f"{s['p50']:.1f} / {s['p95']:.1f} / {s['max']:.1f} ms",
        f"≤ {T['search_p50_ms']:.0f}/{T['search_p95_ms']:.0f}/{T['search_max_ms']:.0f} ms", ok)
    for cat, st in s["categories"].items():
        row(f"  {cat}", f"p50 {st['p50']:.1f} · max {st['max']:.1f} ms")
    for q in sorted(s["queries"], key=lambda q: -max(q["ms"]))[:3]:
        row(f"  slowest: {q['query'][:24]}", f"max {max(q['ms']):.1f} ms ({q['category']}, {q['hits']:,} hits)")
    f = out["first_page"]
    row(f"first page, {f['query']!r} ({f['hits']:,} hits)",
        f"{f['ms']:.1f} ms ({f['rows']} rows; first call {f['first_ms']:.0f} ms)",
        f"≤ {T['first_page_ms']:.0f} ms", f["ms"] <= T["first_page_ms"])
    app = out.get("app")
    if app:
        if app.get("painted_ratio") is not None:
            row("reader painted", f"{_fmt_s(app['painted_s'])} (bare app {_fmt_s(app['bare_painted_s'])},"
                f" ×{app['painted_ratio']:.2f})", f"≤ {T['startup_ratio']}× bare",
                app["painted_ratio"] <= T["startup_ratio"])
        row("reader first results", f"{_fmt_s(app['results_s'])} (×{app.get('results_ratio', 0):.2f} bare paint)")
        row(f"reader search {app['search_query']!r} shown", _fmt_s(app["search_s"]))
        quiet = not app["index_wrote"] and not app["files_changed"]
        what = (["the index sync"] if app["index_wrote"] else []) + app["files_changed"][:2]
        more = len(app["files_changed"]) - 2
        row("reader start-up writes", "none" if quiet else
            f"WROTE: {', '.join(what)}" + (f" and {more} more files" if more > 0 else ""), "0 writes", quiet)
        if app.get("first_start_files_changed"):
            changed = app["first_start_files_changed"]
            sync = app.get("first_start_index")
            what = (f"the index sync wrote {sync['papers_written']:,} papers"
                    + (" (a rebuild: " + "; ".join(sync["notices"]) + ")" if sync["rebuilt"] else "")
                    if sync else "")
            row("  first start (not counted)", ", ".join(filter(None, [what, f"{len(changed)} file{'s' if len(changed) > 1 else ''} changed: "
                + ", ".join(changed[:2]) + ("…" if len(changed) > 2 else "")])))
        if app["peak_rss_mb"] is not None:
            row("reader peak RSS", f"{app['peak_rss_mb']:.0f} MB (bare app {app['bare_peak_rss_mb']:.0f} MB)",
                f"≤ {T['peak_rss_mb']:.0f} MB", app["peak_rss_mb"] <= T["peak_rss_mb"])
        for e in app["errors"]:
            row("reader error", e)
    fts = out.get("fts5", {})
    if "error" in fts:
        row("SQLite FTS5", fts["error"])
    elif fts:
        row("SQLite FTS5 build (insert+optimize)", f"{_fmt_s(fts['build_s'])} ({fts['rows']:,} rows,"
            f" {fts['bytes'] / 1e6:.0f} MB)")
        row(f"SQLite FTS5 search p50/p95/max ({len(fts['queries'])}×{s['rounds']})",
            f"{fts['p50']:.1f} / {fts['p95']:.1f} / {fts['max']:.1f} ms")
        row("  not expressible in FTS5", f"{len(fts['skipped'])} queries (fuzzy, typos, library fields, "
            "leading *, bad syntax)" + (f"; {len(fts['failed'])} failed" if fts["failed"] else ""))

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    head = (f"papers bench · {out['papers']:,} papers (seed {out['seed']}) · {m['cpus']} CPUs · "
            f"Python {m['python']} · {m['platform']} · textual {m['textual']} · whoosh {m['whoosh']} · "
            f"SQLite {m['sqlite']}")
    lines = [head, "",
             (f"{'':<{w0}}  {'measured':<{w1}}  {'target at 100k':<{w2}}" + ("  verdict" if judged else "")).rstrip()]
    for what, value, target, verdict in rows:
        lines.append(f"{what:<{w0}}  {value:<{w1}}  {target:<{w2}}  {verdict}".rstrip())
    if not judged:
        lines += ["", f"Targets are set for {TARGET_PAPERS:,} papers; pass/fail is shown only at that size."]
    lines.append(f"\n{out['total_s']:.0f} s in all" + (f"; corpus and index kept in {out['kept_in']}"
                                                        if out.get("kept_in") else ""))
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------

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


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        n = int(str(raw).replace("_", ""))
    except ValueError:
        raise BenchError(f"{name}: {raw!r} is not a whole number") from None
    if not low <= n <= high:
        raise BenchError(f"{name} must be between {low} and {high} (got {n})")
    return n


def cmd_bench(args) -> int:
    import tempfile

    from .console import UserError

    try:
        papers = parse_count(args.papers)
        seed = _int("--seed", args.seed, 0, 2**31)
        app_runs = _int("--app-runs", args.app_runs, 1, 50)
        if args.keep:
            home, keep = Path(args.keep).expanduser().resolve(), True
        else:
            home, keep = Path(tempfile.mkdtemp(prefix="papers-bench-")), False
        bench = Bench(papers, seed, home, keep, app=not args.no_app, app_runs=app_runs)
        try:
            out = bench.run()
        finally:
            bench._close()
            if not keep:
                shutil.rmtree(home, ignore_errors=True)
    except BenchError as e:
        raise UserError(str(e)) from None
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(out))
    return 0
