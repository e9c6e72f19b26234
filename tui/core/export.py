"""Exports of the user's library: JSON (lossless, for ``papers import``),
BibTeX, a Markdown reading list and CSV.

``export(library, what, fmt, catalog)`` returns the text. ``what`` picks the
papers: ``bookmarks`` (newest first), ``notes`` (last edited first) or ``all``
(every paper with a bookmark, tag, note or read mark). With a ``catalog`` (the
index, or anything else with ``get_many(ids)``), titles, links and authors come
from the current digests; a paper whose digest is gone falls back to the
library's snapshot of it.

* **json** -- ``{"format": "papers-library", "version": 3, "papers": [...],
  "saved_searches": [...], "mutes": [...]}``, every field of every record (and,
  with ``all``, every saved search and mute); importing it into an empty
  library reproduces the library exactly. Version 1 and 2 files (no saved
  searches, no mutes) still import. A catalog
  only fills in snapshots the library lacks.
* **bibtex** -- one ``@misc`` per paper; keys ``<first author surname or first
  title word><year>-<6 hex of the id>`` (stable, unique); ``title``, ``author``,
  ``year``, ``eprint`` + ``archivePrefix = {arXiv}`` + ``doi =
  {10.48550/arXiv.ID}`` (the DOI arXiv gives every paper, by which Zotero
  matches a preprint), ``url``, ``keywords`` (the tags), ``note``. LaTeX
  specials are escaped so the file parses.
* **ris** -- one ``TY  - UNPB`` record per paper (Zotero, EndNote, Mendeley):
  ``TI``, ``AU`` (``Surname, Given``), ``PY``/``DA``, ``DO``, ``UR``, ``KW``
  per tag, ``N1`` the note, ``ID`` the paper id. RIS has one field a line: a
  field's line breaks become spaces, so no text can start a record of its own.
* **csljson** -- CSL-JSON, the format Zotero and pandoc read: a list of
  ``{"type": "article", "id", "title", "author": [{"family", "given"}],
  "issued", "DOI", "URL", "number" (the arXiv id), "publisher": "arXiv",
  "keyword", "note"}``.

Papers without an arXiv id carry no DOI: they export with the link they have.
The year comes from the arXiv id, else from the paper's date (with a catalog).
* **md** -- a reading list grouped by tag (untagged last), with links and notes.
* **csv** -- one row per paper with a header row. A cell that a spreadsheet
  would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return) gets a leading ``'``, as OWASP recommends against CSV
  injection: a hostile title stays text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable
from urllib.parse import quote

from .library import Record, Snapshot, now_iso
from .text import fold

if TYPE_CHECKING:  # pragma: no cover
    from .library import Library

FORMATS = ("md", "bibtex", "json", "csv", "ris", "csljson")
SELECTIONS = ("bookmarks", "notes", "all")


def select(library: "Library", what: str) -> list[Record]:
    if what == "bookmarks":
        return library.bookmarks()
    if what == "notes":
        return library.notes()
    if what == "all":
        return library.all_records()
    raise ValueError(f"unknown selection {what!r}: use one of {', '.join(SELECTIONS)}")


def export(library: "Library", what: str = "all", fmt: str = "json", catalog=None) -> str:
    """The chosen papers of ``library`` as text in format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    records = select(library, what)
    if fmt == "json":
        return to_json(library, records, what, catalog)
    items = _items(records, catalog)
    if fmt == "bibtex":
        return to_bibtex(items)
    if fmt == "md":
        return to_markdown(items, what)
    if fmt == "ris":
        return to_ris(items)
    if fmt == "csljson":
        return to_csljson(items)
    return to_csv(items)


# --- what is shown of a paper ---------------------------------------------------

