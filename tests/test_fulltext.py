"""``papers text ID`` against the stand-in site on 127.0.0.1 (never the real
network): the full text downloaded once and read from the cache ever after
(offline too), a paper the site does not have, a paper with no arXiv id, and
the bad answers a server can give (too large, binary, not UTF-8, an HTML page,
a redirect off the host, a stall): each one line, nothing cached."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from helpers import SWIN, Drip, day_items
from tui import __version__
from tui.cli import main
from tui.cli.text_command import page
from tui.core import fetch_http, fulltext as FT
from tui.core.config import load_config_file
from tui.core.paths import Paths

DAY = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
ARXIV = f"2508.{int(DAY[-2:]):02d}002"  # the second paper of the day (helpers.item)
TEXT = """# Marsupial Routing

## Abstract
We route marsupials.

## 1 Introduction
Kangaroos hop; wombats dig.

```python
# not a heading
print("x")
```

## 3 Method
The quokkaflow algorithm routes every pouch.

### 3.1 Details
More.
"""


def run(capsys, home, *argv):
    code = main(["--data-dir", home, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path) -> str:
    return str(tmp_path / "home")


@pytest.fixture
def site(api, home, capsys, monkeypatch):
    """The stand-in with one fetched day of 3 papers; PAPERS_API_URL points at it."""
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    api.days[DAY] = day_items(DAY, 3)
    code, out, err = run(capsys, home, "fetch", "--date", DAY)
    assert code == 0, err
    api.texts[ARXIV] = TEXT.encode()
    return api


def pid_of(capsys, home, arxiv: str = ARXIV) -> str:
    code, out, err = run(capsys, home, "search", "marsupial routing study", "--json", "--limit", "50")
    return next(h["id"] for h in json.loads(out) if h["arxiv_id"] == arxiv)


def cached_files(home: str) -> list[str]:
    folder = Paths.default(home).data / "fulltext"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def host(api) -> str:
    return api.base_url.split("/")[2]


def test_the_full_text_is_downloaded_once_and_read_from_the_cache_after(site, home, capsys):
    pid = pid_of(capsys, home)
    code, out, err = run(capsys, home, "text", pid[:8])
    assert code == 0, err
    assert out == TEXT  # piped: the Markdown, plain
    assert site.text_requests() == [f"/papers/{ARXIV}.md"]
    assert {r["agent"] for r in site.requests} == {f"papers-tui/{__version__}"}
    assert cached_files(home) == [f"{pid}.md"]
    assert (Paths.default(home).data / "fulltext" / f"{pid}.md").read_text() == TEXT
    site.texts[ARXIV] = b"# Changed\n"
    assert run(capsys, home, "text", pid) == (0, TEXT, "")  # from the cache: no request
    assert len(site.text_requests()) == 1
    code, out, err = run(capsys, home, "text", pid, "--refresh")
    assert (code, out) == (0, "# Changed\n") and len(site.text_requests()) == 2


def test_json_names_the_sections_and_the_file(site, home, capsys):
    pid = pid_of(capsys, home)
    code, out, err = run(capsys, home, "text", pid, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["id"] == pid and doc["arxiv_id"] == ARXIV and doc["markdown"] == TEXT and doc["cached"] is False
    assert doc["path"].endswith(f"fulltext/{pid}.md")
    assert [(s["level"], s["title"]) for s in doc["sections"]] == [
        (1, "Marsupial Routing"), (2, "Abstract"), (2, "1 Introduction"), (2, "3 Method"), (3, "3.1 Details")]


def test_offline_after_caching_the_text_is_still_read(site, home, capsys):
    pid = pid_of(capsys, home)
    assert run(capsys, home, "text", pid)[0] == 0
    site.go_down()
    assert run(capsys, home, "text", pid) == (0, TEXT, "")
    code, out, err = run(capsys, home, "text", pid, "--refresh")  # the old copy stays
    assert code == 2 and out == ""
    assert err == (f"papers: no full text: cannot reach {host(site)}: Connection refused; "
                   f"read it at https://huggingface.co/papers/{ARXIV}\n")
    assert (Paths.default(home).data / "fulltext" / f"{pid}.md").read_text() == TEXT


def test_offline_and_not_cached_is_one_line_and_exit_2(site, home, capsys):
    pid = pid_of(capsys, home)
    site.go_down()
    code, out, err = run(capsys, home, "text", pid)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "cannot reach" in err and f"https://huggingface.co/papers/{ARXIV}" in err
    assert cached_files(home) == []


def test_a_paper_the_site_does_not_have_is_one_line_with_its_link(site, home, capsys):
    pid = pid_of(capsys, home, f"2508.{int(DAY[-2:]):02d}001")
    code, out, err = run(capsys, home, "text", pid)
    assert code == 2 and out == ""
    assert err == (f"papers: no full text: {host(site)} has none for arXiv 2508.{int(DAY[-2:]):02d}001 (HTTP 404); "
                   f"read it at https://huggingface.co/papers/2508.{int(DAY[-2:]):02d}001\n")
    assert cached_files(home) == []


def test_a_paper_without_an_arxiv_id_says_so_and_links_a_search(home, capsys, api, monkeypatch):
    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    code, out, err = run(capsys, home, "search", "swin transformer", "--json", "--limit", "1")
    hit = json.loads(out)[0]
    assert hit["title"] == SWIN and hit["arxiv_id"] is None
    code, out, err = run(capsys, home, "text", hit["id"])
    assert code == 2 and out == ""
    assert err.startswith("papers: no full text: the paper has no arXiv id (it came from a text digest); "
                          "read it at https://huggingface.co/papers?q=Swin+Transformer")
    assert api.requests == [] and cached_files(home) == []


BAD = {
    "html with 200": ((200, {"Content-Type": "text/html"}, b"<!doctype html><p>We'll be right back</p>"),
                      "answered with a web page, not Markdown"),
    "html as markdown": ((200, {"Content-Type": "text/markdown"}, b"  <html><body>login</body></html>"),
                         "answered with a web page, not Markdown"),
    "binary": ((200, {"Content-Type": "text/markdown"}, b"# Title\n\x00\x01\x02\xff" * 50),
               "answered with binary data, not Markdown"),
    "not utf-8": ((200, {"Content-Type": "text/markdown"}, "# Résumé\n".encode("latin-1")),
                  "answered with bytes that are not UTF-8"),
    "an image": ((200, {"Content-Type": "image/png"}, b"\x89PNG...."), "answered with image/png, not Markdown"),
    "empty": ((200, {"Content-Type": "text/markdown"}, b"  \n"), "answered an empty text"),
    "50 MB": ((200, {"Content-Type": "text/markdown"}, b"# Long\n" + b"word " * (10 * 1024 * 1024)),
              "answered more than 8 MB"),
    "a 500 after retries": ((500, {}, b"oops"), "answered HTTP 500 Internal Server Error"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_answer_is_one_line_and_nothing_is_cached(site, home, capsys, monkeypatch, case):
    monkeypatch.setattr(fetch_http, "BACKOFF", 0.01)
    answer, said = BAD[case]
    site.texts[ARXIV] = [answer]
    pid = pid_of(capsys, home)
    t0 = time.monotonic()
    code, out, err = run(capsys, home, "text", pid)
    assert time.monotonic() - t0 < fetch_http.TIMEOUT
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err.startswith(f"papers: no full text: {host(site)} {said}"), err
    assert err.rstrip().endswith(f"read it at https://huggingface.co/papers/{ARXIV}")
    assert cached_files(home) == []


def test_a_redirect_off_the_host_is_not_followed(site, home, capsys):
    port = site.base_url.split(":")[2].split("/")[0]
    site.texts[ARXIV] = [(302, {"Location": f"http://localhost:{port}/papers/{ARXIV}.md"}, b"")]
    pid = pid_of(capsys, home)
    code, out, err = run(capsys, home, "text", pid)
    assert code == 2 and err.startswith(
        f"papers: no full text: {host(site)} redirected to localhost:{port}, another host; not followed")
    assert cached_files(home) == [] and len(site.text_requests()) == 1


def test_a_429_is_waited_out_as_retry_after_asks(site, home, capsys):
    site.texts[ARXIV] = [(429, {"Retry-After": "1"}, b""), TEXT.encode()]
    pid = pid_of(capsys, home)
    t0 = time.monotonic()
    assert run(capsys, home, "text", pid)[:2] == (0, TEXT)
    assert time.monotonic() - t0 >= 1.0 and len(site.text_requests()) == 2


def test_a_stall_mid_body_ends_within_the_deadline_and_writes_nothing(site, home, capsys, monkeypatch):
    monkeypatch.setattr(fetch_http, "REQUEST_DEADLINE", 1.0)
    pid = pid_of(capsys, home)
    body = TEXT.encode()
    server = Drip((f"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nContent-Length: {len(body)}\r\n"
                   "Connection: close\r\n\r\n").encode(), body)
    monkeypatch.setenv("PAPERS_API_URL", server.url)
    t0 = time.monotonic()
    try:
        code, out, err = run(capsys, home, "text", pid)
    finally:
        server.close()
    assert time.monotonic() - t0 < 3.0
    assert code == 2 and err.splitlines() == [
        f"papers: no full text: {server.host} sent the full text too slowly (more than 1 s, the most one "
        f"request may take); read it at https://huggingface.co/papers/{ARXIV}"]
    assert cached_files(home) == []


def test_escapes_and_control_characters_never_reach_the_terminal(site, home, capsys):
    site.texts[ARXIV] = b"# Title\x1b]52;c;aGk=\x07\r\nText \x1b[31mred\x1b[0m and [bold]markup[/]\n"
    pid = pid_of(capsys, home)
    code, out, err = run(capsys, home, "text", pid)
    assert code == 0
    assert out == "# Title]52;c;aGk=\nText [31mred[0m and [bold]markup[/]\n"
    assert "\x1b" not in (Paths.default(home).data / "fulltext" / f"{pid}.md").read_text()


def test_the_pager_gets_the_text(tmp_path, monkeypatch):
    target = tmp_path / "paged.md"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {target}'")
    assert page(TEXT) is True
    assert target.read_text() == TEXT
    monkeypatch.setenv("PAGER", "no-such-pager-anywhere")
    assert page(TEXT) is False


def test_the_site_is_the_api_address_without_api(tmp_path):
    assert FT.site_url(None, {"PAPERS_API_URL": "http://127.0.0.1:8000/api/"}) == "http://127.0.0.1:8000"
    assert FT.site_url(None, {}) == "https://huggingface.co"
    cfg_file = tmp_path / "config.toml"
    cfg_file.write_text('[fetch]\napi_url = "http://mirror.example/api"\n')
    assert FT.site_url(load_config_file(cfg_file), {}) == "http://mirror.example"
    cfg_file.write_text('[fetch]\napi_url = "http://mirror.example/api"\nsite_url = "https://hf.example/"\n'
                        'full_text = "bookmarked"\n')
    cfg = load_config_file(cfg_file)
    assert cfg.problems == [] and cfg.fetch_full_text == "bookmarked"
    assert FT.site_url(cfg, {}) == "https://hf.example"
    assert FT.site_url(cfg, {"PAPERS_API_URL": "http://127.0.0.1:9/api"}) == "http://127.0.0.1:9"
    cfg_file.write_text('[fetch]\nsite_url = "file:///etc"\nfull_text = "all"\n')
    assert len(load_config_file(cfg_file).problems) == 2


def test_sections_skip_fenced_code_and_place_an_offset():
    heads = FT.sections(TEXT)
    assert [s.title for s in heads] == ["Marsupial Routing", "Abstract", "1 Introduction", "3 Method",
                                        "3.1 Details"]
    at = TEXT.index("quokkaflow")
    assert FT.section_label(FT.section_of(TEXT, at)) == "§3 Method"
    assert FT.section_label(FT.section_of(TEXT, TEXT.index("route marsupials"))) == "§ Abstract"
    assert FT.section_of("no heading\n", 3) is None


def test_parts_cut_before_headings_and_join_to_the_text():
    text = "".join(f"## {n} Part\n\n" + "word " * 300 + "\n\n```\n# not a heading\n```\n" for n in range(10))
    cut = FT.parts(text, first=2000, size=5000)
    assert "".join(cut) == text and len(cut) > 2
    assert all(p.startswith("## ") for p in cut)
    assert len(cut[0]) >= 2000 and all(len(p) >= 5000 for p in cut[1:-1])
    assert FT.parts("no headings at all\n") == ["no headings at all\n"]


def test_full_texts_are_searched_below_title_and_abstract_and_say_where(api, home, capsys, monkeypatch):
    from helpers import item

    monkeypatch.setenv("PAPERS_API_URL", api.base_url)
    api.days[DAY] = [item(DAY, 1), item(DAY, 2), item(DAY, 3, title="Quokkaflow for Marsupial Routing")]
    assert run(capsys, home, "fetch", "--date", DAY)[0] == 0
    api.texts[ARXIV] = TEXT.encode()
    pid = pid_of(capsys, home)

    def hits(query: str) -> list[dict]:
        code, out, err = run(capsys, home, "search", query, "--json", "--limit", "20")
        assert code == 0, err
        return json.loads(out)

    assert [h["id"] for h in hits("quokkaflow")] != [pid] and pid not in [h["id"] for h in hits("quokkaflow")]
    assert run(capsys, home, "text", pid)[0] == 0  # downloaded: indexed with its text
    found = hits("quokkaflow")
    assert [h["title"] for h in found] == ["Quokkaflow for Marsupial Routing", f"Marsupial Routing Study {DAY} Number 2"]
    assert found[0]["matched_in"] == ["title", "abstract"]
    assert found[1]["matched_in"] == ["full text, §3 Method"]
    assert [h["id"] for h in hits("text:quokkaflow")] == [pid]
    assert [h["id"] for h in hits("kangaroos wombats")] == [pid]
    assert hits("kangaroos wombats")[0]["matched_in"] == ["full text, §1 Introduction"]
    assert hits("text:*") == [] and hits("*") == []
    assert run(capsys, home, "reindex")[0] == 0  # the index is a cache: rebuilt from fulltext/
    assert [h["id"] for h in hits("text:quokkaflow")] == [pid]
    assert [h["id"] for h in hits("has:fulltext")] == [pid]


def test_papers_text_keeps_the_linked_models_datasets_and_spaces(site, home, capsys):
    site.details[ARXIV] = {"id": ARXIV, "linkedModels": [{"id": f"lab/model-{n}"} for n in range(7)],
                           "numTotalModels": 12, "linkedDatasets": [{"id": "lab/data\x1b[31m"}],
                           "numTotalDatasets": 1, "linkedSpaces": []}
    pid = pid_of(capsys, home)
    code, out, err = run(capsys, home, "text", pid, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["linked_models"] == {"count": 12, "names": [f"lab/model-{n}" for n in range(5)]}
    assert doc["linked_datasets"] == {"count": 1, "names": ["lab/data[31m"]}
    assert doc["linked_spaces"] == {"count": 0, "names": []}
    code, out, err = run(capsys, home, "search", "marsupial routing study", "--json", "--limit", "50")
    hits = {h["id"]: h for h in json.loads(out)}
    assert hits[pid]["linked_models"]["count"] == 12
    assert all(h["linked_models"] is None for i, h in hits.items() if i != pid)
    assert FT.cached_linked(Paths.default(home), pid).lines()[0] == (
        "Models  12: lab/model-0, lab/model-1, lab/model-2, lab/model-3, lab/model-4, …")


def test_fetch_full_text_downloads_the_bookmarked_papers_politely_and_resumes(site, home, capsys):
    d = int(DAY[-2:])
    ids = {a: pid_of(capsys, home, a) for a in (f"2508.{d:02d}001", ARXIV, f"2508.{d:02d}003")}
    site.texts[f"2508.{d:02d}003"] = b"# Third\n\nwallaby words\n"
    assert run(capsys, home, "bookmark", *ids.values())[0] == 0
    t0 = time.monotonic()
    code, out, err = run(capsys, home, "fetch", "--date", DAY, "--full-text")
    took = time.monotonic() - t0
    assert code == 2  # the first paper has none on the site: named on stderr
    assert f"papers: {ids[f'2508.{d:02d}001']}: no full text: {host(site)} has none" in err
    assert "2 full texts downloaded; 1 without one" in out
    assert cached_files(home) == sorted(f"{ids[a]}.md" for a in (ARXIV, f"2508.{d:02d}003"))
    assert took >= 2 * FT.MIN_INTERVAL  # at most 2 requests a second
    code, out, err = run(capsys, home, "search", "wallaby", "--json")
    assert [h["id"] for h in json.loads(out)] == [ids[f"2508.{d:02d}003"]]
    before = len(site.text_requests())
    code, out, err = run(capsys, home, "fetch", "--date", DAY, "--full-text")  # resumes: only what is missing
    assert "0 full texts downloaded; 2 already cached; 1 without one" in out
    assert len(site.text_requests()) == before + 1
