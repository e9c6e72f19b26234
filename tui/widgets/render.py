"""Content builders for paper text: every string from a digest, note or tag is
put into a ``Content`` as plain text (never parsed as markup), so ``[CLS]`` or
``[@click=app.quit]`` shows exactly those characters."""

from __future__ import annotations

from typing import Iterable

from textual.content import Content

from ..core.text import strip_control

MATCH_STYLE = "bold underline"


def plain(text: str, style: str = "") -> Content:
    return Content.styled(strip_control(text or ""), style) if style else Content(strip_control(text or ""))


def highlighted(text: str, spans: Iterable[tuple[int, int]], style: str = "") -> Content:
    content = plain(text, style)
    for a, b in spans:
        if 0 <= a < b <= len(content.plain):
            content = content.stylize(MATCH_STYLE, a, b)
    return content


def one_line(text: str) -> str:
    return " ".join((text or "").split())