@dataclass(frozen=True)
class Item:
    """A record with the paper's current description (catalog, else snapshot)."""

    record: Record
    title: str
    link: str | None
    arxiv_id: str | None
    authors: tuple[str, ...]
    labels: tuple[str, ...]
    date: str | None = None  # ISO date of the paper, when the catalog knows it

    @property
    def doi(self) -> str | None:
        """arXiv's DOI for the paper (``10.48550/arXiv.<id>``), if it has an id."""
        return arxiv_doi(self.arxiv_id)

    @property
    def year(self) -> str | None:
        """From the arXiv id, else from the paper's date."""
        return _year(self.arxiv_id) or (self.date[:4] if self.date and re.match(r"\d{4}", self.date) else None)


def arxiv_doi(arxiv_id: str | None) -> str | None:
    """``10.48550/arXiv.2408.01234``: the DOI arXiv registered for every paper
    (an old-style id keeps its slash: ``10.48550/arXiv.hep-th/9901001``)."""
    if not arxiv_id:
        return None
    base = re.sub(r"v\d+$", "", arxiv_id.strip())
    return f"10.48550/arXiv.{base}" if base else None


def paper_item(paper, record: Record | None = None) -> Item:
    """One paper of the catalog as an export item, with the user's record."""
    return Item(record or Record(paper.id), paper.title, paper.primary_link, paper.arxiv_id,
                tuple(paper.authors), tuple(paper.labels), paper.published)


def entry(paper, record: Record | None, fmt: str) -> str:
    """One paper alone in ``fmt`` (``bibtex``, ``ris`` or ``csljson``), as the
    library export writes it, without the file's header: what ``Y`` copies."""
    item = paper_item(paper, record)
    if fmt == "bibtex":
        return "".join(line for line in to_bibtex([item]).splitlines(keepends=True)
                       if not line.startswith("%")).strip() + "\n"
    if fmt == "ris":
        return to_ris([item])
    if fmt == "csljson":
        return json.dumps(csl_item(item), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"no single-paper form for {fmt!r}")


def _items(records: Iterable[Record], catalog=None) -> list[Item]:
    records = list(records)
    papers = catalog.get_many([r.id for r in records]) if catalog is not None and records else {}
    out = []
    for r in records:
        p = papers.get(r.id)
        s = Snapshot.of(p) if p is not None else r.snapshot
        date = getattr(p, "published", None) if p is not None else None
        if s is None:
            out.append(Item(r, f"(paper {r.id})", None, None, (), ()))
        else:
            out.append(Item(r, s.title or f"(paper {r.id})", s.link, s.arxiv_id, s.authors, s.labels, date))
    return out


# --- JSON ---------------------------------------------------------------------

def to_json(library: "Library", records: list[Record], what: str = "all", catalog=None) -> str:
    if catalog is not None:
        missing = [r.id for r in records if r.snapshot is None]
        papers = catalog.get_many(missing) if missing else {}
        if papers:
            from dataclasses import replace

            records = [replace(r, snapshot=Snapshot.of(papers[r.id])) if r.id in papers else r
                       for r in records]
    doc = library.transfer.export_json(records, what)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --- BibTeX -------------------------------------------------------------------

_BIB_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
    "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIB_RE = re.compile(r"[\\{}%&#_$~^]")
# A line that starts with @word looks like a new entry to some parsers.
_LINE_AT_RE = re.compile("(^|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])([ \t]*)@")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "is", "are", "towards", "toward",
         "with", "from", "by", "at", "as", "via", "how", "what", "why", "do", "does", "can"}


def bibtex_escape(text: str) -> str:
    """Text fit for a braced BibTeX field: LaTeX specials escaped, and no line
    starting with ``@``."""
    out = _BIB_RE.sub(lambda m: _BIB_ESCAPES[m.group(0)], text)
    return _LINE_AT_RE.sub(r"\1\2{@}", out)


