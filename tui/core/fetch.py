"""The Daily Papers API as a source of digests (``papers fetch``, the reader's fetch key).

``GET {base}/daily_papers?date=YYYY-MM-DD&p=PAGE&limit=N`` answers a JSON list
of items ``{"paper": {...}, "numComments", ...}``; ``p`` counts pages from 0
and a day is read page by page until an empty page. Each day is saved as
``<data>/digests/daily_papers_YYYY-MM-DD.json`` holding the API's items as
returned (all pages, a paper repeated by a later page left out), and the
index picks it up like any digest the user added.

Using it (the command line; the reader the same, in a thread worker)::

    from tui.core.fetch import api_url, fetch, plan

    days = plan(paths, date=None, since=None, until=None)   # ValueError: exit 2
    report = fetch(paths, days, base_url=api_url(config), dry_run=False,
                   progress=show, should_stop=None)
    for line in report.lines():
        print(line)
    if report.changed:                     # files were written: sync the index
        ...

* :func:`api_url` -- the base URL: ``PAPERS_API_URL`` in the environment, else
  ``[fetch] api_url`` of config.toml, else :data:`DEFAULT_API_URL`.
* :func:`plan` -- the days to fetch, oldest first, as a :class:`Plan`:
  ``date`` alone, or ``since`` to ``until`` (default today), or by default
  every day from the newest day already fetched (fetched again: its list
  grows and its upvotes move while it is current) up to today, on the very
  first fetch the last :data:`FIRST_DAYS` days, and with them the days that
  failed before (:attr:`Plan.retried`, named in the report's first line);
  after more than :data:`MAX_DAYS` days without a fetch, the last
  :data:`MAX_DAYS` days, and the plan names what it left out (a line among
  the report's problems). Days are UTC days, as the API counts them. Raises
  ``ValueError`` with a one-line message naming the option (``--date``,
  ``--since``, ``--until``) for a bad day, a day in the future, a reversed or
  too long range. :func:`plan_days` is its list of days.
* :func:`failed_days` -- the days that failed to fetch (a failure, or left
  by a run the server stopped: rate limited, too slow) and have not been
  fetched since, with the reason; recorded beside the files fetch wrote, in
  ``<data>/fetched.json``, until a fetch of that day works.
* :func:`fetch` -- fetches the days and returns a
  :class:`~tui.core.fetch_report.FetchReport` (one ``DayResult`` per day,
  the lines to print; defined in :mod:`tui.core.fetch_report`); it
  never raises for network or data problems. ``progress(done, total, message)``
  is called before each page (``done`` days finished of ``total``; the
  message names the day and the page) and once at the end (``"done"``);
  ``should_stop()`` is asked between pages and every
  :data:`~tui.core.fetch_http.POLL` seconds of a blocked connect or read (a
  reader's cancelled worker) and stops the run within that time, keeping the
  days already saved and dropping the day under way. ``dry_run=True`` fetches and
  reports what would be written, writing nothing at all.

Safety: every file is written whole or not at all (:mod:`tui.core.fsio`). A
day's file is replaced only when its content changed, and only when it is
the file fetch wrote: the SHA-256 of each file written is recorded in
``<data>/fetched.json``, and a file of that name that fetch did not write (or
that was changed since) is left alone and reported (status ``kept``). A day
with no papers writes nothing. One ``papers`` process fetches at a time.

Network (:mod:`tui.core.fetch_http`): ``User-Agent: papers-tui/<version>``,
a timeout for connect and each read, retries with backoff after a 5xx or a
reset connection, and a 429 is waited out when it asks for at most a minute
(``Retry-After`` in seconds or as an HTTP date, or the ``RateLimit`` header's
``t``); a longer wait stops the run, and the report says when to retry.
Each request and each day has a deadline; a server that passes one (or is
silent too long) fails its day and stops the run. An HTML page, a body that is
not JSON or JSON of another shape fail that day only; every failure is one
line naming the day.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from . import digest as _digest
from .digest import DigestError, parse_text
from .fetch_http import Client, DayFailed, RateLimited, Stopped, TooLarge, TooSlow
from .fsio import FileLock, atomic_write, read_state, sha256_file, write_new
from .links import web_url
from .fetch_report import (EMPTY, FAILED, KEPT, NEW, SKIPPED, UNCHANGED, UPDATED, DayResult, FetchReport,
                           day_spans)
from .paths import existing_digest
from .text import one_line, plural

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .paths import Paths

DEFAULT_API_URL = "https://huggingface.co/api"
ENV_API_URL = "PAPERS_API_URL"
PAGE_SIZE = 100      # items asked for per page (``limit``)
FIRST_DAYS = 3       # days fetched when nothing was fetched before
MAX_DAYS = 366       # days in one run
MAX_PAGES = 100      # pages in one day
FILE_PREFIX = "daily_papers_"
STATE_FORMAT = "papers-fetched"
STATE_VERSION = 1

Progress = Callable[[int, int, str], None]


# --- what to fetch ---------------------------------------------------------------------

def api_url(config: "Config | None" = None, environ: dict | None = None) -> str:
    """The API's base URL, without a trailing slash. ``ValueError`` when
    ``PAPERS_API_URL`` is set to something that is not an http(s) URL."""
    environ = os.environ if environ is None else environ
    raw = (environ.get(ENV_API_URL) or "").strip()
    if raw:
        if not web_url(raw):
            raise ValueError(f"{ENV_API_URL}={raw[:80]!r}: not an http(s) URL")
        return raw.rstrip("/")
    return ((config.fetch_api_url if config else None) or DEFAULT_API_URL).rstrip("/")


def day_file_name(day: date) -> str:
    """``daily_papers_YYYY-MM-DD.json``: the file a day is saved as."""
    return f"{FILE_PREFIX}{day.isoformat()}.json"


_FILE_RE = re.compile(re.escape(FILE_PREFIX) + r"(\d{4}-\d{2}-\d{2})\.json", re.IGNORECASE)


def utc_today(clock: Callable[[], datetime] | None = None) -> date:
    """Today as the API counts days (UTC)."""
    return (clock or _now)().astimezone(timezone.utc).date()


def parse_day(text: str | date, option: str = "--date", today: date | None = None) -> date:
    """A day given on the command line: ``YYYY-MM-DD``, ``today`` or ``yesterday``."""
    if isinstance(text, date):
        return text
    raw = (text or "").strip().lower()
    today = today or utc_today()
    if raw in ("today", "yesterday"):
        return today - timedelta(days=raw == "yesterday")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{option} {text!r}: not a day (YYYY-MM-DD, today or yesterday)") from None


def fetched_days(paths: "Paths") -> list[date]:
    """The days fetched before (recorded, or a ``daily_papers_*.json`` file
    is there), oldest first."""
    days = set(_State.load(paths.fetch_state, []).days)
    if paths.digests.is_dir():
        days |= {m.group(1) for p in paths.digests.iterdir() if (m := _FILE_RE.fullmatch(p.name))}
    return sorted(d for d in map(_day_or_none, days) if d)


@dataclass(frozen=True)
class FailedDay:
    """A day that failed to fetch, tried again by the next plain fetch."""

    day: date
    reason: str
    at: str  # when it failed, UTC, ``YYYY-MM-DDTHH:MM:SSZ``

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "reason": self.reason, "failed_at": self.at}


def failed_days(paths: "Paths") -> list[FailedDay]:
    """The days that failed to fetch and have not been fetched since, oldest first."""
    failed = _State.load(paths.fetch_state, []).failed
    return [FailedDay(date.fromisoformat(k), _text(v.get("reason")), _text(v.get("at"))) for k, v in sorted(failed.items())]


def _text(value) -> str:
    return one_line(value) if isinstance(value, str) else ""


def _day_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Plan:
    """The days a run fetches, oldest first; ``retried``, those of them that
    failed before; and what a plain fetch left out: ``left_out`` (first, last)
    when the last fetch is more than :data:`MAX_DAYS` days ago, ``waiting``
    failed days beyond the :data:`MAX_DAYS` of one run."""

    days: list[date]
    left_out: tuple[date, date] | None = None
    retried: tuple[date, ...] = ()
    waiting: int = 0

    def notes(self) -> list[str]:
        """What the run says first about its plan."""
        if not self.retried:
            return []
        n = len(self.retried)
        more = f" ({self.waiting} more wait for a later run)" if self.waiting else ""
        return [f"{plural(n, 'day')} that failed before {'is' if n == 1 else 'are'} tried again: "
                f"{day_spans(list(self.retried))}{more}"]

    def problems(self) -> list[str]:
        """What the run says about days it leaves out (one line each)."""
        if self.left_out is None:
            return []
        first, last = self.left_out
        return [f"the last fetch was {first}, more than {MAX_DAYS} days ago: {first} to {last} "
                f"({plural((last - first).days + 1, 'day')}) not fetched; fetch them with --since and --until, "
                f"{MAX_DAYS} days at a time"]


def plan(paths: "Paths", *, date: str | date | None = None, since: str | date | None = None,
         until: str | date | None = None, today: date | None = None) -> Plan:
    """The days to fetch (see the module notes); ``ValueError`` with a
    one-line message naming the option."""
    today = today or utc_today()
    left_out = None
    if date is not None:
        if since is not None or until is not None:
            raise ValueError("--date cannot be combined with --since or --until")
        first = last = parse_day(date, "--date", today)
    elif since is not None:
        first = parse_day(since, "--since", today)
        last = parse_day(until, "--until", today) if until is not None else today
    elif until is not None:
        raise ValueError("--until goes with --since")
    else:
        done = fetched_days(paths)
        first, last = (min(done[-1], today) if done else today - timedelta(days=FIRST_DAYS - 1)), today
        if (last - first).days >= MAX_DAYS:  # a year without a fetch: the most recent days a run may fetch
            left_out, first = (first, last - timedelta(days=MAX_DAYS)), last - timedelta(days=MAX_DAYS - 1)
    for option, day in (("--date" if date is not None else "--since", first), ("--until", last)):
        if day > today:
            raise ValueError(f"{option} {day}: in the future (today is {today}, UTC)")
    if first > last:
        raise ValueError(f"--since {first} is after --until {last}")
    n = (last - first).days + 1
    if n > MAX_DAYS:
        raise ValueError(f"--since {first} --until {last}: {n} days; fetch at most {MAX_DAYS} at a time")
    days = [first + timedelta(days=i) for i in range(n)]
    if date is not None or since is not None:
        return Plan(days)
    again = sorted({f.day for f in failed_days(paths) if f.day <= today} - set(days))
    days = sorted(days + again)
    kept = days[-MAX_DAYS:]  # the newest days when there are more than a run takes
    return Plan(kept, left_out, tuple(d for d in again if d in set(kept)), len(days) - len(kept))


def plan_days(paths: "Paths", **kwargs) -> list[date]:
    """The days of :func:`plan`, oldest first."""
    return plan(paths, **kwargs).days


# --- HTTP ------------------------------------------------------------------------------------

def _now() -> datetime:  # the clock: an aware datetime
    return datetime.now(timezone.utc)


def _too_large(what: str) -> str:
    limit = _digest.MAX_BYTES
    size = f"{limit // 2 ** 20} MB" if limit % 2 ** 20 == 0 else f"{limit / 1024:.0f} KB"
    return f"{what} more than {size}, the most one digest may hold; nothing written"


def _paper_key(item) -> str | None:
    paper = item.get("paper") if isinstance(item, dict) else None
    pid = paper.get("id") if isinstance(paper, dict) else None
    return pid if isinstance(pid, str) and pid else None


# --- the record of what fetch wrote ------------------------------------------------------------

@dataclass
class _State:
    days: dict[str, dict]
    failed: dict[str, dict] = field(default_factory=dict)  # day -> {"reason", "at"}: to try again

    @classmethod
    def load(cls, path: Path, problems: list[str], move_broken: bool = False) -> "_State":
        """The record in ``path``; an unreadable one is reported (and with
        ``move_broken`` moved aside) and counts as empty: the files of earlier
        fetches are then left alone, as files fetch did not write."""
        state = read_state(path, cls._of, problems, "files of earlier fetches are left alone", set_aside=move_broken)
        return state or cls({})

    @classmethod
    def _of(cls, doc) -> "_State":
        """The shape of the record of fetched days."""
        days = doc.get("days") if isinstance(doc, dict) else None
        if not isinstance(days, dict) or doc.get("format") != STATE_FORMAT or doc.get("version") != STATE_VERSION \
                or not all(isinstance(v, dict) for v in days.values()):
            raise ValueError(f"not a record of fetched days, version {STATE_VERSION}")
        failed = doc.get("failed")
        failed = {k: v for k, v in failed.items() if isinstance(v, dict) and _day_or_none(k)} \
            if isinstance(failed, dict) else {}
        return cls({str(k): v for k, v in days.items()}, failed)

    def save(self, path: Path) -> None:
        doc = {"format": STATE_FORMAT, "version": STATE_VERSION, "days": dict(sorted(self.days.items())),
               "failed": dict(sorted(self.failed.items()))}
        atomic_write(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")

    def wrote(self, day: date, name: str, sha: str) -> bool:
        """This record says fetch wrote file ``name`` for ``day`` with hash ``sha``."""
        rec = self.days.get(day.isoformat()) or {}
        return rec.get("file") == name and rec.get("sha256") == sha


# --- fetching ----------------------------------------------------------------------------------

def _digest_bytes(items: list) -> bytes:
    """A day's items as the digest file's UTF-8 bytes. An item holding a lone
    surrogate (``"\\ud800"`` in the API's JSON, which the parser accepts)
    cannot be written as UTF-8: then the whole day is written with ASCII
    escapes, the API's text kept as it came, and reading the digest cleans it."""
    text = json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(items, indent=1) + "\n").encode("ascii")


