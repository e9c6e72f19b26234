"""The HTTP side of :mod:`tui.core.fetch`: one page of the Daily Papers API at
a time, with retries and waits, read defensively.

* :class:`Client` -- ``page(day, p)`` is the JSON list the API answered for
  page ``p`` of ``day``; it raises :class:`DayFailed` (the day cannot be
  fetched; ``str()`` is the one-line reason) or :class:`RateLimited` (the API
  asks to wait longer than this run will).

``User-Agent: papers-tui/<version>``, a :data:`TIMEOUT` for connect and each
read, up to :data:`MAX_RETRIES` retries with backoff after a 5xx or a reset
connection, and a 429 waited out when it asks for at most :data:`MAX_WAIT`
seconds (``Retry-After`` in seconds or as an HTTP date, or the ``RateLimit``
header's ``t``). An HTML page, a body that is not JSON or JSON of another shape
fail the day.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import re
import socket
import urllib.error
import urllib.request
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from .. import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .fetch_report import FetchReport

TIMEOUT = 10.0       # seconds, connect and each read
MAX_RETRIES = 3      # after a 5xx, a reset connection or a short 429
MAX_WAIT = 60.0      # the longest 429 wait honoured; longer stops the run
BACKOFF = 1.0        # first retry after 1 s, then 2 s, 4 s
MAX_PAGE_BYTES = 32 * 1024 * 1024


class DayFailed(Exception):
    """The day cannot be fetched; ``str()`` is the reason."""


class RateLimited(Exception):
    """The API asks to wait ``args[0]`` seconds: longer than :data:`MAX_WAIT`,
    or again after :data:`MAX_RETRIES` waits."""


_RESETS = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.IncompleteRead,
           http.client.BadStatusLine)


def _wait_asked(headers, now: datetime) -> float | None:
    """Seconds a 429 asks to wait: ``Retry-After`` (seconds or an HTTP date),
    else the ``RateLimit`` header's ``t`` when nothing remains."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        when = None
    if when is not None:
        return max(0.0, (when.replace(tzinfo=when.tzinfo or timezone.utc) - now).total_seconds())
    m = re.search(r"r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)", headers.get("RateLimit") or "")
    if m and int(m.group(1)) == 0:
        return float(m.group(2))
    return None


class Client:
    """Pages of the API, with retries and waits."""

    def __init__(self, base_url: str, report: "FetchReport", clock, sleep, page_size: int):
        self.base = base_url.rstrip("/")
        self.host = urlsplit(self.base).netloc or self.base
        self.report, self.clock, self.sleep, self.page_size = report, clock, sleep, page_size
        self.opener = urllib.request.build_opener()
        self.headers = {"User-Agent": f"papers-tui/{__version__}", "Accept": "application/json"}

    def _open(self, url: str) -> tuple[int, object, bytes]:
        self.report.requests += 1
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as resp:
                return resp.status, resp.headers, resp.read(MAX_PAGE_BYTES + 1)
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, b""

    def _reason(self, e: BaseException) -> tuple[str, bool]:
        """(one-line reason, worth retrying) for a failed request."""
        cause = e.reason if isinstance(e, urllib.error.URLError) else e
        if isinstance(cause, (TimeoutError, socket.timeout)):
            return f"{self.host} did not answer within {TIMEOUT:g} s", False
        if isinstance(cause, _RESETS):
            return f"the connection to {self.host} was cut ({type(cause).__name__})", True
        text = (getattr(cause, "strerror", None) or str(cause) or type(cause).__name__).splitlines()[0][:120]
        hint = " (offline, or no such host?)" if isinstance(cause, socket.gaierror) else ""
        return f"cannot reach {self.host}: {text}{hint}", False

    def page(self, day: date, p: int) -> list:
        """Page ``p`` of ``day``: the list the API answered."""
        url = f"{self.base}/daily_papers?{urlencode({'date': day.isoformat(), 'p': p, 'limit': self.page_size})}"
        for attempt in range(MAX_RETRIES + 1):
            backoff = BACKOFF * 2 ** attempt
            last = attempt == MAX_RETRIES
            try:
                status, headers, body = self._open(url)
            except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
                reason, retry = self._reason(e)
                if retry and not last:
                    self.sleep(backoff)
                    continue
                raise DayFailed(reason) from None
            if status == 429:
                wait = _wait_asked(headers, self.clock())
                wait = backoff if wait is None else wait
                if wait > MAX_WAIT or last:
                    raise RateLimited(wait)
                self.sleep(wait)
                continue
            if status >= 500 and not last:
                self.sleep(backoff)
                continue
            if not 200 <= status < 300:
                raise DayFailed(f"{self.host} answered HTTP {status} {http.client.responses.get(status, '')}".rstrip())
            return _json_list(body, headers, self.host)
        raise AssertionError("unreachable")  # pragma: no cover


def _json_list(body: bytes, headers, host: str) -> list:
    """The JSON list of a 200 answer, read defensively (an HTML error page
    with status 200 happens)."""
    if len(body) > MAX_PAGE_BYTES:
        raise DayFailed(f"{host} answered more than {MAX_PAGE_BYTES // (1024 * 1024)} MB for one page")
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    head = body.lstrip()[:1]
    if head == b"<" or ctype in ("text/html", "application/xhtml+xml"):
        raise DayFailed(f"{host} answered with a web page ({ctype or 'HTML'}), not JSON")
    if ctype and "json" not in ctype and ctype != "text/plain":
        raise DayFailed(f"{host} answered with {ctype[:40]}, not JSON")
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DayFailed(f"{host} answered with bytes that are not UTF-8, not JSON") from None
    except (ValueError, RecursionError) as e:
        where = f" ({e.msg}, line {e.lineno} column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise DayFailed(f"{host} answered with something that is not JSON{where}") from None
    if not isinstance(data, list):
        said = ""
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            said = ": " + re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", data["error"])[:80]
        raise DayFailed(f"{host} answered JSON of another shape ({type(data).__name__}, not a list of papers){said}")
    return data
