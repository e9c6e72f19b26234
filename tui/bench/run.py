"""The run: a work folder with a seeded corpus, then each step measured
through the program's own code (see the package notes)."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

from .child import ENV_T0, spawn
from .report import machine
from .targets import COMMON_WORDS, MAX_PAPERS, MIN_PAPERS, QUERIES, SEARCH_ROUNDS, TARGET_PAPERS, TARGETS

MANIFEST = "bench.json"


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


#: what each kind of start-up child must have seen (see child.py)
_MARKS = {"app": ("painted", "results", "search"), "bare": ("painted",)}


def _check_marks(kind: str, marks: dict) -> None:
    """A child that exits without reaching a mark (an app that failed to start
    exits too, and its times would count) is an error."""
    missing = [m for m in _MARKS[kind] if marks.get(m) is None]
    code = marks.get("exit_code")
    if missing or code not in (0, None):
        what = ("the app did not start" if "painted" in missing else
                f"no {', '.join(missing)} mark" if missing else "it failed")
        raise RuntimeError(f"exit code {code}: {what}")


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


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


# --- the work folder --------------------------------------------------------------

def _prepare(home: Path, papers: int, seed: int, full_texts: int = 0) -> bool:
    """Make ``home`` a work folder; True when its corpus (and whatever index
    it has) can be reused."""
    from . import synth

    manifest = home / MANIFEST
    want = {"generator": synth.GENERATOR_VERSION, "papers": papers, "seed": seed,
            "per_digest": synth.PER_DIGEST}
    want.update({"full_texts": full_texts} if full_texts else {})  # kept without them: another corpus
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
    from ..core.papers import paper_id

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
    def __init__(self, papers: int, seed: int, home: Path, keep: bool, app: bool, app_runs: int,
                 full_texts: int = 0):
        self.papers = papers
        self.full_texts = full_texts
        self.seed = seed
        self.home = home
        self.keep = keep
        self.app = app
        self.app_runs = app_runs
        self.out: dict = {"papers": papers, "seed": seed, "machine": machine(), "targets": TARGETS,
                          "target_papers": TARGET_PAPERS, "judged": papers >= TARGET_PAPERS}

    def run(self) -> dict:
        from ..core.paths import Paths

        t_all = time.perf_counter()
        reuse = _prepare(self.home, self.papers, self.seed, self.full_texts)
        self.paths = Paths.default(self.home)
        self.generate(reuse)
        self.parse()
        self.build()
        self.reopen()
        self.disk()  # after the re-open: SQLite's read-only look leaves its -wal/-shm files
        self.add_remove()
        self.search()
        self.first_page()
        self.relevance()
        self.fts5()
        self.cli_search()
        self.moved()
        if self.app:
            self.app_startup()
            self.key_to_paint()
        self.for_you()
        self.out["total_s"] = round(time.perf_counter() - t_all, 2)
        if self.keep:
            self.out["kept_in"] = str(self.home)
        return self.out

    # -- corpus
    def generate(self, reuse: bool) -> None:
        from . import synth
        from ..core.library import Library

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
            texts = synth.write_full_texts(self.paths, titles, self.full_texts, self.seed)
            (self.home / MANIFEST).write_text(json.dumps({
                "generator": synth.GENERATOR_VERSION, "papers": self.papers, "seed": self.seed,
                "per_digest": synth.PER_DIGEST, **({"full_texts": self.full_texts} if self.full_texts else {}),
                "complete": True}) + "\n", encoding="utf-8")
            self.out["corpus"] = {"reused": False, "seconds": round(seconds, 3), "library": seeded, **texts}
        size = sum(p.stat().st_size for p in self.files)
        self.out["corpus"].update(digests=len(self.files), bytes=size)
        k = len(self.files)
        self.extra = synth.digest(k, self.seed)  # the digest the incremental step adds
        mid = self.papers // 2
        self.fill = {"name": synth.method_name(mid, self.seed),
                     "name2": synth.method_name(self.papers - 1, self.seed),
                     "label": synth.digest(k // 2, self.seed, count=1).label.lower()}

    def parse(self) -> None:
        from ..core.digest import parse_file

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
        from ..core.session import Session

        return Session(self.paths).sources()  # as papers lists them: [app] bundled = false here

    def _open(self, progress=None):
        from ..core.index import Index
        from ..core.library import Library

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
        from ..console import progress_printer

        _say("opening the index (a cold build when there is none)…")
        progress = progress_printer(sys.stderr.isatty())
        cpu0 = _cpu()
        index, library, report, wall = self._open(progress)
        cpu = _cpu() - cpu0
        self.index, self.library = index, library
        if report.errors:
            raise RuntimeError(f"the synthetic corpus did not index cleanly: {report.errors[0]}")
        papers = index.count()
        info = {"built": report.rebuilt, "seconds": round(wall, 3), "papers_written": report.papers_written,
                "papers": papers, "wrote": report.wrote,
                # this process and its helper: the build's work, whatever else the machine runs
                "cpu_s": round(cpu, 2)}
        if report.rebuilt:
            info["papers_per_s"] = round(report.papers_written / wall) if wall else None
        self.close()
        info["index_bytes"] = sum(s for s, _ in _files(self.paths.index).values())
        self.out["build"] = info

    def disk(self) -> None:
        from .storage import disk

        self.out["disk"] = disk(self.paths.index, self.out["corpus"]["bytes"])

    def reopen(self) -> None:
        """Open again with nothing changed; compare every file of the index
        folder (with the index closed, so SQLite's -wal/-shm are gone)."""
        before = _files(self.paths.index)
        self.index, self.library, report, wall = self._open()
        self.close()
        changed = _changed(before, _files(self.paths.index))
        self.out["reopen"] = {"seconds": round(wall, 3), "wrote": report.wrote,
                              "papers_written": report.papers_written, "files_changed": changed}

    def add_remove(self) -> None:
        from . import synth

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
        from ..widgets.paper_list import PAGE

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
        from ..widgets.paper_list import PAGE

        totals = {w: self.index.search(w, limit=1).total for w in COMMON_WORDS}
        word = max(COMMON_WORDS, key=lambda w: totals[w])
        self.close()
        self.index, self.library, _, _ = self._open()
        runs = []
        for _ in range(6):
            t0 = time.perf_counter()
            res = self.index.search(word, limit=PAGE)
            runs.append((time.perf_counter() - t0) * 1000)
        self.close()
        self.out["first_page"] = {"query": word, "hits": res.total, "rows": len(res.hits),
                                  "first_ms": round(runs[0], 2), "ms": round(_median(runs[1:]), 2),
                                  "max_ms": round(max(runs[1:]), 2)}

    # -- relevance at scale, start-up from the command line, a moved data folder
    def relevance(self) -> None:
        """Known-item search (:mod:`.relevance`) with the bundled papers among the
        synthetic ones: the bundled digests are added for it, then removed."""
        try:
            from . import relevance
        except ImportError:
            self.out["relevance"] = {"skipped": "no known-item set in this version"}
            return
        from ..core.index import Index
        from ..core.paths import digest_sources

        _say("relevance: known-item search with the bundled papers among the others…")
        sources = self._sources()
        index, _ = Index.open(self.paths, sources=digest_sources(self.paths, bundled=True))
        try:
            t0 = time.perf_counter()
            self.out["relevance"] = {**relevance.measure(index), "seconds": round(time.perf_counter() - t0, 2)}
            _say("relevance: the search's rankings against the exact reference (Whoosh's scorer over every match)…")
            t0 = time.perf_counter()
            mix = [q for _, q, _, _ in self._queries()] + [q for q, _ in relevance.load()]
            self.out["relevance"].update(relevance.exact_top(index, list(dict.fromkeys(mix))),
                                         exact_seconds=round(time.perf_counter() - t0, 2))
        finally:
            index.close()
            index, _ = Index.open(self.paths, sources=sources)
            index.close()

    def cli_search(self) -> None:
        from .startup import cli_search

        word = self.out.get("first_page", {}).get("query", "transformer")
        _say(f"papers search {word!r} in a fresh process, 6 times…")
        self.out["cli"] = cli_search(self.home, word, self.home / "pycache")

    def moved(self) -> None:
        from ..core.index import Index
        from ..core.session import Session
        from .storage import moved

        _say("the data folder moved (a copy, with new file times): re-opening the index there…")
        self.out["moved"] = moved(self.paths, lambda p: Session(p).sources(),
                                  lambda p, sources: Index.open(p, sources=sources))

    def key_to_paint(self) -> None:
        from .typing import key_to_paint

        _say("the reader: typing a query, last key to results painted…")
        self.out["typing"] = key_to_paint(self.paths, self.out.get("first_page", {}).get("query", "model"))

    # -- the reference: SQLite FTS5
    def fts5(self) -> None:
        import sqlite3

        from ..core.digest import parse_file

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
            from ..widgets.paper_list import PAGE

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
                    result = spawn(kind, self.home, word, pycache)
                    _check_marks(kind, result)
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

    def for_you(self) -> None:
        from . import recommend

        _say("for you: trained and ranked at this scale; its quality on the bundled papers…")
        self.close()
        index, library, _, _ = self._open()
        try:
            self.out["for_you"] = {"speed": recommend.speed(index, library),
                                   "quality": recommend.quality(self.home / "for-you")}
        except Exception as e:  # reported, never the end of the other figures
            self.out["for_you"] = {"error": f"{type(e).__name__}: {e}"}
        finally:
            index.close()
            library.close()

    def close(self) -> None:
        for name in ("index", "library"):
            thing = getattr(self, name, None)
            setattr(self, name, None)
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    pass
