"""Text cleanup shared by the parser, the index and every view.

Nothing here imports Textual or Whoosh: these are pure functions on strings.

- :func:`strip_control` removes terminal escape sequences and control
  characters (newline and tab survive), so untrusted text can never move the
  cursor, retitle the terminal or change colours; :func:`one_line` also
  turns line breaks and tabs into spaces.
- :func:`clean_latex` resolves the LaTeX residue that arXiv abstracts carry
  into the digests (``\\%``, ``\\emph{x}``, ``{\\em x}``, ``\\'e`` ...).
- :func:`clean` is both, plus whitespace normalisation: what is displayed and
  indexed.
- :func:`extract_urls` finds http(s) links without trailing punctuation.
- :func:`title_key` is the identity of a paper: two titles with the same key are
  the same paper.
- :func:`plural` counts things in messages: ``1 paper``, ``2 papers``.
"""

from __future__ import annotations

import re
import unicodedata

# --- control characters and escape sequences ---------------------------------

# ESC-introduced sequences: CSI (ESC [ ... final), OSC / DCS / APC / PM / SOS
# (terminated by BEL or ST), and two-character escapes (ESC + one byte).
_ESCAPE_RE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?            # CSI ... final byte
  | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?   # OSC, DCS, SOS, PM, APC ... BEL/ST
  | \x1b[ -/]*[0-~]?                    # other escapes (ESC c, ESC ( B ...)
  | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
  | [\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?  # 8-bit OSC/DCS/...
    """,
    re.VERBOSE,
)
# C0 controls except TAB and LF, DEL, C1 controls, and the bidirectional
# overrides/isolates that can visually reorder text.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")  # in a str, only lone ones: they cannot be encoded
# Every escape sequence starts with a character _CONTROL_RE matches, so text
# without one (nearly all text) skips both substitutions.


def strip_control(text: str) -> str:
    """Remove escape sequences and control characters, keeping ``\\n`` and
    ``\\t``; a lone surrogate (what ``\\ud800`` in JSON or bytes that are
    not UTF-8 in a file name or an argument decode to) becomes U+FFFD, the
    replacement character, so that the text can be written as UTF-8."""
    if not text:
        return text
    text = encodable(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not _CONTROL_RE.search(text):
        return text
    text = _ESCAPE_RE.sub("", text)
    return _CONTROL_RE.sub("", text)


def encodable(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD: text that can be written
    as UTF-8 (to a file, a database, a terminal), and nothing else changed."""
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


def one_line(text: str) -> str:
    """``text`` without escape sequences or control characters, on one line
    (the cleaning paper text gets, then line breaks and tabs as spaces): a
    name or a reason printed inside a line or a table cell."""
    return strip_control(text).replace("\n", " ").replace("\t", " ")


# --- LaTeX residue -----------------------------------------------------------

_ACCENTS = {
    "'": "\u0301",  # acute
    "`": "\u0300",  # grave
    "^": "\u0302",  # circumflex
    '"': "\u0308",  # diaeresis
    "~": "\u0303",  # tilde
    "=": "\u0304",  # macron
    ".": "\u0307",  # dot above
    "u": "\u0306",  # breve
    "v": "\u030c",  # caron
    "H": "\u030b",  # double acute
    "c": "\u0327",  # cedilla
    "k": "\u0328",  # ogonek
    "r": "\u030a",  # ring
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı",
}
_ESCAPED = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}

# \'e  \'{e}  {\'e}  \"{u}  \c{c}  \v s
_ACCENT_RE = re.compile(
    r"""\{?\\(['`^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))\}?"""
    r"""|\{?\\([uvHckr])(?:\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))\}?"""
)
_LETTER_RE = re.compile(r"\{?\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i)(?![A-Za-z])\}?\s?")
_STYLE_CMDS = (
    "emph|textbf|textit|texttt|textsc|textrm|textsf|textsl|textup|textmd|"
    "mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|text|underline|uline"
)
# \emph{x}; also the residue where the backslash was lost: "textit{O}bstacles"
_STYLE_RE = re.compile(r"(?:\\|(?<![A-Za-z]))(?:" + _STYLE_CMDS + r")\{([^{}]*)\}")
# {\em x}  {\bf x}  {\it x}
_GROUP_STYLE_RE = re.compile(r"\{\\(?:em|bf|it|tt|sc|rm|sf|sl|small|footnotesize)\s+([^{}]*)\}")
_ESCAPED_RE = re.compile(r"\\([%&_#${}])")
_TIMES_RE = re.compile(r"\\times(?![A-Za-z])\s*")
# the residue of $16\times16$ once the backslash is lost: "16times16"
_TIMES_RESIDUE_RE = re.compile(r"(?<=\d)times(?=\d)")
_URL_RE = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
# hyperref residue: https://x{label} -> https://x
_URL_LABEL_RE = re.compile(r"(https?://[^\s{}]+)\{[^{}\s]*(?:\s[^{}]*)?\}", re.IGNORECASE)
_TILDE_RE = re.compile(r"(?<=\S)~(?=\S|$)")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_ODD_SPACE_RE = re.compile(r"[\t\u00a0\u2000-\u200b\u3000]")


