"""The query as typed: bounded (:func:`clamp_query`), its words with the
syntax left out (field names, operators, the values of fields other than
title and abstract), and the half-typed last word to match as a prefix.
"""

from __future__ import annotations

import re

from ...text import fold, strip_control
from ..build.analysis import TEXT_ANALYZER, CompoundTokenizer
from .rewrite import MAX_QUERY_TERMS

MAX_QUERY_CHARS = 256


_SYNTAX_RE = re.compile(r"[:\"*?~()\[\]{}^]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def clamp_query(query: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    text = strip_control(str(query)).replace("\n", " ").replace("\t", " ")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"query shortened to {MAX_QUERY_CHARS} characters")
    return text, notes


def _last_prefixes(text: str, plain: list[str]) -> dict[str, str]:
    """The half-typed last word of a plain query (not followed by a space):
    its term -> the word as typed, folded; a hyphenated last word adds its
    joined form."""
    if not plain or _SYNTAX_RE.search(text) or text[-1:].isspace() or len(plain[-1]) < 2:
        return {}
    out = {}
    words = [plain[-1]]
    last = CompoundTokenizer._RE.findall(text)[-1:]
    if last and last[0] != plain[-1] and text.rstrip().endswith(last[0]):
        words.append("".join(CompoundTokenizer._SPLIT.split(last[0])))
    for word in words:
        raw = fold(word)
        stem = next((t.text for t in TEXT_ANALYZER(raw)), None)
        if stem:
            out[stem] = raw
    return out


# A field other than the text fields, with its value: a word, a quoted phrase
# or a group (``tag:later-stuff``, ``tag:watch:diff-robots``, ``note:"to do"``).
_FIELD_VALUE_RE = re.compile(
    r'\b(?!(?:title|abstract):)\w+:(?:"[^"]*"?|\([^)]*\)?|\S*)', re.IGNORECASE)
_OPERATOR_RE = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b")


def _word_spans(text: str) -> list[re.Match]:
    """The words of a query as typed: its syntax (field names, operators) and
    the values of fields other than title and abstract left out."""
    text = _FIELD_VALUE_RE.sub(lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"\b\w+:", lambda m: " " * len(m.group(0)), text)
    text = _OPERATOR_RE.sub(lambda m: " " * len(m.group(0)), text)
    return list(re.finditer(r"\w+", text))[:MAX_QUERY_TERMS]


def _plain_words(text: str) -> list[str]:
    """The words of a query with its syntax removed (see :func:`_word_spans`)."""
    return [m.group(0) for m in _word_spans(text)]
