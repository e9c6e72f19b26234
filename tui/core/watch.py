"""Digests that arrive by themselves, and saved searches that watch for papers.

* :func:`store_digest` -- ``papers add -``: one digest's bytes (from stdin)
  checked and written into the user digests folder under a new name, never
  over an existing file, and not at all when the same bytes are there
  (:func:`same_digest`, as for ``papers add FILE``).
* :func:`import_watched` -- the folders of ``<config>/watched.txt``
  (``papers watch DIR``): new or changed digest files are copied into the user
  digests folder, by name, before the index is opened. Which watched file each
  copy came from is recorded in ``<data>/watched-origins.json``, so that

  - a changed source replaces its own copy -- unless the user changed or
    replaced that copy, which is then left alone and the new version is copied
    beside it (``name-2.txt``);
  - a file of the same name from anywhere else (``papers add``, another
    watched folder) is never overwritten: the new one is copied beside it;
  - a copy the user deleted is not brought back until its source changes;
  - a file with the same bytes as a digest already there is not copied twice;
  - a file that is not a digest is reported (one line) and not copied; it is
    reported once per version of the file (the record keeps its size, mtime
    and SHA-256 with the reason): a later start says nothing until it changes.

* :func:`new_paper_ids` -- the papers a sync brought in for the first time.
* :func:`apply_watches` -- each saved search with its watch on tags the new
  papers that match its query ``watch:<name>`` and is announced.

No Textual here; the index is used through its public methods only.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .digest import MAX_BYTES, Digest, DigestError, decode, parse_text
from .library import MAX_QUERY_CHARS
from .fsio import atomic_write, file_lock, sha256_file, write_new
from .paths import DIGEST_SUFFIXES, existing_digest
from .text import plural

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .index import Index, SyncReport
    from .library import Library
    from .paths import Paths

ORIGINS_FORMAT = "papers-watched-origins"
ORIGINS_VERSION = 1
MAX_NAME_CHARS = 120
SEARCH_PAGE = 1000  # the most Index.search returns at once


def _stems(folder: Path) -> set[str]:
    """Digest names taken in the user digests folder (case-folded stems)."""
    if not folder.is_dir():
        return set()
    return {p.stem.casefold() for p in folder.iterdir() if p.suffix.lower() in DIGEST_SUFFIXES}


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    taken = _stems(folder)
    candidate, n = stem, 2
    while candidate.casefold() in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return folder / f"{candidate}{suffix}"


# --- papers add - ----------------------------------------------------------------

def check_digest_name(raw: str) -> str:
    """The name (file stem) for a digest given by the user: one path component,
    no leading dot, no control characters, at most 120 characters; a
    ``.txt``/``.json``/``.md`` ending is dropped (the content decides it).
    ``ValueError`` says what is wrong."""
    name = raw.strip() if isinstance(raw, str) else ""
    if Path(name).suffix.lower() in DIGEST_SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    if not name:
        raise ValueError("--name: empty")
    if any(c in name for c in "/\\") or name.startswith(".") or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"--name {raw!r}: use a plain file name (no / or \\, no leading dot, no control characters)")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"--name: longer than {MAX_NAME_CHARS} characters")
    return name


def default_stdin_name(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("stdin-%Y%m%d-%H%M%S")


def read_digest(data: bytes, name: str, source: str = "<stdin>") -> Digest:
    """Parse a digest's bytes; ``DigestError`` naming ``source`` if it is not one."""
    if len(data) > MAX_BYTES:
        raise DigestError(source, f"too large for a digest ({len(data) // (1024 * 1024)} MB)")
    return parse_text(decode(Path(source), data), Path(source), name)


