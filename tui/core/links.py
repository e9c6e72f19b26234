"""The ordered links of a paper; the first is the primary one (``y`` copies it,
``o`` opens it).

1. Hugging Face paper page and arXiv abstract page, when the arXiv id is known;
2. code and project URLs found in the abstract;
3. without an arXiv id: a Hugging Face papers search and an arXiv title search
   for the exact title.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlsplit

from .text import extract_urls

_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


@dataclass(frozen=True)
class Link:
    kind: str  # "hf", "arxiv", "code", "project", "hf-search", "arxiv-search"
    label: str
    url: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "label": self.label, "url": self.url}


def paper_links(title: str, abstract: str, arxiv_id: str | None) -> list[Link]:
    links: list[Link] = []
    if arxiv_id:
        links.append(Link("hf", "Hugging Face paper page", f"https://huggingface.co/papers/{quote(arxiv_id)}"))
        links.append(Link("arxiv", "arXiv abstract", f"https://arxiv.org/abs/{quote(arxiv_id)}"))
    for url in extract_urls(abstract):
        host = (urlsplit(url).hostname or "").lower()
        is_code = any(host == h or host.endswith("." + h) for h in _CODE_HOSTS)
        links.append(Link("code" if is_code else "project", "Code" if is_code else "Project page", url))
    if not arxiv_id:
        links.append(Link(
            "hf-search", "Hugging Face papers search",
            f"https://huggingface.co/papers?q={quote_plus(title)}"))
        links.append(Link(
            "arxiv-search", "arXiv title search",
            f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"))
    return links


def is_web_url(url: str) -> bool:
    """Only http(s) URLs are ever handed to a browser."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
