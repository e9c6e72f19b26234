"""The readable table of a run's figures, and the machine it ran on."""

from __future__ import annotations

import os

from ..console import plural
from .targets import TARGET_PAPERS, TARGETS


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
        f" {plural(p['problems'], 'problem')})")
    b = out["build"]
    if b["built"]:
        cpu = f", CPU {_fmt_s(b['cpu_s'])} with its helper" if b.get("cpu_s") is not None else ""
        fts_build = (out.get("fts5") or {}).get("build_s")
        ratio = f", ×{b['seconds'] / fts_build:.1f} FTS5's {_fmt_s(fts_build)}" if fts_build else ""
        row("cold index build", f"{_fmt_s(b['seconds'])} ({b['papers_per_s']:,} papers/s, "
            f"index {b['index_bytes'] / 1e6:.0f} MB{cpu}{ratio})",
            f"≤ {T['cold_build_fts5_ratio']:.0f}× FTS5's build in the same run",
            bool(fts_build) and b["seconds"] <= T["cold_build_fts5_ratio"] * fts_build)
    else:
        row("index (reused)", f"opened in {_fmt_s(b['seconds'])}, {b['papers_written']} papers written")
    _disk_rows(row, out.get("disk"), c["bytes"], T)
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
    fts = out.get("fts5") or {}
    ok = s["p50"] <= T["search_p50_ms"] and s["p95"] <= T["search_p95_ms"] and s["max"] <= T["search_max_ms"]
    beside = "p95" in fts  # p95 at most half FTS5's, max at most FTS5's, in the same run
    if beside:
        ok = ok and s["p95"] <= T["search_p95_fts5_ratio"] * fts["p95"] and s["max"] <= fts["max"]
    row(f"search p50/p95/max ({len(s['queries'])}×{s['rounds']})",
        f"{s['p50']:.1f} / {s['p95']:.1f} / {s['max']:.1f} ms"
        + (f" (FTS5 {fts['p50']:.1f} / {fts['p95']:.1f} / {fts['max']:.1f})" if beside else ""),
        f"≤ {T['search_p50_ms']:.0f}/{T['search_p95_ms']:.0f}/{T['search_max_ms']:.0f} ms"
        + (f", p95 ≤ {T['search_p95_fts5_ratio']}× FTS5's, max ≤ FTS5's" if beside else ""), ok)
    for cat, st in s["categories"].items():
        row(f"  {cat}", f"p50 {st['p50']:.1f} · max {st['max']:.1f} ms")
    for q in sorted(s["queries"], key=lambda q: -max(q["ms"]))[:3]:
        row(f"  slowest: {q['query'][:24]}", f"max {max(q['ms']):.1f} ms ({q['category']}, {q['hits']:,} hits)")
    f = out["first_page"]
    row(f"first page, {f['query']!r} ({f['hits']:,} hits)",
        f"{f['ms']:.1f} ms ({f['rows']} rows; first call {f['first_ms']:.0f} ms)",
        f"≤ {T['first_page_ms']:.0f} ms", f["ms"] <= T["first_page_ms"])
    _startup_rows(row, out, T)
    app = out.get("app")
    if app:
        if app.get("painted_ratio") is not None:
            row("reader painted", f"{_fmt_s(app['painted_s'])} (bare app {_fmt_s(app['bare_painted_s'])},"
                f" ×{app['painted_ratio']:.2f})", f"≤ {T['startup_ratio']}× bare",
                app["painted_ratio"] <= T["startup_ratio"])
        row("reader first results", f"{_fmt_s(app['results_s'])} (×{app.get('results_ratio', 0):.2f} bare paint)",
            f"≤ {T['results_s']} s", app["results_s"] is not None and app["results_s"] <= T["results_s"])
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
    if "error" in fts:
        row("SQLite FTS5", fts["error"])
    elif fts:
        row("SQLite FTS5 build (insert+optimize)", f"{_fmt_s(fts['build_s'])} ({fts['rows']:,} rows,"
            f" {fts['bytes'] / 1e6:.0f} MB)")
        row(f"SQLite FTS5 search p50/p95/max ({len(fts['queries'])}×{s['rounds']})",
            f"{fts['p50']:.1f} / {fts['p95']:.1f} / {fts['max']:.1f} ms")
        row("  not expressible in FTS5", f"{len(fts['skipped'])} queries (fuzzy, typos, library fields, "
            "leading *, bad syntax)" + (f"; {len(fts['failed'])} failed" if fts["failed"] else ""))

    typing = out.get("typing")
    if typing and "error" in typing:
        row("reader typing", f"ERROR: {typing['error']}", f"≤ {T['key_to_paint_s']} s", False)
    elif typing:
        t, burst = typing["typing"], typing["burst"]
        row(f"reader last key → painted ({len(typing['queries'])} queries)",
            f"{_fmt_s(t['median_s'])} median, {_fmt_s(t['max_s'])} max (a key every {t['gap_s']} s)",
            f"≤ {T['key_to_paint_s']} s", t["median_s"] <= T["key_to_paint_s"])
        row("  typed in a burst", f"{_fmt_s(burst['median_s'])} median, {_fmt_s(burst['max_s'])} max "
            f"(a key every {burst['gap_s']} s)")
    rel = out.get("relevance")
    if rel and "skipped" not in rel:
        p, f = rel["papers"], rel["fts5"]
        row(f"known items, MRR@{rel['k']} ({rel['queries']} queries)",
            f"{p['mrr']:.3f} ({p['rank1']} at rank 1); FTS5 {f['mrr']:.3f} ({f['rank1']} at rank 1)",
            f"≥ {T['known_item_mrr']}", p["mrr"] >= T["known_item_mrr"])
        if rel.get("exact_top10") is not None:
            row(f"ranking = exact reference, top 10 ({rel['compared']} queries)",
                f"{rel['exact_top10']:.1%} the same" + (f"; differ: {', '.join(rel['differ'][:3])}"
                                                          if rel["differ"] else ""),
                f"≥ {T['exact_top10']:.0%}", rel["exact_top10"] >= T["exact_top10"])

    from .recommend import rows as for_you_rows

    for_you_rows(row, out, T)
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


