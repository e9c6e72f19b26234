"""Rewriting a parsed query before it runs: pathological parts clamped
(leading wildcards, fuzzy distances, too many terms), prefixes and fuzzy
terms expanded from the in-memory vocabulary, unknown words given typo
tolerance, and the half-typed last word of a plain query matched as a
prefix."""

from __future__ import annotations

import re

from whoosh import query as wq

from .vocabulary import Vocabulary, _known

MAX_QUERY_TERMS = 24
MAX_FUZZY = 2


def rewrite(q, reader, vocab: Vocabulary, notes: list[str], last_prefix: tuple[str, str] | None = None):
    """Clamp pathological parts; add typo tolerance for unknown words; let the
    half-typed last word of a plain query match as a prefix."""
    fuzzy_used = False
    count = 0

    def expand(fieldname: str, words: list[str], boost: float = 1.0):
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(fieldname, w, boost=boost) for w in words])

    def fix(node):
        nonlocal fuzzy_used, count
        name = type(node).__name__
        if isinstance(node, wq.Every):
            return node if node.fieldname not in (None, "title", "abstract") else wq.NullQuery
        if isinstance(node, (wq.Wildcard, wq.Prefix)) or name == "Regex":
            text = node.text
            core = re.sub(r"[*?]", "", text.lstrip("*?")) if name != "Regex" else re.sub(r"\W", "", text)
            if text[:1] in "*?" or name == "Regex":
                _note(notes, "leading wildcard removed")
                if not core:
                    return wq.NullQuery
                if len(core) < 3:
                    return wq.Term(node.fieldname, core)
                return wq.Prefix(node.fieldname, core)
            if len(core) < 2:
                return wq.Term(node.fieldname, core)
            if node.fieldname in ("title", "abstract") and isinstance(node, wq.Prefix):
                return expand(node.fieldname, vocab.prefixed(node.fieldname, core))
            return node
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_FUZZY:
                _note(notes, f"fuzzy distance limited to {MAX_FUZZY}")
            dist = max(0, min(node.maxdist, MAX_FUZZY))
            if node.fieldname in ("title", "abstract"):
                return expand(node.fieldname, vocab.near(node.fieldname, node.text, dist), node.boost)
            return wq.FuzzyTerm(node.fieldname, node.text, boost=node.boost, maxdist=dist,
                                prefixlength=max(1, node.prefixlength))
        if isinstance(node, wq.Term):
            count += 1
            if count > MAX_QUERY_TERMS:
                return wq.NullQuery
            if node.fieldname in ("title", "abstract") and isinstance(node.text, str):
                alts = []
                if last_prefix and node.text == last_prefix[1]:
                    alts = vocab.prefixed(node.fieldname, last_prefix[0])
                if not _known(reader, node.text) and 4 <= len(node.text) <= 30 and not alts:
                    dist = 1 if len(node.text) <= 6 else 2
                    alts = vocab.near(node.fieldname, node.text, dist)
                    if alts:
                        fuzzy_used = True
                if alts:
                    # a word that exists as typed outranks the longer words it begins
                    weight = 0.15 if _known(reader, node.text) else 0.7
                    return wq.Or([node] + [wq.Term(node.fieldname, w, boost=weight) for w in alts if w != node.text])
            return node
        if node.is_leaf():
            return node
        return node.apply(fix)

    q = fix(q)
    if fuzzy_used:
        _note(notes, "typo tolerance used for words not in the index")
    return q, fuzzy_used


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)
