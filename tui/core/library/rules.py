"""The library's rules for what it stores: limits, the exceptions, times,
tags, saved-search names and queries, paper ids and digest names.

Everything here is checked or normalised before anything is written, so a
bad value is refused with a one-line message and never reaches the file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from ..text import encodable, strip_control

MAX_TAG_CHARS = 64
MAX_ID_CHARS = 64
WATCH_TAG_PREFIX = "watch:"
# A watch tags its papers ``watch:<name>``, and that tag must itself be a
# valid tag: so a name is at most 64 - len("watch:") characters.
MAX_SEARCH_NAME_CHARS = MAX_TAG_CHARS - len(WATCH_TAG_PREFIX)
MAX_QUERY_CHARS = 256  # what the search index reads of a query
MAX_DIGEST_NAME_CHARS = 255
MAX_NOTE_BYTES = 1024 * 1024  # a note (UTF-8); no real note comes near it
MAX_NOTE_SHOWN = 20_000  # characters of a note a view draws (an older, longer note is cut there)


class LibraryError(Exception):
    """The library cannot be opened or written: a read-only or full data
    folder, a file from a newer version, a lock held too long, a bad import
    file. ``str(error)`` is one line fit to show the user."""


class ImportFormatError(LibraryError):
    """Data given to :meth:`Transfer.import_json` is not a library export;
    nothing was changed."""


class NoteTooLong(LibraryError):
    """A note longer than :data:`MAX_NOTE_BYTES`; nothing was saved."""


class InvalidTag(ValueError):
    """A tag that is empty or holds control characters or commas."""


class InvalidSavedSearch(ValueError):
    """A saved search name or query that cannot be stored; ``str(error)``
    is one line naming the field."""


# --- values ------------------------------------------------------------------

def now_iso() -> str:
    return format_time(datetime.now(timezone.utc))


def format_time(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> str:
    """An ISO-8601 time in the library's form; naive times are taken as UTC."""
    if not isinstance(text, str):
        raise ValueError("not a time string")
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    return format_time(datetime.fromisoformat(t))


_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _hyphenated(raw: str) -> str:
    """Stripped, NFC, lowercased, runs of white space as one ``-``."""
    return _WS_RE.sub("-", unicodedata.normalize("NFC", raw).strip()).lower()


def _tag_like(raw: str, limit: int, errors: dict[str, str], error: type[ValueError]) -> str:
    """``raw`` normalised like a tag, or ``error`` with the message of
    ``errors`` for what is wrong: ``type`` (not text), ``empty``, ``control``
    (control characters), ``comma`` (the index separates tags with commas) or
    ``long`` (more than ``limit`` characters)."""
    if not isinstance(raw, str):
        raise error(errors["type"].format(type=type(raw).__name__))
    name = _hyphenated(encodable(raw))  # a lone surrogate (from an import) as U+FFFD
    problem = ("empty" if not name else "control" if _CONTROL_RE.search(name) else
               "comma" if "," in name else "long" if len(name) > limit else None)
    if problem:
        raise error(errors[problem].format(name=name, short=name[:20], limit=limit))
    return name


_TAG_ERRORS = {
    "type": "a tag must be text, not {type}",
    "empty": "empty tag",
    "control": "tag {name!r} holds control characters",
    "comma": "tag {name!r} holds a comma; use - to join words",
    "long": "tag {short!r}... is longer than {limit} characters",
}
_SEARCH_NAME_ERRORS = {
    "type": "saved search name: must be text, not {type}",
    "empty": "saved search name: empty",
    "control": "saved search name {name!r}: holds control characters",
    "comma": "saved search name {name!r}: holds a comma; use - to join words",
    "long": "saved search name {short!r}...: longer than {limit} characters",
}


def normalize_tag(raw: str) -> str:
    """``"  Reading Group "`` -> ``"reading-group"``: stripped, lowercased, runs
    of white space as one ``-``. Raises :class:`InvalidTag` for an empty tag, a
    comma (the index separates tags with commas) or control characters."""
    return _tag_like(raw, MAX_TAG_CHARS, _TAG_ERRORS, InvalidTag)