def _accent(base: str, mark: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(base, base.lstrip("\\"))
    return unicodedata.normalize("NFC", base + mark)


def _accent_sub(m: re.Match[str]) -> str:
    if m.group(1):
        return _accent(m.group(2) or m.group(3), _ACCENTS[m.group(1)])
    return _accent(m.group(5) or m.group(6), _ACCENTS[m.group(4)])


def _protect_urls(text: str, fn) -> str:
    """Apply ``fn`` to the parts of ``text`` that are not URLs."""
    if "://" not in text:
        return fn(text)
    out, last = [], 0
    for m in _URL_RE.finditer(text):
        out.append(fn(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(fn(text[last:]))
    return "".join(out)


def _latex_plain(text: str) -> str:
    # Each pattern needs a "{", "\\" or "~" to match; testing for the character
    # first skips a scan of the whole abstract (most have none of them).
    for _ in range(3):  # nested \emph{\textbf{x}}
        if "{" not in text:
            break
        new = _STYLE_RE.sub(r"\1", text)
        new = _GROUP_STYLE_RE.sub(r"\1", new)
        if new == text:
            break
        text = new
    if "\\" in text:
        text = _ACCENT_RE.sub(_accent_sub, text)
        text = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], text)
        text = _ESCAPED_RE.sub(lambda m: _ESCAPED[m.group(1)], text)
        if "\\times" in text:
            text = _TIMES_RE.sub("×", text)
    return _TILDE_RE.sub(" ", text) if "~" in text else text


def clean_latex(text: str) -> str:
    """Resolve LaTeX residue; URLs are left exactly as written."""
    if "\\" not in text and "~" not in text and "{" not in text:
        return text
    text = _URL_LABEL_RE.sub(r"\1", text)
    return _protect_urls(text, _latex_plain)


def clean(text: str | None, *, keep_newlines: bool = False) -> str:
    """Text fit for display and indexing: no controls, no LaTeX residue, tidy spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", strip_control(text))
    text = clean_latex(text)
    if "times" in text:
        text = _TIMES_RESIDUE_RE.sub("×", text)
    if keep_newlines:
        lines = [_tidy_spaces(line) for line in text.split("\n")]
        return "\n".join(lines).strip()
    return _tidy_spaces(text.replace("\n", " "))


def _tidy_spaces(text: str) -> str:
    """Runs of spaces of any kind as one space, stripped (a scan for an unusual
    space is much cheaper than substituting every single one)."""
    if "  " in text or _ODD_SPACE_RE.search(text):
        text = _SPACES_RE.sub(" ", text)
    return text.strip()


# --- URLs --------------------------------------------------------------------

_TRAILING = ".,;:!?'\"*"


def _trim_url(url: str) -> str:
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url


def extract_urls(text: str) -> list[str]:
    """http(s) URLs in order of appearance, without trailing punctuation, no repeats."""
    seen: dict[str, None] = {}
    for m in _URL_RE.finditer(strip_control(text or "")):
        url = _trim_url(m.group(0))
        if len(url) > len("https://x.y") and url not in seen:
            seen[url] = None
    return list(seen)


# --- identity ----------------------------------------------------------------

def fold(text: str) -> str:
    """Casefolded text without accents (``Poincaré`` -> ``poincare``)."""
    if text.isascii():  # nothing to decompose or normalise
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped).casefold()


def title_key(title: str) -> str:
    """The identity of a title: NFKC, LaTeX and accents resolved, casefolded,
    punctuation and spacing dropped. ``"Swin Transformer: Hierarchical ..."``
    and ``"swin transformer - hierarchical ..."`` share one key."""
    text = fold(clean(unicodedata.normalize("NFKC", title)))
    if text.isascii():
        key = _NOT_ALNUM_ASCII_RE.sub("", text)
    else:
        key = "".join(c for c in text if c.isalnum())
    if key or not text.strip():
        return key
    # a title without a letter or digit (emoji, punctuation): its marks are its
    # identity ("#" never stands in the key of a title with letters)
    return "#" + "".join(c for c in text if not c.isspace())


_NOT_ALNUM_ASCII_RE = re.compile(r"[^0-9a-z]+")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and the noun in its number: ``plural(1, "digest")`` is
    ``1 digest``, ``plural(2, "entry", "entries")`` is ``2 entries``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
