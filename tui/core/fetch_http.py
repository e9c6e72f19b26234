"""The HTTP side of :mod:`tui.core.fetch`: one page of the Daily Papers API at
a time, with retries and waits, read defensively.

* :class:`Client` -- ``page(day, p)`` is the JSON list the API answered for
  page ``p`` of ``day``; it raises :class:`DayFailed` (the day cannot be
  fetched; ``str()`` is the one-line reason) or :class:`RateLimited` (the API
  asks to wait longer than this run will).

``User-Agent: papers-tui/<version>``, a :data:`TIMEOUT` for connect and each
read, a deadline for each request (:data:`REQUEST_DEADLINE`: a server that
drips bytes cannot hold a run) and for each day (:data:`DAY_DEADLINE`), up to
:data:`MAX_RETRIES` retries with backoff after a 5xx or a reset connection,
and a 429 waited out when it asks for at most :data:`MAX_WAIT` seconds
(``Retry-After`` in seconds or as an HTTP date, or the ``RateLimit`` header's
``t``); a run waits at most :data:`MAX_RUN_WAIT` seconds in all, and a
failure that would need more says so. An HTML page, a body that is not JSON
or JSON of another shape fail the day. Redirects are followed only to the
same host and port, https to https and http to http or https
(:func:`redirect_allowed`); errors name the host a redirect led to. A request
or a day over its deadline, or a server silent for :data:`TIMEOUT`, raises
:class:`TooSlow`: the day fails and the run stops.

A blocked connect or read waits in slices of :data:`POLL` seconds, and between
slices the deadlines and ``should_stop()`` are checked: a reader that quits
ends a fetch in flight within a slice (:class:`Stopped`).
"""

from __future__ import annotations

import email.utils
import errno
import functools
import http.client
import io
import json
import os
import re
import select
import socket
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlencode, urlsplit

from .. import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .fetch_report import FetchReport

TIMEOUT = 10.0       # seconds, connect and each read
MAX_RETRIES = 3      # after a 5xx, a reset connection or a short 429
MAX_WAIT = 60.0      # the longest 429 wait honoured; longer stops the run
MAX_RUN_WAIT = 60.0  # the most one run waits in all (429s and backoffs); then it stops waiting
BACKOFF = 1.0        # first retry after 1 s, then 2 s, 4 s
MAX_PAGE_BYTES = 32 * 1024 * 1024
REQUEST_DEADLINE = 30.0  # seconds one request may take in all: connect, answer, body
DAY_DEADLINE = 120.0     # seconds one day may take in all: its pages, retries and waits
POLL = 0.25              # seconds a blocked connect or read waits before the deadlines and the stop are checked


class DayFailed(Exception):
    """The day cannot be fetched; ``str()`` is the reason."""


class TooSlow(DayFailed):
    """The server is too slow (a deadline passed, or it was silent for
    :data:`TIMEOUT`): the day fails and the run stops."""


class TooLarge(DayFailed):
    """A page is larger than the bytes the day has left."""


