"""The user digests folder, where ``papers add`` puts digests: a digest
given on stdin (``papers add -``) checked and written under a new name, never
over an existing file, and not at all when the same bytes are there
(:func:`same_digest`, as for ``papers add FILE``).

No Textual here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .digest import MAX_BYTES, Digest, DigestError, decode, parse_text
from .fsio import write_new
from .paths import DIGEST_SUFFIXES, existing_digest
from .text import strip_control

if TYPE_CHECKING:  # pragma: no cover
    from .paths import Paths

MAX_NAME_CHARS = 120


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
    if any(c in name for c in "/\\") or name.startswith(".") or strip_control(name) != name \
            or any(ord(c) < 32 for c in name):
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
