"""A synthetic corpus for benchmarks: N papers as text digests of 100 papers each.

The digests are in the format of the bundled ones (the text dump of the Daily
Papers page: boilerplate, a date label such as ``Aug 7``, then title and
abstract separated by blank lines) and are made from the bundled digests'
own words, so that word frequencies, title and abstract lengths are those of
real papers:

* a title is a fragment of a real title recombined with another
  (``Voreka: Sparse Attention for Video Generation``), and always carries a
  made-up method name that belongs to that paper alone, which makes every
  title unique;
* an abstract is a real opening sentence, real sentences from other
  abstracts and a real closing sentence, as long as a real abstract; the
  source paper's method name is replaced by the new one and numbers are
  redrawn.

Everything is seeded: digest ``k`` depends only on ``(seed, k)``, so the same
``n`` gives byte-identical files, and a smaller corpus is the first digests of
a larger one. Each file's modification time is set to its date label's day, so
that the digests sort in time as they would after a year of daily imports.
"""

from __future__ import annotations

import calendar
import os
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ..core.digest import parse_file
from ..core.paths import BUNDLED_DIGESTS

#: Bumped whenever the same (n, seed) would give different files.
GENERATOR_VERSION = 1
PER_DIGEST = 100
MAX_TITLE = 118  # a title of 120+ characters ending in "." or "?" reads like an abstract
FIRST_DAY = date(2022, 1, 3)

_HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
           "byAK and the research community\n\n")
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]  # 70
_CONNECTORS = ("for", "with", "via", "in", "of", "from", "through", "using", "on", "by")
_SPLIT_RE = re.compile(r"\s(" + "|".join(_CONNECTORS) + r")\s")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_NUMBER_RE = re.compile(r"\d+")
_NAME_RE = re.compile(r"^[\w\-.+]{2,24}$")


@dataclass(frozen=True)
class SynthDigest:
    name: str  # the file's stem
    label: str  # e.g. "Aug 7"
    day: date
    titles: tuple[str, ...]
    text: str

    @property
    def filename(self) -> str:
        return f"{self.name}.txt"

    @property
    def mtime(self) -> float:
        """Noon UTC of the label's day."""
        return datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=timezone.utc).timestamp()


@dataclass(frozen=True)
class _Sentence:
    text: str
    source_name: str | None  # the source paper's method name, replaced by the new one


@dataclass(frozen=True)
class _Pools:
    tails: tuple[str, ...]  # what follows "Name: " (or a whole title without a name)
    lefts: tuple[str, ...]  # the part of a title before a connector word
    rights: tuple[str, ...]  # the part after it
    openers: tuple[_Sentence, ...]
    middles: tuple[_Sentence, ...]
    closers: tuple[_Sentence, ...]
    lengths: tuple[int, ...]  # the real abstracts' lengths


@lru_cache(maxsize=1)
def _pools() -> _Pools:
    """Title fragments and sentences of the bundled digests, in a fixed order."""
    papers: dict[str, str] = {}
    for path in sorted(BUNDLED_DIGESTS.glob("*.txt")):
        for e in parse_file(path).entries:
            papers.setdefault(e.title, " ".join(e.abstract.split()))
    tails, lefts, rights = set(), set(), set()
    openers, middles, closers = [], [], []
    lengths = []
    for title, abstract in sorted(papers.items()):
        name = None
        head, sep, tail = title.partition(": ")
        if sep and _NAME_RE.match(head):
            name = head
        else:
            tail = title
        tails.add(tail)
        m = _SPLIT_RE.search(tail)
        if m and m.start() >= 8 and len(tail) - m.end() >= 8:
            lefts.add(tail[:m.start()])
            rights.add(tail[m.end():])
        sentences = [s for s in _SENTENCE_RE.split(abstract) if len(s) >= 20]
        if len(sentences) < 3:
            continue
        lengths.append(len(abstract))
        openers.append(_Sentence(sentences[0], name))
        middles.extend(_Sentence(s, name) for s in sentences[1:-1])
        closers.append(_Sentence(sentences[-1], name))
    return _Pools(tuple(sorted(tails)), tuple(sorted(lefts)), tuple(sorted(rights)),
                  tuple(openers), tuple(middles), tuple(closers), tuple(sorted(lengths)))


@lru_cache(maxsize=4)
def _syllable_order(seed: int) -> tuple[str, ...]:
    order = list(_SYLLABLES)
    random.Random(f"papers-synth-names:{seed}").shuffle(order)
    return tuple(order)


def method_name(i: int, seed: int = 0) -> str:
    """The made-up method name of paper ``i``, lowercase: three syllables (four
    from paper 343,000 on), a different word for every ``i``."""
    order = _syllable_order(seed)
    base = len(order)
    size = 3 if i < base ** 3 else 4
    space = base ** size
    # an affine bijection of 0..space-1 (the factor is prime to 2, 5 and 7),
    # so that neighbouring papers get unrelated names
    n = (i - (0 if size == 3 else base ** 3)) * 104_729 % space
    parts = []
    for _ in range(size):
        n, r = divmod(n, base)
        parts.append(order[r])
    return "".join(parts)


def _name(i: int, seed: int, rng: random.Random) -> str:
    word = method_name(i, seed)
    style = rng.random()
    if style < 0.2:
        return word.upper()
    if style < 0.3:
        return word[:2].capitalize() + word[2:4].capitalize() + word[4:]
    return word.capitalize()


_NON_WORD_RE = re.compile(r"[\W_]+")


def _key(title: str) -> str:
    return _NON_WORD_RE.sub("", title.casefold())