class Refused(DayFailed):
    """The server answered with a status that is not 2xx (after the retries);
    ``status`` is that status."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class Stopped(Exception):
    """``should_stop()`` asked to stop while a request was under way."""


class RateLimited(Exception):
    """The API asks to wait ``wait`` seconds: longer than :data:`MAX_WAIT`,
    again after :data:`MAX_RETRIES` waits, or longer than the run has left of
    :data:`MAX_RUN_WAIT`; ``reason`` is the day's one-line reason."""

    def __init__(self, wait: float, reason: str):
        super().__init__(wait, reason)
        self.wait, self.reason = wait, reason


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
    """Pages of the API, with retries, waits and deadlines."""

    def __init__(self, base_url: str, report: "FetchReport", clock, sleep, page_size: int,
                 should_stop: Callable[[], bool] | None = None):
        self.base = base_url.rstrip("/")
        self.host = urlsplit(self.base).netloc or self.base
        self.where = self.host  # the host answering the request under way (after redirects)
        self.report, self.clock, self.sleep, self.page_size = report, clock, sleep, page_size
        self.should_stop = should_stop
        self.opener = urllib.request.build_opener(_HTTPHandler(self), _HTTPSHandler(self), _Redirects(self))
        self.headers = {"User-Agent": f"papers-tui/{__version__}", "Accept": "application/json"}
        self.day_ends = self.request_ends = float("inf")  # time.monotonic() deadlines
        self.waited = 0.0  # seconds this run has waited (429s and backoffs)
        self.asking = ""  # "page 2", for the deadline's message
        self.max_bytes = MAX_PAGE_BYTES  # the most the page under way may hold

    def start_day(self) -> None:
        """A new day begins: its deadline starts now."""
        self.day_started = time.monotonic()
        self.day_ends = self.day_started + DAY_DEADLINE

    def left(self) -> float:
        """Seconds the request under way may still take; raises :class:`Stopped`
        when asked to stop, :class:`TooSlow` when a deadline has passed."""
        if self.should_stop and self.should_stop():
            raise Stopped()
        now = time.monotonic()
        if now >= self.day_ends:
            raise TooSlow(f"the day took more than {DAY_DEADLINE:g} s (the most one day may take); "
                          f"stopped at {self.asking}")
        if now >= self.request_ends:
            raise TooSlow(f"{self.where} sent {self.asking} too slowly "
                          f"(more than {REQUEST_DEADLINE:g} s, the most one request may take)")
        return min(self.day_ends, self.request_ends) - now

    def connect(self, address, timeout=None, source_address=None) -> socket.socket:
        """``socket.create_connection`` that waits in slices of :data:`POLL`,
        checking :meth:`left` between them, and gives up after :data:`TIMEOUT`."""
        error: OSError = OSError(f"no address for {address[0]}")
        for family, kind, proto, _, addr in socket.getaddrinfo(*address, 0, socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            try:
                sock.setblocking(False)
                code = sock.connect_ex(addr)
                ends = time.monotonic() + TIMEOUT
                while code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EAGAIN):
                    wait = min(POLL, self.left(), ends - time.monotonic())
                    if wait <= 0:
                        raise socket.timeout("timed out")
                    if any(select.select([], [sock], [sock], wait)[1:]):
                        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))
                sock.settimeout(min(TIMEOUT, self.left()))  # a proxy's tunnel, a TLS handshake
                return sock
            except OSError as e:
                sock.close()
                error = e
            except BaseException:
                sock.close()
                raise
        raise error

    def _open(self, url: str) -> tuple[int, object, bytes]:
        self.report.requests += 1
        self.request_ends = time.monotonic() + REQUEST_DEADLINE
        self.where = self.host
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as resp:
                return resp.status, resp.headers, resp.read(self.max_bytes + 1)
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, b""
        finally:
            self.request_ends = float("inf")

    def _reason(self, e: BaseException) -> tuple[str, bool]:
        """(one-line reason, worth retrying) for a failed request; raises
        :class:`TooSlow` for a timeout."""
        cause = e.reason if isinstance(e, urllib.error.URLError) else e
        if isinstance(cause, (TimeoutError, socket.timeout)):
            raise TooSlow(f"{self.where} did not answer within {TIMEOUT:g} s") from None
        if isinstance(cause, _RESETS):
            return f"the connection to {self.where} was cut ({type(cause).__name__})", True
        text = (getattr(cause, "strerror", None) or str(cause) or type(cause).__name__).splitlines()[0][:120]
        hint = " (offline, or no such host?)" if isinstance(cause, socket.gaierror) else ""
        return f"cannot reach {self.where}: {text}{hint}", False

    def _wait(self, seconds: float) -> bool:
        """Wait ``seconds`` before trying again, unless the run would then
        have waited more than :data:`MAX_RUN_WAIT` in all (False)."""
        if self.waited + seconds > MAX_RUN_WAIT:
            return False
        self.waited += seconds
        self.sleep(seconds)
        return True

    def _waited(self) -> str:
        return f"this run has waited {self.waited:g} s in all, the most one run waits ({MAX_RUN_WAIT:g} s)"

    def _not_again(self, capped: bool) -> str:
        """What a failure says when the cap on waiting stopped a retry."""
        return f"; not tried again: {self._waited()}" if capped else ""

    def page(self, day: date, p: int, max_bytes: int = MAX_PAGE_BYTES) -> tuple[list, int]:
        """Page ``p`` of ``day``: the list the API answered and its size in
        bytes; :class:`TooLarge` when it is larger than ``max_bytes``."""
        url = f"{self.base}/daily_papers?{urlencode({'date': day.isoformat(), 'p': p, 'limit': self.page_size})}"
        headers, body = self.get(url, f"page {p + 1}", max_bytes)
        if MAX_PAGE_BYTES >= len(body) > max_bytes:
            raise TooLarge(f"{self.where} answered more than {max_bytes} bytes")
        return _json_list(body, headers, self.where), len(body)

    def get(self, url: str, asking: str, max_bytes: int = MAX_PAGE_BYTES,
            accept: str = "application/json") -> tuple[object, bytes]:
        """The headers and body (at most ``max_bytes`` + 1 bytes read) of a
        2xx answer to ``url``, after the retries and waits; :class:`Refused`
        for another status, :class:`DayFailed` when it cannot be had."""
        self.asking = asking
        self.max_bytes = min(max_bytes, MAX_PAGE_BYTES)  # read at most one byte more
        self.headers["Accept"] = accept
        for attempt in range(MAX_RETRIES + 1):
            backoff = BACKOFF * 2 ** attempt
            last = attempt == MAX_RETRIES
            try:
                status, headers, body = self._open(url)
            except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
                reason, retry = self._reason(e)
                if retry and not last and self._wait(backoff):
                    continue
                raise DayFailed(reason + self._not_again(retry and not last)) from None
            if status == 429:
                wait = _wait_asked(headers, self.clock())
                wait = backoff if wait is None else wait
                if wait > MAX_WAIT or last:
                    raise RateLimited(wait, f"rate limited by {self.where}")
                if not self._wait(wait):
                    raise RateLimited(wait, f"rate limited by {self.where}; {self._waited()}")
                continue
            if status >= 500 and not last and self._wait(backoff):
                continue
            if not 200 <= status < 300:
                said = f"{self.where} answered HTTP {status} {http.client.responses.get(status, '')}".rstrip()
                raise Refused(status, said + self._not_again(status >= 500 and not last))
            return headers, body
        raise AssertionError("unreachable")  # pragma: no cover