def _url(url: str) -> str:
    """URLs go in verbatim (the url package reads them so); only what would
    break the braces or the line is percent-encoded."""
    return re.sub(r"[{}\\\s]", lambda m: quote(m.group(0), safe=""), url)


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _year(arxiv_id: str | None) -> str | None:
    if not arxiv_id:
        return None
    m = re.match(r"^(\d{2})(\d{2})\.\d{4,5}", arxiv_id) or re.match(r"^[a-z\-.]+/(\d{2})(\d{2})\d{3}", arxiv_id, re.I)
    if not m:
        return None
    yy = int(m.group(1))
    return str(1900 + yy if yy >= 91 else 2000 + yy)


def bibtex_key(item: Item) -> str:
    """``<surname or first title word><year>-<id[:6]>``, ASCII only."""
    base = ""
    if item.authors:
        parts = item.authors[0].replace(",", " ").split()
        if "," in item.authors[0]:  # "Surname, Given"
            parts = [item.authors[0].split(",")[0]]
        if parts:
            base = _ascii_word(parts[-1])
    if not base:
        for w in re.findall(r"\w+", item.title):
            aw = _ascii_word(w)
            if aw and aw not in _STOP:
                base = aw
                break
    base = (base or "paper")[:24]
    suffix = re.sub(r"[^A-Za-z0-9]", "", item.record.id)
    return f"{base}{item.year or ''}-{suffix[:6] or 'x'}"