class AlreadyImported(Exception):
    """The same bytes are in the user digests folder already, as ``path``."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"already imported as {path.name}")


def store_digest(paths: "Paths", data: bytes, name: str | None = None,
                 source: str = "<stdin>") -> tuple[Path, Digest]:
    """Check that ``data`` is a digest and write it into the user digests
    folder as ``<name>.txt`` or ``<name>.json`` (by its format); returns the
    file and the parsed digest. ``name`` defaults to ``stdin-YYYYmmdd-HHMMSS``.

    Raises ``ValueError`` for a bad name, ``DigestError`` (naming ``source``)
    when it is not a digest, ``FileExistsError`` (its ``filename`` the existing
    file) when a digest of that name exists -- nothing is overwritten --,
    :class:`AlreadyImported` when these bytes are there already, and
    ``OSError`` when the folder cannot be written. Nothing is written unless
    everything is fine."""
    stem = check_digest_name(name if name is not None else default_stdin_name())
    digest = read_digest(data, stem, source)
    folder = paths.digests
    folder.mkdir(parents=True, exist_ok=True)
    same = same_digest(folder, data)
    if same is not None:
        raise AlreadyImported(same)
    taken = existing_digest(folder, stem)
    if taken is not None:
        raise FileExistsError(17, "a digest of that name exists", str(taken))
    dest = folder / f"{stem}{'.json' if digest.format == 'json' else '.txt'}"
    try:
        write_new(dest, data)
    except FileExistsError:
        raise FileExistsError(17, "a digest of that name exists", str(dest)) from None
    return dest, digest


def same_digest(folder: Path, data: bytes) -> Path | None:
    """The digest file in ``folder`` holding exactly these bytes, if any: the
    same content is imported once, whether from a file or from stdin."""
    if not folder.is_dir():
        return None
    for p in sorted(folder.iterdir()):
        try:
            if p.suffix.lower() in DIGEST_SUFFIXES and not p.name.startswith(".") and p.is_file() \
                    and p.stat().st_size == len(data) and p.read_bytes() == data:
                return p
        except OSError:
            continue
    return None


# --- watched folders --------------------------------------------------------------

@dataclass(frozen=True)
class WatchImport:
    """What :func:`import_watched` did: names of the digest files copied as
    new, those replaced by a changed source, and one line per problem."""

    copied: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def summary(self) -> str:
        """``1 new digest and 2 changed digests from watched folders`` (a
        count of none left out)."""
        counts = [plural(n, word) for n, word in ((len(self.copied), "new digest"),
                                                  (len(self.updated), "changed digest")) if n]
        return f"{' and '.join(counts) or 'no new digests'} from watched folders"


@dataclass
class _Origin:
    """One watched source file as last seen."""

    dest: str | None        # the copy's file name in the user digests folder
    sha256: str
    size: int
    mtime_ns: int
    owned: bool = True      # the copy was made from this source (else: same bytes found there)
    error: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> "_Origin":
        if not isinstance(d, dict):
            raise ValueError("not an object")
        return cls(d.get("dest"), str(d["sha256"]), int(d["size"]), int(d["mtime_ns"]),
                   bool(d.get("owned", True)), d.get("error"))

    def as_json(self) -> dict:
        return {"dest": self.dest, "sha256": self.sha256, "size": self.size, "mtime_ns": self.mtime_ns,
                "owned": self.owned, "error": self.error}


@dataclass
class _Run:
    paths: "Paths"
    origins: dict[str, _Origin]
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dirty: bool = False
    _by_size: dict[int, list[Path]] | None = None

    def same_bytes(self, data: bytes, sha: str) -> Path | None:
        """A file in the user digests folder with exactly these bytes."""
        if self._by_size is None:
            self._by_size = {}
            folder = self.paths.digests
            for p in folder.iterdir() if folder.is_dir() else ():
                if p.is_file() and p.suffix.lower() in DIGEST_SUFFIXES and not p.name.startswith("."):
                    self._by_size.setdefault(p.stat().st_size, []).append(p)
        for p in self._by_size.get(len(data), ()):
            if _sha256_file(p) == sha:
                return p
        return None

    def wrote(self, dest: Path) -> None:
        if self._by_size is not None:
            self._by_size.setdefault(dest.stat().st_size, []).append(dest)


def _sha256_file(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _load_origins(path: Path, problems: list[str]) -> dict[str, _Origin]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != ORIGINS_FORMAT:
            raise ValueError("not a record of watched files")
        if doc.get("version") != ORIGINS_VERSION:
            raise ValueError(f"version {doc.get('version')!r}")
        return {str(k): _Origin.from_json(v) for k, v in doc["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        moved = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
        os.replace(path, moved)
        problems.append(f"{path} could not be read ({str(e).splitlines()[0][:80]}); moved to {moved.name}, "
                        "watched files are looked at afresh")
        return {}


def _save_origins(path: Path, origins: dict[str, _Origin]) -> None:
    doc = {"format": ORIGINS_FORMAT, "version": ORIGINS_VERSION,
           "files": {k: v.as_json() for k, v in sorted(origins.items())}}
    atomic_write(path, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _watched_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in DIGEST_SUFFIXES and not p.name.startswith(".") and p.is_file())


def import_watched(paths: "Paths", config: "Config") -> WatchImport:
    """Copy new or changed digests from the watched folders of ``config``
    into the user digests folder (see the module notes). Never raises for a
    bad file or folder: each problem is one line of the report."""
    folders = list(dict.fromkeys(config.watched))
    if not folders:
        return WatchImport()
    problems: list[str] = []
    try:
        paths.digests.mkdir(parents=True, exist_ok=True)
        with file_lock(paths.data / ".watched.lock"):
            run = _Run(paths, _load_origins(paths.watch_origins, problems), problems=problems)
            digests = paths.digests.resolve()
            for folder in folders:
                _import_folder(run, Path(folder), digests)
            if run.dirty:
                _save_origins(paths.watch_origins, run.origins)
    except OSError as e:
        problems.append(f"cannot import from watched folders into {paths.digests}: {e.strerror or e}")
        return WatchImport(problems=tuple(problems))
    return WatchImport(tuple(run.copied), tuple(run.updated), tuple(run.problems))


def _import_folder(run: _Run, folder: Path, digests: Path) -> None:
    try:
        if folder.resolve() == digests:
            run.problems.append(f"watched folder {folder} is the digests folder itself; skipped")
            return
        files = _watched_files(folder)
    except FileNotFoundError:
        run.problems.append(f"watched folder {folder} does not exist (papers watch --remove {folder})")
        return
    except OSError as e:
        run.problems.append(f"watched folder {folder} cannot be read ({e.strerror or e})")
        return
    for src in files:
        try:
            _import_file(run, src)
        except OSError as e:
            run.problems.append(f"{src}: cannot be imported ({e.strerror or e})")


def _import_file(run: _Run, src: Path) -> None:
    key = str(src.absolute())
    st = src.stat()
    rec = run.origins.get(key)
    if rec and (rec.size, rec.mtime_ns) == (st.st_size, st.st_mtime_ns):
        return  # as last seen (and reported then, if it was not a digest)
    if st.st_size > MAX_BYTES:
        _bad(run, key, rec, st, "", DigestError(src, f"too large for a digest ({st.st_size // (1024 * 1024)} MB)"))
        return
    data = src.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if rec and rec.sha256 == sha:  # touched, not changed
        rec.size, rec.mtime_ns = len(data), st.st_mtime_ns
        run.dirty = True
        return
    try:
        parse_text(decode(src, data), src)
    except DigestError as e:
        _bad(run, key, rec, st, sha, e)
        return
    dest, owned = _place(run, src, data, sha, rec)
    run.origins[key] = _Origin(dest.name if dest else None, sha, len(data), st.st_mtime_ns, owned)
    run.dirty = True


def _bad(run: _Run, key: str, rec: _Origin | None, st: os.stat_result, sha: str, e: DigestError) -> None:
    run.problems.append(str(e))
    run.origins[key] = _Origin(rec.dest if rec else None, sha or (rec.sha256 if rec else ""), st.st_size,
                               st.st_mtime_ns, rec.owned if rec else True, str(e))
    run.dirty = True


def _place(run: _Run, src: Path, data: bytes, sha: str, rec: _Origin | None) -> tuple[Path | None, bool]:
    """Put new or changed content of ``src`` into the digests folder; returns
    the copy and whether it was made from ``src``."""
    folder = run.paths.digests
    if rec and rec.dest and rec.owned:
        mine = folder / rec.dest
        if mine.is_file() and _sha256_file(mine) == rec.sha256:  # untouched since we wrote it
            atomic_write(mine, data)
            run.updated.append(mine.name)
            return mine, True
        if not mine.exists() and mine.stem.casefold() not in _stems(folder):  # the user deleted it
            write_new(mine, data)
            run.copied.append(mine.name)
            run.wrote(mine)
            return mine, True
    elif not rec or not rec.dest:
        same = run.same_bytes(data, sha)
        if same is not None:  # already there (papers add, another watched folder)
            return same, same.name == src.name
    dest = _free_name(folder, src.stem, src.suffix.lower())
    write_new(dest, data)
    run.copied.append(dest.name)
    run.wrote(dest)
    return dest, True


# --- watches ------------------------------------------------------------------------

def new_paper_ids(index: "Index", report: "SyncReport") -> list[str]:
    """Papers that the sync of ``report`` brought in: those of the digests it
    added or changed that appear in no other digest. None after a rebuild
    (which re-adds every digest) -- nothing is new then."""
    if report.rebuilt:
        return []
    fresh = list(dict.fromkeys([*report.added, *report.changed]))
    if not fresh:
        return []
    ids = list(dict.fromkeys(pid for name in fresh for pid in index.digest_page(name)))
    papers = index.get_many(ids)
    names = set(fresh)
    return [pid for pid in ids if pid in papers and all(a.digest in names for a in papers[pid].appearances)]


def matching_ids(index: "Index", query: str, among: Iterable[str]) -> list[str]:
    """Those of ``among`` that ``query`` finds, best first.

    The query is run in parentheses, which makes it strict: a plain query whose
    words no paper has all of would otherwise fall back to papers with some of
    them, and its last word would match as a prefix (both meant for typing).
    The index cannot restrict a search to given ids, so its results are paged
    through until every candidate is found or the results end."""
    wanted = set(among)
    if not wanted:
        return []
    text = f"({query})" if len(query) + 2 <= MAX_QUERY_CHARS else query
    found: list[str] = []
    offset = 0
    while True:
        res = index.search(text, limit=SEARCH_PAGE, offset=offset)
        found += [h.id for h in res.hits if h.id in wanted]
        offset += len(res.hits)
        if not res.hits or offset >= res.total or len(found) >= len(wanted):
            return found


def apply_watches(index: "Index", library: "Library", new_paper_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """For each saved search with its watch on, tag the papers of
    ``new_paper_ids`` that match its query ``watch:<name>``; returns
    ``[(name, [paper ids newly tagged, best first]), ...]`` for the watches
    that tagged any. Running it again on the same papers tags and announces
    nothing. The caller brings the index up to date with the library
    (``index.catch_up(library)``) so that ``tag:watch:<name>`` finds them."""
    new = list(dict.fromkeys(new_paper_ids))
    watches = [s for s in library.saved.all() if s.watch]
    if not new or not watches:
        return []
    matches = [(s, matching_ids(index, s.query, new)) for s in watches]
    papers = index.get_many(sorted({pid for _, ids in matches for pid in ids}))
    out: list[tuple[str, list[str]]] = []
    with library.batch():
        for s, ids in matches:
            tagged = [pid for pid in ids if library.add_tags(pid, [s.tag], papers.get(pid))]
            if tagged:
                out.append((s.name, tagged))
        library.saved.mark_checked(s.name for s in watches)
    return out
