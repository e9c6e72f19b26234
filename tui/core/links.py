"""The ordered links of a paper; the first is the primary one (``y`` copies it,
``o`` opens it).

1. Hugging Face paper page and arXiv abstract page, when the arXiv id is known;
2. the GitHub repository and the project page the Daily Papers API names;
3. code and project URLs found in the abstract (those not already listed);
4. without an arXiv id: a Hugging Face papers search and an arXiv title search
   for the exact title.

URLs that come from an API are untrusted: :func:`github_repo_url` and
:func:`web_url` keep one only when it is a plain http(s) URL (the repository
only on github.com).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlsplit

from .text import extract_urls, strip_control

_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


@dataclass(frozen=True)
class Link:
    kind: str  # "hf", "arxiv", "code", "project", "hf-search", "arxiv-search"
    label: str
    url: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "label": self.label, "url": self.url}


def paper_links(title: str, abstract: str, arxiv_id: str | None,
                github: str | None = None, project_page: str | None = None) -> list[Link]:
    links: list[Link] = []
    if arxiv_id:
        links.append(Link("hf", "Hugging Face paper page", f"https://huggingface.co/papers/{quote(arxiv_id)}"))
        links.append(Link("arxiv", "arXiv abstract", f"https://arxiv.org/abs/{quote(arxiv_id)}"))
    if github:
        links.append(Link("code", "GitHub repository", github))
    if project_page:
        links.append(Link("project", "Project page", project_page))
    listed = {_same(url) for url in (github, project_page) if url}
    for url in extract_urls(abstract):
        if _same(url) in listed:
            continue
        is_code = _code_host(url)
        links.append(Link("code" if is_code else "project", "Code" if is_code else "Project page", url))
    if not arxiv_id:
        links.append(Link(
            "hf-search", "Hugging Face papers search",
            f"https://huggingface.co/papers?q={quote_plus(title)}"))
        links.append(Link(
            "arxiv-search", "arXiv title search",
            f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"))
    return links


def has_code(abstract: str, github: str | None = None) -> bool:
    """The paper has code: a GitHub repository (from the API), or a URL of a
    code host (GitHub, GitLab, Bitbucket, Hugging Face, Codeberg) in its abstract."""
    if github:
        return True
    if "://" not in abstract:  # most abstracts: no URL at all
        return False
    return any(_code_host(url) for url in extract_urls(abstract))


def _code_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _CODE_HOSTS)


def _same(url: str) -> str:
    """A URL as compared for repeats: without scheme, case, ``www.``, a
    trailing slash or ``.git``."""
    try:
        parts = urlsplit(url.lower())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return url.lower()
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


MAX_URL_CHARS = 500
_GITHUB_PATH_RE = re.compile(r"/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}(?:/.*)?")


def web_url(raw: str) -> str | None:
    """``raw`` as a link that may be opened, or None: an http(s) URL with a
    host, no user or password, no spaces or control characters."""
    url = raw.strip() if isinstance(raw, str) else ""
    if not url or len(url) > MAX_URL_CHARS or strip_control(url) != url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return url


def github_repo_url(raw: str) -> str | None:
    """``raw`` when it is the URL of a repository on github.com
    (``https://github.com/owner/repo[/...]``), else None."""
    url = web_url(raw)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.hostname not in ("github.com", "www.github.com") or parts.port is not None:
        return None
    return url if _GITHUB_PATH_RE.fullmatch(parts.path) else None


def is_web_url(url: str) -> bool:
    """Only http(s) URLs are ever handed to a browser."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
