"""Content builders for paper text: every string from a digest, note or tag is
put into a ``Content`` as plain text (never parsed as markup), so ``[CLS]`` or
``[@click=app.quit]`` shows exactly those characters."""

from __future__ import annotations

from typing import Iterable

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions

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


# --- list rows laid out when drawn ------------------------------------------------------

class ListRow(Content):
    """A row of a list, laid out when it is drawn, for the width it gets. A
    line longer than the width wraps under the start of its text: the first
    line under the text after its ``indent`` cells of badges, the others
    under their own leading spaces."""

    def __init__(self, content: Content, indent: int = 0):
        super().__init__(content.plain, list(content.spans), content.cell_length)
        self.indent = indent
        self._laid_out: tuple[int, Content] | None = None

    def lay_out(self, width: int) -> Content:
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        lines: list[Content] = []
        for number, line in enumerate(self.split(allow_blank=True)):
            text = line.plain
            hang = self.indent if number == 0 else len(text) - len(text.lstrip(" "))
            lines.extend(hanging(line, width, hang))
        laid_out = Content("\n").join(lines)
        self._laid_out = (width, laid_out)
        return laid_out

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lay_out(width).split(allow_blank=True))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.lay_out(width).render_strips(width, height, style, options)


def hanging(line: Content, width: int, indent: int) -> list[Content]:
    """One line wrapped to ``width`` with its first ``indent`` cells (badges,
    or leading spaces) kept to itself: the lines after the first start
    ``indent`` spaces in, under the text."""
    if line.cell_length <= width or not 0 < indent <= width - 10:
        return [line]
    head, body = line.divide([indent])
    parts = body.wrap(width - indent)
    return [head + parts[0], *(Content(" " * indent) + part for part in parts[1:])]
