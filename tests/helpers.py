"""What the tests share, written once: digests made up for a test, a stand-in
Daily Papers API, the steps of a Pilot test of the reader (ready, settle,
search, palette) and what the reader shows (screen_text, status, details).

Test modules import from here, never from one another; the fixtures are in
conftest.py."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

SWIN = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
SIZE = (120, 36)  # the terminal the Pilot tests run in, unless a test says otherwise

# --- digests made up for a test ----------------------------------------------------------

ABSTRACT = ("We study the problem of {topic} in depth. Our method improves the state of the art "
            "on three benchmarks by a large margin, while using fewer parameters. Extensive "
            "experiments and ablations show that each component matters for {topic}.")


def abstract(topic: str) -> str:
    return ABSTRACT.format(topic=topic)


def text_digest(titles: list[str], *, label: str | None = "Aug 7", blank: bool = True,
                header: bool = True, newline: str = "\n") -> str:
    lines = []
    if header:
        lines += ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
                  "byAK and the research community"]
    if label:
        lines.append(label)
    for t in titles:
        lines += [t, abstract(t)]
    sep = newline * 2 if blank else newline
    return sep.join(lines) + newline


def api_digest(papers: list[dict]) -> str:
    out = []
    for p in papers:
        out.append({"paper": {
            "id": p["id"], "title": p["title"], "summary": p.get("summary", abstract(p["title"])),
            "authors": [{"name": n} for n in p.get("authors", ["Ada Lovelace", "Alan Turing"])],
            "upvotes": p.get("upvotes", 7), "publishedAt": p.get("publishedAt", "2024-08-07T12:00:00.000Z"),
        }, "title": p["title"], "numComments": 1})
    return json.dumps(out)


# --- a stand-in Daily Papers API on 127.0.0.1 (papers fetch; never the real network) ---

def item(day: str, n: int, **paper) -> dict:
    """One item in the shape the API answers."""
    pid = f"2508.{int(day[-2:]):02d}{n:03d}"
    title = paper.pop("title", f"Marsupial Routing Study {day} Number {n}")
    body = {
        "id": pid, "authors": [{"_id": f"a{n}", "name": "Ada Lovelace", "hidden": False},
                               {"_id": f"b{n}", "name": "Alan Turing", "hidden": False}],
        "publishedAt": f"{day}T09:00:00.000Z", "title": title, "summary": abstract(title),
        "upvotes": n % 40, "discussionId": f"d{pid}", "ai_summary": f"A summary of paper {n}.",
        "ai_keywords": ["routing", "marsupials"], "githubRepo": f"https://github.com/lab/repo-{n}",
        "githubStars": 3 * n, "projectPage": f"https://lab.example.org/p{n}",
    }
    body.update(paper)
    return {"paper": body, "publishedAt": f"{day}T12:00:00.000Z", "title": title,
            "summary": body["summary"], "thumbnail": f"https://cdn.example/{pid}.png",
            "numComments": n % 3, "submittedBy": {"_id": "u1", "fullname": "AK", "name": "akhaliq"},
            "isAuthorParticipating": False}


def day_items(day: str, count: int) -> list[dict]:
    return [item(day, n) for n in range(1, count + 1)]


class StandIn:
    """A scripted Daily Papers API. ``days[day]`` are a day's items (paged by
    ``limit``); ``script[day]`` are answers served first, one per request:
    ``(status, headers, body)``, ``"reset"`` (the connection is cut) or
    ``"down"`` (this request is answered, then the server stops listening: the
    next connection is refused). ``texts[arxiv_id]`` is the Markdown served at
    ``/papers/ID.md`` (bytes, or a list of answers served one per request, the
    last kept); ``details[arxiv_id]`` the JSON at ``/api/papers/ID``."""

    def __init__(self):
        self.days: dict[str, list] = {}
        self.script: dict[str, list] = {}
        self.requests: list[dict] = []
        self.texts: dict[str, object] = {}
        self.details: dict[str, dict] = {}
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stand_in.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append({"path": url.path, "query": q, "agent": h.headers.get("User-Agent")})
            scripted = self.script.get(q.get("date", ""), [])
            step = scripted.pop(0) if scripted else None
        if step == "down":
            self.go_down()
            step = None
        if step == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            h.connection.close()
            h.close_connection = True
            return
        if step is None and url.path.startswith("/papers/"):
            step = self._text(url.path[len("/papers/"):])
            if step == "reset":
                h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                h.connection.close()
                h.close_connection = True
                return
        if step is None and url.path.startswith("/api/papers/") and url.path[12:] in self.details:
            step = (200, {}, json.dumps(self.details[url.path[12:]]).encode())
        if step is None:
            if url.path != "/api/daily_papers":
                step = (404, {}, b'{"error": "not found"}')
            else:
                limit, page = int(q.get("limit", 50)), int(q.get("p", 0))
                items = self.days.get(q.get("date", ""), [])
                step = (200, {}, json.dumps(items[page * limit:(page + 1) * limit]).encode())
        status, headers, body = step
        h.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        try:
            h.wfile.write(body)
        except (ConnectionResetError, BrokenPipeError):  # the client read what it wanted (a size limit)
            pass

    def _text(self, name: str):
        """The answer for ``/papers/NAME``: the full text of ``NAME`` without ``.md``."""
        served = self.texts.get(name[:-3]) if name.endswith(".md") else None
        if served is None:
            return (404, {"Content-Type": "text/plain"}, b"Not Found")
        if isinstance(served, list):
            with self.lock:
                served = served.pop(0) if len(served) > 1 else served[0]
        if isinstance(served, bytes):
            return (200, {"Content-Type": "text/markdown; charset=utf-8"}, served)
        return served

    def text_requests(self) -> list[str]:
        return [r["path"] for r in self.requests if r["path"].startswith("/papers/")]

    def go_down(self) -> None:
        """Stop serving and close the listening socket (from a request's thread)."""
        stopper = threading.Thread(target=self.server.shutdown)
        stopper.start()
        stopper.join()
        self.server.socket.close()

    def pages_asked(self, day: str) -> list[int]:
        return [int(r["query"]["p"]) for r in self.requests if r["query"].get("date") == day]


# --- the reader under Pilot ----------------------------------------------------------------

async def settle(app, pilot, rounds: int = 3):
    """Let the app's workers finish and the messages they post be handled."""
    for _ in range(rounds):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    await pilot.pause(0.05)


async def ready(app, pilot, in_list: bool = True):
    """Wait until the index is open and the Search pane shows its first results;
    then (``in_list``) go from the search box, where the reader starts, to the
    list, as a reader who browses does (esc)."""
    for _ in range(400):
        await pilot.pause(0.05)
        if app.index is not None and app.query_one("#results").ids and app.search_settled:
            break
    await settle(app, pilot)
    if in_list and app.focused is app.query_one("#search"):
        await pilot.press("escape")
        await settle(app, pilot)


async def palette(pilot, text: str, wait: float = 0.5):
    """Open the command palette and type ``text`` into it."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.2)
    await pilot.press(*text)
    await pilot.pause(wait)


async def search(app, pilot, text: str):
    """Type ``text`` into an emptied search box and wait for its results."""
    await pilot.press("slash")
    app.query_one("#search").value = ""
    await pilot.press(*text) if text else None
    for _ in range(400):
        await pilot.pause(0.05)
        if app.search_settled:
            break
    await settle(app, pilot)


def screen_text(app) -> str:
    """The text on screen (from the app's own SVG screenshot)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def status(app) -> str:
    return str(app.query_one("#status").render())


def details(app) -> str:
    return str(app.query_one("#details-body").render())


# --- another user ---------------------------------------------------------------------------

def run_unprivileged(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` as a user that file modes apply to: this user, or
    ``nobody`` through setpriv when the tests run as root."""
    cmd = [sys.executable, "-c", code, *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    if os.geteuid() == 0:
        check = subprocess.run(cmd[:4] + [sys.executable, "-c", "import tui.core.library"],
                               capture_output=True, text=True, timeout=60, env=env, cwd="/")
        if check.returncode != 0:
            pytest.skip("the unprivileged user cannot read the project or its environment here: "
                        + (check.stderr.strip().splitlines() or ["?"])[-1])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd="/")


# --- a server that drips bytes, and a name that writes the clipboard -----------------------

OSC52 = "\x1b]52;c;aGk=\x07"  # sets the terminal's clipboard


class Drip:
    """A server on 127.0.0.1 that answers every request one byte every
    ``every`` seconds: ``head`` dripped from the start, or sent at once and then
    ``body`` dripped. It gives up after ``limit`` seconds (a client that waits
    for it all sees the time that took)."""

    def __init__(self, head: bytes, body: bytes = b"", every: float = 0.2, limit: float = 8.0):
        self.head, self.body, self.every, self.limit = head, body, every, limit
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api"
        self.host = self.url.split("/")[2]
        self.closed = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        t0 = time.monotonic()
        try:
            conn.recv(65536)
            if self.body:
                conn.sendall(self.head)
            for i in range(len(self.body or self.head)):
                if self.closed.is_set() or time.monotonic() - t0 > self.limit:
                    break
                conn.sendall((self.body or self.head)[i:i + 1])
                time.sleep(self.every)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


def json_head(length: int) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n").encode()
