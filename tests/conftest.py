from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tui.core.paths import BUNDLED_DIGESTS, Paths

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


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.default(tmp_path / "home")


@pytest.fixture
def bundled() -> list[Path]:
    return sorted(BUNDLED_DIGESTS.glob("*.txt"))


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
    next connection is refused)."""

    def __init__(self):
        self.days: dict[str, list] = {}
        self.script: dict[str, list] = {}
        self.requests: list[dict] = []
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
        h.wfile.write(body)

    def go_down(self) -> None:
        """Stop serving and close the listening socket (from a request's thread)."""
        stopper = threading.Thread(target=self.server.shutdown)
        stopper.start()
        stopper.join()
        self.server.socket.close()

    def pages_asked(self, day: str) -> list[int]:
        return [int(r["query"]["p"]) for r in self.requests if r["query"].get("date") == day]


@pytest.fixture
def api():
    stand_in = StandIn()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()
