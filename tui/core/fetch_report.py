"""What :func:`tui.core.fetch.fetch` reports: one :class:`DayResult` per day
and the :class:`FetchReport` of the run, with the lines a front end prints
(each day's line, the run's problems, when to retry, the summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from .text import one_line, plural

#: DayResult.status values
NEW, UPDATED, UNCHANGED, EMPTY, KEPT, FAILED, SKIPPED = (
    "new", "updated", "unchanged", "empty", "kept", "failed", "skipped")


@dataclass(frozen=True)
class DayResult:
    """What became of one day. ``status`` is one of ``new`` (file written),
    ``updated`` (its file replaced), ``unchanged``, ``empty`` (no papers,
    nothing written), ``kept`` (a file of that name fetch did not write, left
    alone), ``failed`` (``reason`` says why) or ``skipped`` (not fetched: the
    run stopped, ``reason`` says why)."""

    day: date
    status: str
    file: str | None = None   # the file's name in the digests folder
    papers: int = 0           # papers in the day's digest
    pages: int = 0            # pages requested
    problems: tuple[str, ...] = ()  # odd entries, ``file:position: message``
    reason: str | None = None

    def __post_init__(self):
        # what a server or a file system said is shown as one line of plain text
        object.__setattr__(self, "problems", tuple(one_line(p) for p in self.problems))
        if self.reason is not None:
            object.__setattr__(self, "reason", one_line(self.reason))
        if self.file is not None:
            object.__setattr__(self, "file", one_line(self.file))

    def line(self, dry_run: bool = False) -> str:
        """One line for the user, starting with the day."""
        n, would = plural(self.papers, "paper"), "would be " if dry_run else ""
        text = {
            NEW: f"{n}, {would}written to {self.file}",
            UPDATED: f"{n}, {self.file} {would}updated",
            UNCHANGED: f"{n}, unchanged",
            EMPTY: "no papers; nothing written",
            KEPT: f"{n}, but {self.file} was not written by papers fetch (or was changed since); left alone",
            FAILED: f"failed: {self.reason}",
            SKIPPED: f"not fetched: {self.reason}",
        }[self.status]
        return f"{self.day.isoformat()}: {text}"


@dataclass
class FetchReport:
    base_url: str
    dry_run: bool = False
    days: list[DayResult] = field(default_factory=list)   # in the order fetched (oldest first)
    problems: list[str] = field(default_factory=list)     # not of one day (state file, busy, days left out)
    notes: list[str] = field(default_factory=list)        # about the plan (days tried again), said first
    stopped: str | None = None          # why the run ended early: "rate limited", "too slow", "cancelled", "busy"
    retry_after: float | None = None    # seconds to wait before fetching again (rate limited)
    retry_at: datetime | None = None    # the same as a UTC time
    requests: int = 0
    seconds: float = 0.0

    def _with(self, *statuses: str) -> list[DayResult]:
        return [d for d in self.days if d.status in statuses]

    new = property(lambda self: self._with(NEW))
    updated = property(lambda self: self._with(UPDATED))
    written = property(lambda self: self._with(NEW, UPDATED))
    unchanged = property(lambda self: self._with(UNCHANGED))
    empty = property(lambda self: self._with(EMPTY))
    kept = property(lambda self: self._with(KEPT))
    failed = property(lambda self: self._with(FAILED))
    skipped = property(lambda self: self._with(SKIPPED))

    @property
    def papers(self) -> dict[str, int]:
        """Papers per day fetched (ISO day -> count)."""
        return {d.day.isoformat(): d.papers for d in self.days if d.status not in (FAILED, SKIPPED)}

    @property
    def changed(self) -> bool:
        """Files were written: the index needs a sync."""
        return bool(self.written) and not self.dry_run

    @property
    def ok(self) -> bool:
        """Every day was fetched and saved (or had nothing to save)."""
        return not (self.failed or self.kept or self.skipped or self.problems)

    def summary(self) -> str:
        """The counts, then the days fetched, failed and not fetched."""
        counts = [(len(self._with(s)), s) for s in (NEW, UPDATED, UNCHANGED, EMPTY, KEPT, FAILED, SKIPPED)]
        parts = ", ".join(f"{n} {s}" for n, s in counts if n) or "nothing to do"
        host = urlsplit(self.base_url).netloc or self.base_url
        fetched = [d.day for d in self.days if d.status not in (FAILED, SKIPPED)]
        named = "".join(f"; {what} {day_spans(days)}" for what, days in (
            ("fetched", fetched), ("failed", [d.day for d in self.failed]),
            ("not fetched", [d.day for d in self.skipped])) if days)
        return (f"{plural(len(self.days), 'day')} from {host}: {parts}; {plural(sum(self.papers.values()), 'paper')}"
                f"{named}{' (dry run: nothing written)' if self.dry_run else ''}")

    def lines(self) -> list[str]:
        """The notes on the plan, one line per day (its odd entries indented
        below it), the run's problems, the retry hint, and the summary last."""
        out: list[str] = list(self.notes)
        for d in self.days:
            out.append(d.line(self.dry_run))
            out += [f"  {p}" for p in d.problems]
        out += self.problems
        if self.retry_at is not None:
            out.append(self.retry_hint())
        out.append(self.summary())
        return [one_line(line) for line in out]

    def retry_hint(self) -> str:
        """When to fetch again after a rate limit stopped the run ("" if none did)."""
        if self.retry_at is None:
            return ""
        host, wait = urlsplit(self.base_url).netloc or self.base_url, self.retry_after or 0
        mins = f"{wait / 60:.0f} min" if wait >= 90 else f"{wait:.0f} s"
        return f"rate limited by {host}: fetch again after {self.retry_at:%H:%M} UTC (in {mins})"


def day_spans(days: list[date], most: int = 6) -> str:
    """Days named briefly: runs of three or more days in a row as ``first to
    last``, at most ``most`` names and then how many more."""
    runs: list[list[date]] = []
    for d in sorted(set(days)):
        if runs and d - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(d)
        else:
            runs.append([d])
    names: list[str] = []
    for run in runs:
        names += [f"{run[0]} to {run[-1]}"] if len(run) > 2 else [d.isoformat() for d in run]
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")
