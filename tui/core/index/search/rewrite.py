"""Rewriting a parsed query before it runs: pathological parts clamped
(leading wildcards, fuzzy distances, too many terms), prefixes and fuzzy
terms expanded from the in-memory vocabulary, unknown words given typo
tolerance, and the half-typed last word of a plain query matched as a
prefix."""

from __future__ import annotations

import re

from whoosh import query as wq

from ..build.analysis import TEXT_ANALYZER, CompoundTokenizer
from .vocabulary import Vocabulary

MAX_QUERY_TERMS = 24
MAX_FUZZY = 2


def rewrite(q, vocab: Vocabulary, notes: list[str], prefixes: dict[str, str] | None = None,
            compounds: dict[str, tuple[str, ...]] | None = None, joins: dict[str, list[str]] | None = None):
    """Clamp pathological parts; add typo tolerance for unknown words; let the
    half-typed last word of a plain query match as a prefix (``prefixes``:
    its term -> the word as typed, folded); let a hyphenated word (``compounds``,
    see :func:`compounds`) match its parts written apart too, and two words
    match the indexed word they make together (``joins``: a word's term ->
    such words' terms: ``deberta v3`` finds DeBERTaV3, ``pre training``
    pretraining)."""
    fuzzy_used = False
    count = 0
    dropped: set = set()  # words whose terms were over the limit
    prefixes = prefixes or {}
    compounds = compounds or {}
    joins = joins or {}

    def expand(fieldname: str, words: list[str], boost: float = 1.0):
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(fieldname, w, boost=boost) for w in words])

    def word(node):
        """A term of a text field with its typo tolerance or prefix expansion."""
        nonlocal fuzzy_used
        alts = []
        if node.text in prefixes:
            alts = vocab.prefixed(node.fieldname, prefixes[node.text])
        if not vocab.known(node.text) and 4 <= len(node.text) <= 30 and not alts:
            alts = vocab.near(node.fieldname, node.text, _tolerance(node.text))
            if alts:
                fuzzy_used = True
        if alts:
            # a word that exists as typed outranks the longer words it begins
            weight = 0.15 if vocab.known(node.text) else 0.7
            return wq.Or([node] + [wq.Term(node.fieldname, w, boost=weight) for w in alts if w != node.text])
        return node

    def fix(node):
        nonlocal count
        name = type(node).__name__
        if isinstance(node, wq.Or) and node.subqueries and all(isinstance(c, wq.Every) for c in node.subqueries) \
                and any(c.fieldname in TEXT for c in node.subqueries):
            return wq.NullQuery  # a bare * (every field a plain word is looked for in): nothing, as note:* is not
        if isinstance(node, wq.Every):
            return node if node.fieldname not in (None, "title", "abstract", "text") else wq.NullQuery
        if isinstance(node, (wq.Wildcard, wq.Prefix)) or name == "Regex":
            text = node.text
            core = re.sub(r"[*?]", "", text.lstrip("*?")) if name != "Regex" else re.sub(r"\W", "", text)
            if text[:1] in "*?" or name == "Regex":
                _note(notes, "leading wildcard removed")
                if not core:
                    return wq.NullQuery
                if len(core) < 3:
                    return wq.Term(node.fieldname, core)
                if node.fieldname in EXPANDED:  # as a prefix typed: the most frequent of its words
                    return expand(node.fieldname, vocab.prefixed(node.fieldname, core))
                return wq.Prefix(node.fieldname, core)
            if len(core) < 2:
                return wq.Term(node.fieldname, core)
            if node.fieldname in EXPANDED and isinstance(node, wq.Prefix):
                parts = _SPLIT.split(core)
                joined = expand(node.fieldname, vocab.prefixed(node.fieldname, "".join(parts)))
                if len(parts) < 2:
                    return joined
                last = expand(node.fieldname, vocab.prefixed(node.fieldname, parts[-1]))
                return _either(joined, _sequence([*_terms(node.fieldname, parts[:-1]), last]))
            return node
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_FUZZY:
                _note(notes, f"fuzzy distance limited to {MAX_FUZZY}")
            dist = max(0, min(node.maxdist, MAX_FUZZY))
            if node.fieldname in EXPANDED:
                f = node.fieldname
                parts = _SPLIT.split(node.text)
                joined = expand(f, vocab.near(f, "".join(parts), dist), node.boost)
                if len(parts) < 2:
                    return joined
                words = [t.text for t in _terms(f, parts)]
                return _either(joined, _sequence(
                    [expand(f, vocab.near(f, w, min(dist, _tolerance(w))), node.boost) for w in words]))
            return wq.FuzzyTerm(node.fieldname, node.text, boost=node.boost, maxdist=dist,
                                prefixlength=max(1, node.prefixlength))
        if isinstance(node, wq.Phrase) and node.fieldname in TEXT and any(w in compounds for w in node.words):
            spread = [p for w in node.words for p in compounds.get(w, (w,))]
            return wq.Or([wq.Phrase(node.fieldname, spread, slop=node.slop, boost=node.boost), node])
        if isinstance(node, wq.Term):
            # the note's and the full text's terms of a word come with its title
            # and abstract terms (before them: dropped with them, never counted)
            if node.fieldname in ("note", "text"):
                if node.text in dropped:
                    return wq.NullQuery
            else:
                count += 1
            if count > MAX_QUERY_TERMS and node.fieldname not in ("note", "text"):
                dropped.add(node.text)
                return wq.NullQuery
            if node.fieldname in TEXT and isinstance(node.text, str):
                parts = compounds.get(node.text)
                if parts:  # a hyphenated word: joined, or its parts one after another
                    count += len(parts)
                    return _either(word(node), _sequence(
                        [word(wq.Term(node.fieldname, p, boost=node.boost)) for p in parts]))
                if node.text in joins:
                    return wq.Or([word(node)] + [wq.Term(node.fieldname, j, boost=node.boost)
                                                 for j in joins[node.text]])
                return word(node)
            return node
        if node.is_leaf():
            return node
        return node.apply(fix)

    q = fix(q)
    if fuzzy_used:
        _note(notes, "typo tolerance used for words not in the index")
    return q, fuzzy_used


