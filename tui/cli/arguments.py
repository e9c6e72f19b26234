"""Arguments that are text (a query, a note, a tag, a name, a paper id), as
opposed to file names: bytes that are not UTF-8 reach Python as lone
surrogates, which no file, database or terminal can take. Such an argument is
refused in one line naming it, before anything is opened. File names (``add
FILE``, ``-o FILE``, ``--data-dir``) are not text: they pass as the system
gave them."""

from __future__ import annotations

import os

from ..console import UserError
from ..core.text import encodable, one_line

#: the text arguments, by the attribute argparse gives them: what usage calls them
TEXT_ARGUMENTS = {
    "query": "QUERY", "text": "TEXT", "tags": "TAG", "tag": "--tag", "id": "ID", "ids": "ID", "name": "NAME",
}
#: where a command calls an attribute otherwise
_OWN_NAMES = {("add", "name"): "--name"}


def shown(value: str) -> str:
    """An argument as the user typed it, bytes that are not UTF-8 as ``\\xff``."""
    raw = os.fsencode(value) if encodable(value) != value else value.encode("utf-8")
    return one_line(raw.decode("utf-8", "backslashreplace"))


def check_text_arguments(args) -> None:
    """``UserError`` naming the first text argument that is not UTF-8."""
    for attr, label in TEXT_ARGUMENTS.items():
        value = getattr(args, attr, None)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and encodable(v) != v:
                label = _OWN_NAMES.get((args.command, attr), label)
                raise UserError(f"{label} '{shown(v)}' is not UTF-8 text; nothing was done")