def to_bibtex(items: list[Item]) -> str:
    out = [f"% papers library export, {now_iso()}\n"]
    used: set[str] = set()
    for it in items:
        key = bibtex_key(it)
        if key in used:  # two ids with the same first 6 characters: use the whole id
            key = key.rsplit("-", 1)[0] + "-" + (re.sub(r"[^A-Za-z0-9]", "", it.record.id) or "x")
            n = 2
            base = key
            while key in used:
                key, n = f"{base}-{n}", n + 1
        used.add(key)
        fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(it.title) + "}")]
        if it.authors:
            names = [bibtex_escape(a) for a in it.authors if a.strip()]
            names = ["{" + n + "}" if re.search(r"\band\b", n, re.I) else n for n in names]
            if names:
                fields.append(("author", " and ".join(names)))
        if it.year:
            fields.append(("year", it.year))
        if it.arxiv_id:
            fields.append(("eprint", bibtex_escape(it.arxiv_id)))
            fields.append(("archivePrefix", "arXiv"))
            fields.append(("doi", bibtex_escape(it.doi or "")))
        if it.link:
            fields.append(("url", _url(it.link)))
        if it.record.tags:
            fields.append(("keywords", bibtex_escape(", ".join(it.record.tags))))
        if it.record.note:
            fields.append(("note", bibtex_escape(it.record.note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(out)


# --- Markdown -------------------------------------------------------------------

_MD_RE = re.compile(r"([\\`*_\[\]<>])")


def md_escape(text: str) -> str:
    return _MD_RE.sub(r"\\\1", " ".join(text.split()))


def _md_item(it: Item) -> list[str]:
    title = md_escape(it.title)
    line = f"- [{title}](<{it.link.replace('>', '%3E')}>)" if it.link else f"- {title}"
    extra = []
    if it.arxiv_id:
        extra.append(f"arXiv {md_escape(it.arxiv_id)}")
    if it.record.bookmarked_at:
        extra.append(f"bookmarked {it.record.bookmarked_at[:10]}")
    if it.record.read_at:
        extra.append("read")
    extra.append(f"`{it.record.id}`")
    lines = [f"{line} · " + " · ".join(extra)]
    if it.record.note:
        for note_line in it.record.note.strip("\n").split("\n"):
            lines.append(f"  > {note_line}".rstrip())
    return lines


def to_markdown(items: list[Item], what: str = "all") -> str:
    heading = {"bookmarks": "Reading list", "notes": "Notes"}.get(what, "Library")
    out = [f"# {heading}", "", f"_{len(items)} papers, exported from papers on {now_iso()[:10]}_", ""]
    groups: dict[str, list[Item]] = {}
    untagged: list[Item] = []
    for it in items:
        for t in it.record.tags:
            groups.setdefault(t, []).append(it)
        if not it.record.tags:
            untagged.append(it)
    sections = [(t, groups[t]) for t in sorted(groups)]
    if untagged:
        sections.append(("Untagged" if groups else "", untagged))
    for name, members in sections:
        if name:
            out += [f"## {md_escape(name)}", ""]
        for it in members:
            out += _md_item(it)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --- CSV ------------------------------------------------------------------------

CSV_COLUMNS = ("id", "title", "link", "arxiv_id", "authors", "labels", "tags", "bookmarked_at",
               "read_at", "note", "note_created", "note_updated")


# What makes a cell a formula in Excel, LibreOffice Calc or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(items: list[Item]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for it in items:
        r = it.record
        cells = (r.id, it.title, it.link or "", it.arxiv_id or "", "; ".join(it.authors),
                 "; ".join(it.labels), ", ".join(r.tags), r.bookmarked_at or "", r.read_at or "",
                 r.note or "", r.note_created or "", r.note_updated or "")
        w.writerow([csv_cell(c) for c in cells])
    return buf.getvalue()


# --- names, for RIS and CSL-JSON -----------------------------------------------------

def split_name(name: str) -> tuple[str, str]:
    """``(family, given)`` of an author as the digest writes it: ``Surname,
    Given`` or ``Given Names Surname``; one word is a family name alone."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip()
        return (family, given) if family else (given, "")
    parts = name.rsplit(" ", 1)
    return (parts[1], parts[0]) if len(parts) == 2 else (name, "")


def _names(item: Item) -> list[tuple[str, str]]:
    """The authors as ``(family, given)``, leaving out names with nothing in them."""
    return [n for n in map(split_name, item.authors) if n[0]]


# --- RIS --------------------------------------------------------------------------

def ris_value(text: str) -> str:
    """One RIS field value: on one line (every line break, including the
    Unicode ones, becomes a space) and never empty."""
    return " ".join(text.split()) or "-"


def to_ris(items: list[Item]) -> str:
    out: list[str] = []
    for it in items:
        lines = [("TY", "UNPB"), ("ID", it.record.id), ("TI", it.title)]
        for family, given in _names(it):
            lines.append(("AU", f"{family}, {given}" if given else family))
        if it.year:
            lines.append(("PY", it.year))
        if it.date:
            lines.append(("DA", it.date.replace("-", "/")))
        if it.arxiv_id:
            lines += [("DO", it.doi or ""), ("PB", "arXiv"), ("M1", f"arXiv:{it.arxiv_id}")]
        if it.link:
            lines.append(("UR", it.link))
        lines += [("KW", t) for t in it.record.tags]
        if it.record.note:
            lines.append(("N1", it.record.note))
        out += [f"{tag}  - {ris_value(value)}" for tag, value in lines] + ["ER  - ", ""]
    return "\n".join(out)


# --- CSL-JSON ---------------------------------------------------------------------

def csl_item(it: Item) -> dict:
    """One paper as a CSL-JSON item (``type: article``: a preprint)."""
    d: dict = {"id": it.record.id, "type": "article", "title": it.title}
    names = []
    for family, given in _names(it):
        names.append({"family": family, "given": given} if given else {"literal": family})
    if names:
        d["author"] = names
    if it.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", it.date):
        d["issued"] = {"date-parts": [[int(x) for x in it.date.split("-")]]}
    elif it.year:
        d["issued"] = {"date-parts": [[int(it.year)]]}
    if it.arxiv_id:
        d.update({"DOI": it.doi, "number": f"arXiv:{it.arxiv_id}", "publisher": "arXiv"})
    if it.link:
        d["URL"] = it.link
    if it.record.tags:
        d["keyword"] = ", ".join(it.record.tags)
    if it.record.note:
        d["note"] = it.record.note
    return d


def to_csljson(items: list[Item]) -> str:
    return json.dumps([csl_item(it) for it in items], ensure_ascii=False, indent=2) + "\n"