def _disk_rows(row, disk: dict | None, corpus_bytes: int, T: dict) -> None:
    if not disk:
        return
    row("index + catalog on disk", f"{disk['bytes'] / 1e6:.0f} MB (catalog {disk['catalog_bytes'] / 1e6:.0f}, "
        f"Whoosh {disk['whoosh_bytes'] / 1e6:.0f}) for {corpus_bytes / 1e6:.0f} MB of digests: "
        f"×{disk['ratio']:.2f}", f"≤ {T['disk_ratio']:.0f}× digests", disk["ratio"] <= T["disk_ratio"])
    tables = sorted(disk["catalog"].items(), key=lambda kv: -kv[1])[:4]
    if tables:
        row("  catalog", ", ".join(f"{name} {n / 1e6:.1f}" for name, n in tables) + " MB")
    w = disk["whoosh"]
    row("  Whoosh", ", ".join(f"{k} {n / 1e6:.1f}" for k, n in w["files"].items()) + " MB"
        + f" ({w['segments']} segments)")
    row("  Whoosh postings", ", ".join(f"{k} {n / 1e6:.1f}" for k, n in list(w["postings"].items())[:4]) + " MB")


def _startup_rows(row, out: dict, T: dict) -> None:
    cli = out.get("cli")
    if cli:
        if cli.get("errors"):
            row("papers search, fresh process", f"ERROR: {cli['errors'][0]}", f"≤ {T['cli_search_s']} s", False)
        else:
            row(f"papers search {cli['query']!r}, fresh process", f"{_fmt_s(cli['seconds'])} median of "
                f"{cli['runs']} (CPU {_fmt_s(cli['cpu_s'])})", f"≤ {T['cli_search_s']} s",
                cli["seconds"] <= T["cli_search_s"])
    m = out.get("moved")
    if m:
        row("data folder moved, re-open", f"{_fmt_s(m['seconds'])}, {m['papers_written']:,} papers re-indexed"
            + (" (rebuilt)" if m["rebuilt"] else ""))


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