@dataclass
class _Run:
    paths: "Paths"
    client: Client
    report: FetchReport
    state: _State
    progress: Progress | None
    should_stop: Callable[[], bool] | None

    def stop_asked(self) -> bool:
        return bool(self.should_stop and self.should_stop())

    def items(self, day: date, done: int, total: int) -> tuple[list, int] | None:
        """All items of ``day`` (pages concatenated, repeats left out) and the
        number of pages; None when the run was asked to stop. The pages of a
        day hold at most what one digest may (``digest.MAX_BYTES``)."""
        items: list = []
        seen: set[str] = set()
        size = 0
        self.client.start_day()
        for p in range(MAX_PAGES):
            if self.stop_asked():
                return None
            if self.progress:
                self.progress(done, total, f"{day}: page {p + 1}, {plural(len(items), 'paper')} so far")
            try:
                page, n = self.client.page(day, p, _digest.MAX_BYTES - size)
            except TooLarge:
                raise DayFailed(_too_large("its pages hold")) from None
            size += n
            fresh = [it for it in page if (k := _paper_key(it)) is None or k not in seen]
            if not page or (p and not fresh):  # an empty page, or one that brings nothing new, ends the day
                return items, p + 1
            seen.update(k for it in fresh if (k := _paper_key(it)))
            items += fresh
        raise DayFailed(f"more than {MAX_PAGES} pages of papers; stopped")

    def store(self, day: date, items: list, pages: int) -> DayResult:
        """Save one day's items (or say what would be done in a dry run)."""
        dry = self.report.dry_run
        if not items:
            if not dry and day.isoformat() not in self.state.days:
                self._record(day, None, None, 0)
            return DayResult(day, EMPTY, pages=pages)
        name = day_file_name(day)
        folder = self.paths.digests
        data = _digest_bytes(items)
        if len(data) > _digest.MAX_BYTES:
            return DayResult(day, FAILED, pages=pages, reason=_too_large("its digest would hold"))
        try:
            digest = parse_text(data.decode("utf-8"), folder / name)
        except DigestError as e:
            return DayResult(day, FAILED, pages=pages, reason=f"the API's answer holds no usable paper ({e.reason})")
        result = dict(day=day, file=name, papers=len(digest.entries), pages=pages,
                      problems=tuple(p.format(name) for p in digest.problems))
        sha = hashlib.sha256(data).hexdigest()
        try:
            existing = existing_digest(folder, Path(name).stem)
            if existing is not None:
                current = sha256_file(existing)
                if current == sha:
                    return DayResult(status=UNCHANGED, **{**result, "file": existing.name})
                if not self.state.wrote(day, existing.name, current):
                    return DayResult(status=KEPT, **{**result, "file": existing.name})
                if not dry:
                    atomic_write(existing, data)
                    self._record(day, existing.name, sha, len(digest.entries))
                return DayResult(status=UPDATED, **{**result, "file": existing.name})
            if not dry:
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    write_new(folder / name, data)
                except FileExistsError:  # appeared meanwhile
                    return DayResult(status=KEPT, **result)
                self._record(day, name, sha, len(digest.entries))
            return DayResult(status=NEW, **result)
        except OSError as e:
            return DayResult(day, FAILED, name, pages=pages,
                             reason=f"cannot write {folder / name}: {e.strerror or e}")

    def _record(self, day: date, name: str | None, sha: str | None, papers: int) -> None:
        """Note in the record what was written for ``day`` (``name`` None: no papers)."""
        self.state.days[day.isoformat()] = {"file": name, "sha256": sha, "papers": papers, "fetched_at": self._now()}
        self.state.failed.pop(day.isoformat(), None)
        self.state.save(self.paths.fetch_state)

    def _remember(self, results: list[DayResult]) -> None:
        """Keep in the record the days to try again (failed, or left by a run
        the server stopped; not by a cancelled one) and forget those fetched."""
        if self.report.dry_run:
            return
        failed = self.state.failed
        before = dict(failed)
        for r in results:
            if r.status == FAILED or (r.status == SKIPPED and self.report.stopped != "cancelled"):
                failed[r.day.isoformat()] = {"reason": r.reason or r.status, "at": self._now()}
            elif r.status != SKIPPED:
                failed.pop(r.day.isoformat(), None)
        if failed != before:
            self.state.save(self.paths.fetch_state)

    def _now(self) -> str:
        return self.client.clock().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def run(self, days: list[date]) -> None:
        total = len(days)
        for n, day in enumerate(days):
            done = len(self.report.days)
            try:
                got = self.items(day, n, total)
                if got is None:
                    raise Stopped()
                self.report.days.append(self.store(day, *got))
            except Stopped:
                self._stop(days[n:], "cancelled", "the fetch was cancelled")
            except TooSlow as e:
                self.report.days.append(DayResult(day, FAILED, reason=str(e)))
                self._stop(days[n + 1:], "too slow", f"{self.client.host} is too slow; fetch again later")
            except DayFailed as e:
                self.report.days.append(DayResult(day, FAILED, reason=str(e)))
            except RateLimited as e:
                self.report.retry_after = e.wait
                self.report.retry_at = self.client.clock().astimezone(timezone.utc) + timedelta(seconds=e.wait)
                self.report.days.append(DayResult(day, FAILED, reason=e.reason))
                self._stop(days[n + 1:], "rate limited",
                           f"rate limited; fetch again after {self.report.retry_at:%H:%M} UTC")
            self._remember(self.report.days[done:])
            if self.report.stopped:
                return
        if self.progress:
            self.progress(total, total, "done")

    def _stop(self, rest: Iterable[date], why: str, reason: str) -> None:
        self.report.stopped = why
        self.report.days += [DayResult(d, SKIPPED, reason=reason) for d in rest]