def parse_tags(typed: str) -> list[str]:
    """Tags as typed in one line, separated by commas, each normalised
    (:func:`normalize_tag`), each once, blanks left out. Raises :class:`InvalidTag`."""
    return list(dict.fromkeys(normalize_tag(t) for t in (x.strip() for x in typed.split(",")) if t))


def normalize_search_name(raw: str) -> str:
    """A saved search's name, normalised like a tag (``" Diffusion Models"`` ->
    ``"diffusion-models"``): one line, no commas or control characters, at
    most :data:`MAX_SEARCH_NAME_CHARS` characters. Raises :class:`InvalidSavedSearch`."""
    return _tag_like(raw, MAX_SEARCH_NAME_CHARS, _SEARCH_NAME_ERRORS, InvalidSavedSearch)


def clean_query(raw: str) -> str:
    """A saved search's query: control characters removed, on one line, not
    empty, at most :data:`MAX_QUERY_CHARS` characters. Raises
    :class:`InvalidSavedSearch`."""
    return query_line(raw, InvalidSavedSearch, "saved search query: must be text, not {}",
                      "saved search query: empty", f"saved search query: longer than {MAX_QUERY_CHARS} characters")


def query_line(raw: object, error: type[ValueError], not_text: str, empty: str, too_long: str) -> str:
    """A query as kept (a saved search's, a mute's): NFC, control characters
    removed, on one line, not empty, at most :data:`MAX_QUERY_CHARS`
    characters; else ``error`` with the message for what is wrong
    (``not_text`` formatted with the type's name)."""
    if not isinstance(raw, str):
        raise error(not_text.format(type(raw).__name__))
    query = " ".join(strip_control(unicodedata.normalize("NFC", raw)).split())
    if not query:
        raise error(empty)
    if len(query) > MAX_QUERY_CHARS:
        raise error(too_long)
    return query


def watch_tag(name: str) -> str:
    """The tag a watch puts on the new papers that match it: ``watch:<name>``."""
    return WATCH_TAG_PREFIX + normalize_search_name(name)


def _check_digest_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_DIGEST_NAME_CHARS:
        raise ValueError(f"not a digest name: {str(name)[:40]!r}")
    return name


def _check_id(pid: str) -> str:
    if not isinstance(pid, str) or not pid or len(pid) > MAX_ID_CHARS or _CONTROL_RE.search(pid) \
            or pid != pid.strip() or encodable(pid) != pid:
        raise ValueError(f"not a paper id: {str(pid)[:MAX_ID_CHARS]!r}")
    return pid


def _clean_note(text: str) -> str:
    """A note as stored: NFC, no control characters; :class:`NoteTooLong`
    past :data:`MAX_NOTE_BYTES`."""
    problem = note_size_problem(text or "")
    if problem:
        raise NoteTooLong(f"{problem}; nothing was saved")
    return unicodedata.normalize("NFC", strip_control(text or ""))


def note_size_problem(text: str) -> str | None:
    """What is wrong with a note past :data:`MAX_NOTE_BYTES`, or None."""
    size = len(text)
    if size * 4 > MAX_NOTE_BYTES:  # a UTF-8 character takes at most 4 bytes: only a long text is measured
        size = len(encodable(text).encode("utf-8"))
    if size <= MAX_NOTE_BYTES:
        return None
    return f"a note of {_megabytes(size)} is longer than a note may be ({_megabytes(MAX_NOTE_BYTES)})"


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n < 1024 * 1024 * 10 else f"{n // (1024 * 1024)} MB"


def shown_note(text: str) -> str:
    """What a view draws of a note: all of it, or for an older note past
    :data:`MAX_NOTE_SHOWN` characters its start and a line saying so."""
    if len(text) <= MAX_NOTE_SHOWN:
        return text
    return text[:MAX_NOTE_SHOWN] + f"\n… (cut here: the note holds {len(text):,} characters; " \
        "papers note ID prints it whole)"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