TEXT = ("title", "abstract")
#: fields whose prefixes, wildcards and fuzzy terms are expanded from the
#: vocabulary in memory (Whoosh's own walk over a big index's term file costs
#: ~200 ms a word, even for the note's few terms, which a plain word now asks for)
EXPANDED = (*TEXT, "note", "text")  # the full text: words of the vocabulary only
_SPLIT = CompoundTokenizer._SPLIT


def compounds(text: str) -> dict[str, tuple[str, ...]]:
    """The hyphenated words of a query: the term each becomes (its parts
    joined) -> the terms of its parts (stop words dropped, as indexed)."""
    out = {}
    for m in CompoundTokenizer._RE.finditer(text):
        word = m.group(0)
        parts = _SPLIT.split(word)
        if len(parts) < 2:
            continue
        joined = [t.text for t in TEXT_ANALYZER(word, mode="query")]
        kept = tuple(t.text for t in TEXT_ANALYZER(" ".join(parts)))
        if len(joined) == 1 and kept and kept != tuple(joined):
            out[joined[0]] = kept
    return out


def joined_words(pairs: list[tuple[str, str]], known) -> dict[str, list[str]]:
    """For two words typed one after the other (``pairs``), the indexed term
    they make written together (``known``: is a term indexed), under each
    word's term."""
    out: dict[str, list[str]] = {}
    for a, b in pairs:
        terms = [t.text for t in TEXT_ANALYZER(a)] + [t.text for t in TEXT_ANALYZER(b)]
        joined = [t.text for t in TEXT_ANALYZER(a + b)]
        if len(joined) != 1 or joined[0] in terms or not known(joined[0]):
            continue
        for t in terms:
            if joined[0] not in out.setdefault(t, []):
                out[t].append(joined[0])
    return out


def _tolerance(word: str) -> int:
    """Edits allowed to an unknown word (or a fuzzy compound's part) of this length."""
    return 0 if len(word) < 4 else 1 if len(word) <= 6 else 2


def _terms(fieldname: str, words: list[str]) -> list:
    """Terms of the analysed ``words`` (stop words dropped)."""
    return [wq.Term(fieldname, t.text) for w in words for t in TEXT_ANALYZER(w)]


def _sequence(parts: list):
    """Parts at consecutive positions: a phrase when they are plain terms."""
    parts = [p for p in parts if p is not wq.NullQuery]
    if len(parts) <= 1:
        return parts[0] if parts else wq.NullQuery
    if all(type(p) is wq.Term for p in parts) and len({p.fieldname for p in parts}) == 1:
        return wq.Phrase(parts[0].fieldname, [p.text for p in parts], boost=parts[0].boost)
    return wq.Sequence(parts)


def _either(a, b):
    if b is wq.NullQuery:
        return a
    if a is wq.NullQuery:
        return b
    return wq.Or([a, b])


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)
