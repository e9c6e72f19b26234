"""The config file (``<config>/config.toml``): key remapping and preferences.

```toml
[keys]            # binding id = key(s), comma separated
bookmark = "B"
copy_link = "y,c"

[app]
bundled = true    # include the bundled sample digests

[fetch]           # the Daily Papers API (papers fetch)
api_url = "https://huggingface.co/api"   # the environment's PAPERS_API_URL wins
on_start = false  # fetch the new days when the reader starts
site_url = "https://huggingface.co"      # full texts (papers text); default: api_url without /api
full_text = "none"  # "bookmarked": papers fetch --full-text by default, and a bookmark fetches it
```

A missing file is fine. Every problem is reported as one line naming the file
and the key: a file that cannot be read or is not valid TOML, a value of the
wrong type, an unknown section or key (the reader also checks binding ids and
key names, see ``tui.keymap``). What cannot be read falls back to defaults,
with one exception: ``bundled`` decides which digests are indexed, so a file
with problems never changes it unless it sets it right. The last value read
(``true`` when a good file leaves it out) is kept in ``last-good.json`` beside
the file and used until the file is fixed.

Watched folders (``papers watch DIR``) live beside it in ``<config>/watched.txt``:
one folder per line, blank lines and lines starting with ``#`` ignored. They are
kept out of config.toml on purpose: the command line adds and removes lines
there, and rewriting config.toml (the standard library reads TOML but cannot
write it) would lose the user's comments and layout.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .fsio import atomic_write, read_regular, read_state
from .links import web_url
from .paths import WATCHED_FILE


LAST_GOOD_FILE = "last-good.json"  # beside config.toml: the last valid [app] bundled
# The sections and keys the program reads; [keys] takes any binding id (the
# reader checks them against its bindings).
KNOWN = {"keys": None, "app": {"bundled"}, "fetch": {"api_url", "on_start", "site_url", "full_text"}}


@dataclass
class Config:
    keys: dict[str, str] = field(default_factory=dict)
    bundled: bool = True
    watched: list[Path] = field(default_factory=list)  # folders to import digests from
    fetch_api_url: str | None = None  # [fetch] api_url; None: the default (tui.core.fetch.api_url)
    fetch_on_start: bool = False      # [fetch] on_start
    fetch_site_url: str | None = None  # [fetch] site_url; None: api_url without /api (tui.core.fulltext)
    fetch_full_text: str = "none"     # [fetch] full_text: "none" or "bookmarked"
    problems: list[str] = field(default_factory=list)
    source: Path | None = None  # the config.toml read


def _parse_toml(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the flat subset this file uses
        data: dict = {}
        section = data
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip() if not raw.strip().startswith('"') else raw.strip()
            if not line:
                continue
            m = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
            if m:
                section = data.setdefault(m.group(1), {})
                continue
            m = re.fullmatch(r"([A-Za-z0-9_-]+)\s*=\s*(.+)", line)
            if not m:
                raise ValueError(f"cannot read line {raw!r}")
            value = m.group(2).strip()
            if value in ("true", "false"):
                section[m.group(1)] = value == "true"
            elif value[:1] in "\"'" and value[-1:] == value[:1]:
                section[m.group(1)] = value[1:-1]
            else:
                raise ValueError(f"cannot read value {value!r}")
        return data
    return tomllib.loads(text)


def load_config(path: Path, watched_file: Path | None = None) -> Config:
    """The config of ``path`` (config.toml) and the watched folders of
    ``watched_file`` (default: ``watched.txt`` beside it)."""
    cfg = load_config_file(path)
    cfg.watched, problems = load_watched(watched_file or path.with_name(WATCHED_FILE))
    cfg.problems += problems
    return cfg


def load_config_file(path: Path) -> Config:
    """config.toml alone (the watched folders are not read)."""
    cfg = Config(source=path)
    try:
        # as read_text reads it (universal newlines), but a FIFO is refused, not waited on
        text = read_regular(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        return cfg
    except (OSError, UnicodeDecodeError) as e:
        cfg.bundled = _last_good_bundled(path, "", cfg.problems)
        cfg.problems.append(f"{path}: cannot be read ({getattr(e, 'strerror', None) or e}); "
                            f"using defaults, bundled = {_toml_bool(cfg.bundled)} as last read")
        return cfg
    try:
        data = _parse_toml(text)
    except Exception as e:
        cfg.bundled = _last_good_bundled(path, text, cfg.problems)
        cfg.problems.append(f"{path}: not valid TOML ({str(e).splitlines()[0]}); "
                            f"using defaults, bundled = {_toml_bool(cfg.bundled)} as last read")
        return cfg
    _check_known(path, data, cfg.problems)
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        for k, v in keys.items():
            if isinstance(v, str) and v.strip():
                cfg.keys[str(k)] = v.strip()
            else:
                cfg.problems.append(f"{path}: [keys] {k} must be a string of keys, like \"B\" or \"y,c\"")
    app = data.get("app", {})
    if isinstance(data.get("fetch", {}), dict):  # otherwise _check_known said so
        _load_fetch(cfg, data.get("fetch", {}), path)
    bundled = app.get("bundled") if isinstance(app, dict) else None
    if isinstance(bundled, bool) or (bundled is None and not cfg.problems):
        cfg.bundled = True if bundled is None else bundled
        _remember_bundled(path, cfg.bundled, cfg.problems)
    else:  # a wrong value, or a file with problems that does not set it (a typo?)
        cfg.bundled = _last_good_bundled(path, text, cfg.problems)
        if bundled is not None:
            cfg.problems.append(f"{path}: [app] bundled must be true or false, not {bundled!r}; "
                                f"keeping bundled = {_toml_bool(cfg.bundled)}")
    return cfg


def _load_fetch(cfg: Config, fetch, path: Path) -> None:
    if not isinstance(fetch, dict):
        cfg.problems.append(f"{path}: [fetch] must be a section")
        return
    url = fetch.get("api_url")
    if url is not None:
        if isinstance(url, str) and web_url(url):
            cfg.fetch_api_url = url.strip().rstrip("/")
        else:
            cfg.problems.append(f"{path}: [fetch] api_url must be an http(s) URL; using the default")
    on_start = fetch.get("on_start")
    if on_start is not None:
        if isinstance(on_start, bool):
            cfg.fetch_on_start = on_start
        else:
            cfg.problems.append(f"{path}: [fetch] on_start must be true or false")
    site = fetch.get("site_url")
    if site is not None:
        if isinstance(site, str) and web_url(site):
            cfg.fetch_site_url = site.strip().rstrip("/")
        else:
            cfg.problems.append(f"{path}: [fetch] site_url must be an http(s) URL; using the default")
    which = fetch.get("full_text")
    if which is not None:
        if which in ("none", "bookmarked"):
            cfg.fetch_full_text = which
        else:
            cfg.problems.append(f"{path}: [fetch] full_text must be \"bookmarked\" or \"none\"; using \"none\"")


def _check_known(path: Path, data: dict, problems: list[str]) -> None:
    """One line per section or key the program does not know, or of the wrong kind."""
    for name, value in data.items():
        if name not in KNOWN:
            where = [s for s, keys in KNOWN.items() if keys and name in keys]
            if isinstance(value, dict):
                problems.append(f"{path}: unknown section [{name}] ignored")
            else:
                hint = f" (it belongs under [{where[0]}])" if where else ""
                problems.append(f"{path}: unknown key {name} ignored{hint}")
            continue
        if not isinstance(value, dict):
            problems.append(f"{path}: {name} must be a section ([{name}]), not {type(value).__name__}; ignored")
            continue
        known = KNOWN[name]
        for key in value if known is not None else ():
            if key not in known:
                problems.append(f"{path}: [{name}] unknown key {key} ignored")


def _toml_bool(value: bool) -> str:
    return "true" if value else "false"


def _last_good_path(path: Path) -> Path:
    return path.with_name(LAST_GOOD_FILE)


def _bundled_of(doc) -> bool:
    """The shape of the last good record: ``{"bundled": true|false}``."""
    value = doc["bundled"]
    if not isinstance(value, bool):
        raise ValueError(f"bundled is {type(value).__name__}, not true or false")
    return value


def _read_last_good(path: Path, problems: list[str]) -> bool | None:
    return read_state(_last_good_path(path), _bundled_of, problems, "it is written afresh from a good config.toml")


def _remember_bundled(path: Path, bundled: bool, problems: list[str]) -> None:
    """Keep ``bundled`` of a good config file for the day it breaks (written
    only when it changed; a read-only folder is not an error)."""
    if _read_last_good(path, problems) is bundled:
        return
    try:
        atomic_write(_last_good_path(path), json.dumps({"bundled": bundled}) + "\n")
    except OSError:
        pass


_BUNDLED_LINE = re.compile(r"^\s*bundled\s*=\s*(true|false)\s*(?:#.*)?$", re.M)


def _last_good_bundled(path: Path, text: str, problems: list[str]) -> bool:
    """``bundled`` of the last good read of ``path``; failing that, a
    ``bundled = true|false`` line of the broken text; failing that, the default."""
    value = _read_last_good(path, problems)
    if value is not None:
        return value
    m = _BUNDLED_LINE.search(text)
    return m.group(1) == "true" if m else True


# --- the reader's settings (state.json) -------------------------------------------

def load_settings(path: Path, problems: list[str]) -> dict:
    """The reader's settings kept between starts (``state.json``: the theme,
    compact lists). A file of another shape (a list, a theme that is not text,
    JSON nested too deep) is set aside with one line in ``problems``, and the
    settings start afresh."""
    return read_state(path, _settings_of, problems, "the reader's settings start afresh") or {}


def _json_kind(doc) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(type(doc), "number")


def _settings_of(doc) -> dict:
    if not isinstance(doc, dict):
        raise ValueError(f"a JSON {_json_kind(doc)}, not an object")
    if not isinstance(doc.get("theme", ""), str) or not isinstance(doc.get("compact", False), bool):
        raise ValueError("theme must be text and compact true or false")
    return doc


# --- watched folders -------------------------------------------------------------

def folder_key(folder: str | os.PathLike) -> Path:
    """A folder as it is stored and compared: absolute, ``~`` expanded, resolved."""
    return Path(folder).expanduser().resolve()


def _folder_lines(path: Path) -> list[str]:
    try:
        return read_regular(path).decode("utf-8").splitlines()  # a FIFO is refused, not waited on
    except (FileNotFoundError, NotADirectoryError):  # no file: no folders
        return []


def _line_folder(line: str, base: Path) -> Path | None:
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    folder = Path(text).expanduser()
    return folder_key(folder if folder.is_absolute() else base / folder)


def load_watched(path: Path) -> tuple[list[Path], list[str]]:
    """The watched folders listed in ``path`` (in order, without repeats) and
    one line per problem reading it."""
    try:
        lines = _folder_lines(path)
    except (OSError, UnicodeDecodeError) as e:
        return [], [f"{path}: cannot be read ({getattr(e, 'strerror', None) or e}); no folders are watched"]
    folders = [f for f in (_line_folder(line, path.parent) for line in lines) if f is not None]
    return list(dict.fromkeys(folders)), []


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, "".join(line + "\n" for line in lines))


WATCHED_HEADER = ("# Folders papers imports digests from when it starts (papers watch DIR).",
                  "# One folder per line; lines starting with # are ignored.")


def add_watched(path: Path, folder: str | os.PathLike) -> bool:
    """Add ``folder`` to the watched file ``path`` (written atomically, other
    lines and comments kept); False if it was already there. Raises OSError."""
    key = folder_key(folder)
    lines = _folder_lines(path)
    if any(_line_folder(line, path.parent) == key for line in lines):
        return False
    _write_lines(path, (lines or list(WATCHED_HEADER)) + [str(key)])
    return True


def remove_watched(path: Path, folder: str | os.PathLike) -> bool:
    """Remove ``folder`` from the watched file ``path``; False if it was not
    there. Raises OSError."""
    key = folder_key(folder)
    lines = _folder_lines(path)
    kept = [line for line in lines if _line_folder(line, path.parent) != key]
    if len(kept) == len(lines):
        return False
    _write_lines(path, kept)
    return True
