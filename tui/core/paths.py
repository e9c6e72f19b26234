"""Every path the program uses, in one place; folders are created on demand.

* ``--data-dir DIR`` or ``PAPERS_HOME`` puts everything under one folder:
  ``DIR/data``, ``DIR/cache``, ``DIR/config``.
* otherwise platformdirs with app name ``papers-tui`` (``appauthor=False``):
  the user data dir (library, added digests), cache dir (index), config dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "papers-tui"
WATCHED_FILE = "watched.txt"  # in the config folder: one watched folder per line
BUNDLED_DIGESTS = Path(__file__).resolve().parent.parent / "digests"
DIGEST_SUFFIXES = (".txt", ".json", ".md")


@dataclass(frozen=True)
class Paths:
    data: Path
    cache: Path
    config: Path

    @classmethod
    def default(cls, home: str | os.PathLike | None = None) -> "Paths":
        home = home or os.environ.get("PAPERS_HOME") or None
        if home:
            root = Path(home).expanduser().resolve()
            return cls(root / "data", root / "cache", root / "config")
        import platformdirs

        return cls(
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        )

    # folders (created on demand by the callers that write)
    @property
    def digests(self) -> Path:
        return self.data / "digests"

    @property
    def index(self) -> Path:
        return self.cache / "index"

    @property
    def library(self) -> Path:
        return self.data / "library.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"

    @property
    def state_file(self) -> Path:
        return self.data / "state.json"

    @property
    def watched_file(self) -> Path:
        """The folders ``papers watch`` imports digests from (hand-editable)."""
        return self.config / WATCHED_FILE

    @property
    def watch_origins(self) -> Path:
        """Which watched file each imported digest came from (tui.core.watched_folders)."""
        return self.data / "watched-origins.json"

    @property
    def fetch_state(self) -> Path:
        """The days ``papers fetch`` wrote and the hash of each file (tui.core.fetch)."""
        return self.data / "fetched.json"

    def ensure(self, folder: Path) -> Path:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, whatever the umask
        return folder


@dataclass(frozen=True)
class Source:
    """A digest file of the corpus. ``origin`` is ``bundled`` or ``user``."""

    name: str
    path: Path
    origin: str


def digest_sources(paths: Paths, bundled: bool = True) -> list[Source]:
    """The corpus, oldest first: bundled digests by name, then the user's by
    import time (the copy's modification time), then name."""
    out: list[Source] = []
    if bundled and BUNDLED_DIGESTS.is_dir():
        out += [Source(p.stem, p, "bundled") for p in sorted(BUNDLED_DIGESTS.iterdir())
                if p.is_file() and p.suffix.lower() in DIGEST_SUFFIXES]
    if paths.digests.is_dir():
        taken = {s.name for s in out}
        files = [p for p in paths.digests.iterdir() if p.is_file()]
        for p in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name)):
            if p.suffix.lower() and p.suffix.lower() in DIGEST_SUFFIXES and not p.name.startswith("."):
                name = p.stem if p.stem not in taken else f"{p.stem}~user"
                taken.add(name)
                out.append(Source(name, p, "user"))
    return out


def existing_digest(folder: Path, stem: str) -> Path | None:
    """The file in ``folder`` that already holds digest name ``stem`` (any case, any
    digest suffix), if any."""
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.iterdir())
                 if p.suffix.lower() in DIGEST_SUFFIXES and p.stem.casefold() == stem.casefold()), None)