def fetch(paths: "Paths", days: "Iterable[date] | Plan | None" = None, *, base_url: str | None = None,
          dry_run: bool = False, progress: Progress | None = None,
          should_stop: Callable[[], bool] | None = None,
          clock: Callable[[], datetime] | None = None, sleep: Callable[[float], None] | None = None,
          page_size: int = PAGE_SIZE) -> FetchReport:
    """Fetch ``days`` (a :class:`Plan`, or days; default: :func:`plan` with
    no options) from the API at ``base_url`` (default: :func:`api_url`
    without a config) into the user digests folder; see the module notes.
    ``clock`` (an aware datetime now) and ``sleep`` are for tests. ``ValueError`` only for a ``base_url``
    that is not an http(s) URL."""
    clock = _now if clock is None else clock
    sleep = time.sleep if sleep is None else sleep
    t0 = time.perf_counter()
    base = (base_url or api_url()).strip().rstrip("/")
    if not web_url(base):
        raise ValueError(f"{base[:80]!r}: not an http(s) URL")
    report = FetchReport(base_url=base, dry_run=dry_run)
    planned = days if isinstance(days, Plan) else (
        plan(paths, today=utc_today(clock)) if days is None else Plan(sorted(set(days))))
    todo = planned.days
    report.notes += planned.notes()
    report.problems += planned.problems()
    lock = None if dry_run else FileLock(paths.data / ".fetch.lock")
    try:
        if lock is not None:
            paths.data.mkdir(parents=True, exist_ok=True)
            if not lock.acquire(wait=0):
                lock = None
                report.stopped = "busy"
                report.problems.append("another papers process is fetching now; try again when it has finished")
                report.days = [DayResult(d, SKIPPED, reason="another papers process is fetching") for d in todo]
                return report
        state = _State.load(paths.fetch_state, report.problems, move_broken=not dry_run)
        client = Client(base, report, clock, sleep, page_size, should_stop)
        _Run(paths, client, report, state, progress, should_stop).run(todo)
    except OSError as e:
        report.problems.append(one_line(f"cannot fetch into {paths.data}: {e.strerror or e}"))
    finally:
        if lock is not None:
            lock.release()
    report.seconds = time.perf_counter() - t0
    return report
