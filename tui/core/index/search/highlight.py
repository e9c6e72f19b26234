"""Highlighting: the character spans of a text that a search's terms match,
and the snippet of a long text around the densest run of them."""

from __future__ import annotations

from ..build.analysis import TEXT_ANALYZER, WORDS, CompoundTokenizer

Spans = tuple[tuple[int, int], ...]


def highlight_spans(text: str, terms: set[str] | frozenset[str]) -> Spans:
    """Character spans of ``text`` whose analysed form is one of ``terms``
    (a word at a time through :data:`WORDS`; hyphenated compounds, whose parts
    have spans of their own, through the analyzer, once a compound)."""
    if not terms or not text:
        return ()
    spans = []
    words = WORDS._words
    for m in CompoundTokenizer._RE.finditer(text):
        word = m.group(0)
        e = words.get(word) or WORDS.entry(word)
        if e[0] == 1 and len(e[2]) <= 1:
            if e[2] and e[2][0].decode("utf-8") in terms:
                spans.append(m.span())
            continue
        parts = _PARTS.get(word)
        if parts is None:
            if len(_PARTS) >= 50_000:
                _PARTS.clear()
            parts = _PARTS[word] = tuple((tok.startchar, tok.endchar, tok.text)
                                         for tok in TEXT_ANALYZER(word, chars=True, mode="index"))
        start = m.start()
        spans += [(start + a, start + b) for a, b, term in parts if term in terms]
    return tuple(spans)


# A compound's tokens as (start, end, term) in the word, as the analyzer makes them.
_PARTS: dict[str, tuple[tuple[int, int, str], ...]] = {}


def snippet(text: str, terms: set[str], width: int = 200) -> tuple[str, Spans]:
    """The part of ``text`` around the densest run of matches, with spans."""
    spans = highlight_spans(text, terms)
    if len(text) <= width:
        return text, spans
    start = 0
    if spans:
        best, best_n = spans[0][0], 0
        for s, _ in spans:
            n = sum(1 for a, _ in spans if s <= a < s + width)
            if n > best_n:
                best, best_n = s, n
        start = max(0, best - 40)
        sp = text.rfind(" ", 0, start + 1)
        start = sp + 1 if sp > 0 and start - sp < 20 else start
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    frag = prefix + text[start:end] + suffix
    shift = len(prefix) - start
    return frag, tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
