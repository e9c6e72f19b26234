"""Watched folders (``papers watch DIR``, listed in ``<config>/watched.txt``):
new or changed digest files are copied into the user digests folder, by name,
before the index is opened. Which watched file each copy came from is
recorded in ``<data>/watched-origins.json``, so that

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

No Textual here.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .digest import MAX_BYTES, DigestError, decode, parse_text
from .fsio import atomic_write, file_lock, read_state, sha256_file, write_new
from .paths import DIGEST_SUFFIXES
from .text import plural

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .paths import Paths

ORIGINS_FORMAT = "papers-watched-origins"
ORIGINS_VERSION = 1


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
        dest, error = d.get("dest"), d.get("error")
        if not isinstance(dest, (str, type(None))) or not isinstance(error, (str, type(None))):
            raise ValueError("dest and error must be text")
        return cls(dest, str(d["sha256"]), int(d["size"]), int(d["mtime_ns"]), bool(d.get("owned", True)), error)

    def as_json(self) -> dict:
        return {"dest": self.dest, "sha256": self.sha256, "size": self.size, "mtime_ns": self.mtime_ns,
                "owned": self.owned, "error": self.error}


@dataclass
class _ImportRun:
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


def _origins_of(doc) -> dict[str, _Origin]:
    """The shape of the record of watched files."""
    if not isinstance(doc, dict) or doc.get("format") != ORIGINS_FORMAT:
        raise ValueError("not a record of watched files")
    if doc.get("version") != ORIGINS_VERSION:
        raise ValueError(f"version {doc.get('version')!r}")
    return {str(k): _Origin.from_json(v) for k, v in doc["files"].items()}


def _load_origins(path: Path, problems: list[str]) -> dict[str, _Origin]:
    return read_state(path, _origins_of, problems, "watched files are looked at afresh") or {}


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
            run = _ImportRun(paths, _load_origins(paths.watch_origins, problems), problems=problems)
            digests = paths.digests.resolve()
            for folder in folders:
                _import_folder(run, Path(folder), digests)
            if run.dirty:
                _save_origins(paths.watch_origins, run.origins)
    except OSError as e:
        problems.append(f"cannot import from watched folders into {paths.digests}: {e.strerror or e}")
        return WatchImport(problems=tuple(problems))
    return WatchImport(tuple(run.copied), tuple(run.updated), tuple(run.problems))


def _import_folder(run: _ImportRun, folder: Path, digests: Path) -> None:
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


def _import_file(run: _ImportRun, src: Path) -> None:
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


def _bad(run: _ImportRun, key: str, rec: _Origin | None, st: os.stat_result, sha: str, e: DigestError) -> None:
    run.problems.append(str(e))
    run.origins[key] = _Origin(rec.dest if rec else None, sha or (rec.sha256 if rec else ""), st.st_size,
                               st.st_mtime_ns, rec.owned if rec else True, str(e))
    run.dirty = True


def _place(run: _ImportRun, src: Path, data: bytes, sha: str, rec: _Origin | None) -> tuple[Path | None, bool]:
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