class _Watched:
    """A connected socket whose reads wait in slices of :data:`POLL`, asking
    the client's :meth:`Client.left` between them (a deadline passed, a stop
    asked), and time out after :data:`TIMEOUT` without a byte. Everything
    else is the socket's."""

    def __init__(self, sock: socket.socket, client: Client):
        self._sock, self._client = sock, client
        self._files, self._closed = 0, False

    def recv_into(self, buffer, *args) -> int:
        quiet_since = time.monotonic()
        while True:
            self._sock.settimeout(max(0.001, min(POLL, self._client.left())))
            try:
                return self._sock.recv_into(buffer, *args)
            except socket.timeout:
                if time.monotonic() - quiet_since >= TIMEOUT:
                    raise

    def makefile(self, mode: str = "rb", *args, **kwargs):
        # the response reads through this object; as a socket's makefile, the
        # file keeps the connection open until it is closed too
        self._files += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))

    def _decref_socketios(self) -> None:
        self._files -= 1
        if self._closed and self._files <= 0:
            self._sock.close()

    def close(self) -> None:
        self._closed = True
        if self._files <= 0:
            self._sock.close()

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class _Connecting:
    """An HTTP(S) connection whose connect and reads are watched by the client."""

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self._client = client
        self._create_connection = client.connect

    def connect(self) -> None:
        super().connect()
        self.sock = _Watched(self.sock, self._client)


class _HTTPConnection(_Connecting, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Connecting, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, client: Client):
        super().__init__()
        self._client = client

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, client=self._client), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, client: Client):
        super().__init__()
        self._client = client

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, client=self._client), req, context=self._context)


def redirect_allowed(start: str, to: str) -> bool:
    """Whether a redirect from ``start`` to ``to`` is followed: to the same
    host and port (no user name), https to https only, http to http or
    https (where the port may become https's default)."""
    try:
        a, b = urlsplit(start), urlsplit(to)
        a_port, b_port = a.port, b.port
    except ValueError:
        return False
    old, new = a.scheme.lower(), b.scheme.lower()
    if new not in _PORTS or (old, new) == ("https", "http"):
        return False
    if not b.hostname or b.hostname != a.hostname or "@" in b.netloc:
        return False
    return (a_port or _PORTS[old]) == (b_port or _PORTS[new]) or ((old, new) == ("http", "https") and b_port is None)


_PORTS = {"http": 80, "https": 443}


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed only as :func:`redirect_allowed` says; the client
    learns where each one led (errors name that host)."""

    def __init__(self, client: Client):
        super().__init__()
        self._client = client

    def http_error_302(self, req, fp, code, msg, headers):
        try:
            return super().http_error_302(req, fp, code, msg, headers)
        except ValueError:  # urllib could not parse the Location
            fp.close()
            raise self._unreadable() from None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def _unreadable(self) -> DayFailed:
        return DayFailed(f"{self._client.where} redirected to an address that cannot be read; not followed")

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not redirect_allowed(req.full_url, newurl):
            fp.close()
            to = urlsplit(newurl)
            try:
                to.port  # noqa: B018 - raises ValueError for a bad port
            except ValueError:
                raise self._unreadable() from None
            if to.scheme.lower() not in _PORTS:
                why = f"to a {to.scheme[:10] or 'relative'} address"
            elif urlsplit(req.full_url).scheme.lower() == "https" and to.scheme.lower() == "http":
                why = f"to {to.netloc[:80]}, from https down to http"
            else:
                why = f"to {to.netloc[:80]}, another host"
            raise DayFailed(f"{self._client.where} redirected {why}; not followed")
        self._client.where = urlsplit(newurl).netloc
        return super().redirect_request(req, fp, code, msg, headers, newurl)


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
