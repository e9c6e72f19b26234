"""The ``[keys]`` section of config.toml, checked against the reader's bindings.

A remapping is applied only if its binding id exists, every key it names is a
key Textual can report, and it takes no key from another binding that is
active at the same time (``bookmark = "q"`` would take ``q`` from Quit). Each
refused line is reported once, naming the file and the binding id; the other
lines still apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Sequence

from textual.binding import Binding
from textual.keys import KEY_ALIASES, Keys, _character_to_key, key_to_character

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
# Keys by name: escape, enter, f1 … f24, home, pageup, space, tab, up …
NAMED_KEYS = {k.value.rsplit("+", 1)[-1] for k in Keys if not k.value.startswith("<")}
NAMED_KEYS |= {"plus", "minus", "at", "slash", "backslash", "underscore"}
_ALIAS_OF = {alias: key for key, aliases in KEY_ALIASES.items() for alias in aliases}

#: A scope: bindings of classes (with their bases) active at the same time.
Scope = Sequence[type]


def normal_key(key: str) -> str:
    """A key as Textual reports it: ``?`` → ``question_mark``, ``ctrl+m`` → ``enter``."""
    key = key.strip()
    key = _character_to_key(key) if len(key) == 1 else key
    return _ALIAS_OF.get(key, key)


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a key Textual can report, or None."""
    key = key.strip()
    if not key:
        return "an empty key"
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key"
    *mods, base = key.split("+")
    bad = [m for m in mods if m not in MODIFIERS]
    if bad:
        return f"{key!r}: {bad[0]!r} is not a modifier (use {', '.join(MODIFIERS)})"
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return None
    if base in NAMED_KEYS or base in _ALIAS_OF:
        return None
    char = key_to_character(base)  # question_mark, left_square_bracket …
    if char is not None and char.isascii():
        return None
    return f"{key!r} is not a key Textual knows (a character, ctrl+x, f1, escape, question_mark …)"


def _bindings(cls: type) -> list[Binding]:
    """The bindings of ``cls`` as Textual merges those of its bases (a base's
    binding of a key the class binds too is replaced; ``inherit_bindings=False``
    starts afresh)."""
    return [b for bindings in cls._merge_bindings().key_to_bindings.values() for b in bindings]


def _keys(binding: Binding, keymap: Mapping[str, str]) -> set[str]:
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return {normal_key(k) for k in keys.split(",") if k.strip()}


def check_keymap(keys: Mapping[str, str], scopes: Iterable[Scope],
                 source: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """The remappings of ``keys`` (binding id -> keys) that can be applied, and
    one line for each that cannot."""
    where = f"{source}: " if source else ""
    scope_bindings = [[b for cls in scope for b in _bindings(cls)] for scope in scopes]
    ids = {b.id for bs in scope_bindings for b in bs if b.id}
    problems: list[str] = []
    good: dict[str, str] = {}
    for bid, value in keys.items():
        if bid not in ids:
            problems.append(f"{where}[keys] {bid}: no such binding id; ignored")
            continue
        bad = [p for p in (key_problem(k) for k in value.split(",")) if p]
        if bad:
            problems.append(f'{where}[keys] {bid} = "{value}": {bad[0]}; binding not changed')
            continue
        good[bid] = ",".join(k.strip() for k in value.split(","))
    # a remapping may not take a key that another binding of a shared scope
    # ends up with (refusing one may free a key another relied on: repeat)
    refused = True
    while refused:
        refused = False
        for bid in list(good):
            clash = _clash(bid, good, scope_bindings)
            if clash:
                key, other = clash
                problems.append(f'{where}[keys] {bid} = "{keys[bid]}": {key} is the key of '
                                f"{other.description or other.action}; binding not changed")
                del good[bid]
                refused = True
    return good, problems


def _clash(bid: str, keymap: Mapping[str, str], scope_bindings: list[list[Binding]]) -> tuple[str, Binding] | None:
    """A key ``bid`` is given beyond its own defaults that another binding
    active with it has too, and that binding."""
    for bindings in scope_bindings:
        mine = [b for b in bindings if b.id == bid]
        if not mine:
            continue
        defaults = {normal_key(k) for b in mine for k in b.key.split(",")}
        new = _keys(mine[0], keymap) - defaults
        actions = {b.action for b in mine}
        for b in bindings:
            if b.id != bid and b.action not in actions:
                common = new & _keys(b, keymap)
                if common:
                    return sorted(common)[0], b
    return None
