"""What the reader says once the index is open (at start, after a fetch) and
when a fetch ends: one line per thing that happened, with its severity and
how long it stays. Plain text, no Textual: the reader's loader and fetcher
show it as notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .session import Imported, Opened
from .text import plural

if TYPE_CHECKING:  # pragma: no cover
    from .fetch_report import FetchReport
    from .fulltext import TextsReport


@dataclass
class Fetched:
    """What a fetch in the reader did: the fetch's report (None: it could not
    start, ``error`` says why) and, when it wrote digests, the opening of the
    index that took them in."""

    report: "FetchReport | None" = None
    opened: Opened | None = None
    imported: Imported | None = None
    error: str | None = None
    texts: "TextsReport | None" = None  # the bookmarked papers' full texts, when [fetch] full_text says so


def fetch_notice(fetched: Fetched) -> tuple[str, str] | None:
    """The one notification a fetch ends with: (text, severity); None when
    it was cancelled. Days that failed are named (one line per reason);
    offline, that is one line."""
    report = fetched.report
    if report is None:
        return f"Fetch not started: {fetched.error}", "warning"
    if report.stopped == "cancelled":
        return None
    failed: dict[str, list[str]] = {}
    for d in report.failed + (report.skipped if report.stopped != "busy" else []):  # busy: said once below
        failed.setdefault(d.reason or d.status, []).append(d.day.isoformat())
    bad = [f"Not fetched: {_days(days)}: {reason}" for reason, days in failed.items()]
    bad += [d.line() for d in report.kept] + report.problems + ([fetched.error] if fetched.error else [])
    if report.retry_at is not None:
        bad.append(report.retry_hint())
    if not report.written and not report.unchanged and not report.empty and bad:
        return "\n".join(bad), "warning"  # nothing came: offline, or the API refused
    lines = [f"Fetched {report.summary()}"]
    if fetched.opened is not None:
        lines += [text for text, _, _ in opening_notices(fetched.opened, fetched.imported or Imported())]
    texts = fetched.texts
    if texts is not None and (texts.fetched or texts.failed):
        lines.append(f"Bookmarked papers: {texts.summary()}")
    return "\n".join(lines + bad), "warning" if bad else "information"


def _days(days: list[str]) -> str:
    return ", ".join(days) if len(days) <= 3 else f"{days[0]} to {days[-1]} ({len(days)} days)"


def opening_notices(opened: Opened, imported: Imported) -> list[tuple[str, str, float]]:
    """What the reader says once the index is open: (text, severity, seconds)."""
    report = opened.report
    out = [(n, "warning", 10) for n in report.notices]
    out += [(f"Skipped {err}", "warning", 15) for err in report.errors]
    out += [(p, "warning", 10) for p in imported.problems]
    if imported.summary:
        out.append((f"Imported {imported.summary}", "warning", 10))
    if opened.watches_error:
        out.append((f"Watches and what's new not updated: {opened.watches_error}", "warning", 10))
    for name, ids in opened.watches:
        out.append((f"Watch {name}: {plural(len(ids), 'new paper')}, tagged watch:{name}",
                    "information", 10))
    for name, ids in opened.followed:
        out.append((f"Following {name}: {plural(len(ids), 'new paper')}", "information", 10))
    if opened.new_digests:
        out.append((f"{plural(len(opened.new_digests), 'new digest')} since you last opened papers — N shows what's new",
                    "information", 10))
    return out