def _title(name: str, pools: _Pools, rng: random.Random) -> str:
    for _ in range(8):
        form = rng.random()
        if form < 0.45:
            title = f"{name}: {rng.choice(pools.tails)}"
        elif form < 0.75:
            title = f"{name}: {rng.choice(pools.lefts)} {rng.choice(_CONNECTORS)} {rng.choice(pools.rights)}"
        else:
            title = f"{rng.choice(pools.lefts)} {rng.choice(_CONNECTORS)} {rng.choice(pools.rights)} with {name}"
        if len(title) <= MAX_TITLE:
            return title
    return name + ": " + min(pools.tails, key=len)


def _redraw_number(m: re.Match, rng: random.Random) -> str:
    digits = m.group(0)
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return digits  # a year
    if len(digits) == 1:
        return str(rng.randrange(10))
    return str(rng.randrange(10 ** (len(digits) - 1), 10 ** len(digits)))


def _sentence(s: _Sentence, name: str, rng: random.Random) -> str:
    text = s.text
    if s.source_name and s.source_name in text:
        text = text.replace(s.source_name, name)
    return _NUMBER_RE.sub(lambda m: _redraw_number(m, rng), text)


def _abstract(name: str, pools: _Pools, rng: random.Random) -> str:
    target = rng.choice(pools.lengths)
    closer = _sentence(rng.choice(pools.closers), name, rng)
    parts = [_sentence(rng.choice(pools.openers), name, rng)]
    size = len(parts[0]) + len(closer) + 1
    while size < target:
        s = _sentence(rng.choice(pools.middles), name, rng)
        parts.append(s)
        size += len(s) + 1
    parts.append(closer)
    return " ".join(parts)


def _label(day: date) -> str:
    return f"{calendar.month_abbr[day.month]} {day.day}"


def digest(k: int, seed: int = 0, count: int = PER_DIGEST, per_digest: int = PER_DIGEST,
           seen: set[str] | None = None) -> SynthDigest:
    """Digest number ``k`` (0-based) of the corpus: papers ``k * per_digest``
    onwards, ``count`` of them. ``seen`` (title keys of the digests before)
    makes sure no title repeats; it never happens with the names as they are,
    but a repeat would silently merge two papers."""
    pools = _pools()
    rng = random.Random(f"papers-synth:{GENERATOR_VERSION}:{seed}:{k}")
    day = FIRST_DAY + timedelta(days=k)
    label = _label(day)
    titles = []
    out = [_HEADER, label, "\n\n"]
    first = k * per_digest
    for j in range(count):
        name = _name(first + j, seed, rng)
        title = _title(name, pools, rng)
        if seen is not None:
            key = _key(title)
            if key in seen:
                title = f"{name}: {rng.choice(pools.tails)}"[:MAX_TITLE].rstrip()
                key = _key(title)
            seen.add(key)
        titles.append(title)
        out += [title, "\n\n", _abstract(name, pools, rng), "\n\n"]
    text = "".join(out)[:-1]  # one newline at the end of the file
    return SynthDigest(f"synth-{k:05d}", label, day, tuple(titles), text)


def corpus(n: int, seed: int = 0, per_digest: int = PER_DIGEST) -> Iterator[SynthDigest]:
    """The digests of an ``n``-paper corpus, ``per_digest`` papers each (the
    last one may hold fewer)."""
    if n < 1 or per_digest < 1:
        raise ValueError("a corpus needs at least one paper and one paper per digest")
    seen: set[str] = set()
    for k in range((n + per_digest - 1) // per_digest):
        yield digest(k, seed, min(per_digest, n - k * per_digest), per_digest, seen)


def write_digest(folder: Path, d: SynthDigest) -> Path:
    """Write one digest (UTF-8, LF) into ``folder``; its mtime is its day."""
    path = Path(folder) / d.filename
    path.write_bytes(d.text.encode("utf-8"))
    os.utime(path, (d.mtime, d.mtime))
    return path


def write_corpus(folder: Path | str, n: int, seed: int = 0, per_digest: int = PER_DIGEST) -> list[Path]:
    """Write an ``n``-paper corpus into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_digest(folder, d) for d in corpus(n, seed, per_digest)]


FULL_TEXT_SECTIONS = ("Introduction", "Related Work", "Method", "Experiments", "Analysis", "Conclusion")


def full_text(i: int, name: str, seed: int = 0, paragraphs: int = 8) -> str:
    """A made-up full text for paper ``i`` (method ``name``), Markdown as the
    site serves it: its sections of paragraphs from the bundled abstracts'
    sentences (about 30 KB, a short paper)."""
    pools = _pools()
    rng = random.Random(f"papers-synth-text:{GENERATOR_VERSION}:{seed}:{i}")
    out = [f"# {name.capitalize()}\n"]
    for n, section in enumerate(FULL_TEXT_SECTIONS, 1):
        out.append(f"## {n} {section}\n")
        for _ in range(paragraphs):
            picked = [rng.choice(pools.middles) for _ in range(rng.randint(3, 7))]
            out.append(" ".join(s.text.replace(s.source_name, name) if s.source_name else s.text
                                for s in picked) + "\n")
    return "\n".join(out)


def write_full_texts(paths, titles: list[str], count: int, seed: int = 0) -> dict:
    """``papers bench --full-texts N``: a made-up full text cached for
    ``count`` papers spread over the corpus (as ``papers text`` leaves them)."""
    from ..core.fulltext import cache_path
    from ..core.papers import paper_id

    if not count:
        return {}
    step = max(1, len(titles) // count)
    size = 0
    for n, i in enumerate(range(0, len(titles), step)):
        if n >= count:
            break
        text = full_text(i, method_name(i, seed), seed)
        path = cache_path(paths, paper_id(titles[i]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        size += len(text)
    return {"full_texts": count, "full_text_bytes": size}
