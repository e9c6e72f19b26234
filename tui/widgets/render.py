"""Content builders for paper text: every string from a digest, note or tag is
put into a ``Content`` as plain text (never parsed as markup), so ``[CLS]`` or
``[@click=app.quit]`` shows exactly those characters."""

from __future__ import annotations

from typing import Callable, Iterable

from textual.color import Color
from textual.content import Content, Span
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

#: The least contrast (WCAG) a coloured span keeps against its row's background.
MIN_CONTRAST = 3.0


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(foreground: Color, background: Color) -> float:
    """The WCAG contrast ratio of a colour drawn on a background (1 to 21);
    ANSI colours are the terminal's to choose, so they count as legible."""
    if foreground.ansi is not None or background.ansi is not None:
        return 21.0
    a, b = sorted((_luminance(background + foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def legible(content: Content, base: Style, get_style: Callable[[str | Style], Style]) -> Content:
    """``content`` with every coloured span that would vanish into the
    background of ``base`` redrawn in a colour that shows: the screen's
    background colour if that stands out, else the row's own text colour.
    (A highlighted row is drawn in $primary, the colour of the unread dot.)"""
    background = base.background
    if background is None or background.a == 0 or not content.spans:
        return content
    spans: list[Span] = []
    changed = False
    for span in content.spans:
        style = get_style(span.style) if isinstance(span.style, str) else span.style
        color = style.foreground
        if color is not None and contrast(color, background) < MIN_CONTRAST:
            choices = [get_style("$background").foreground, base.foreground]
            choices = [c for c in choices if c is not None] or [color]
            pick = next((c for c in choices if contrast(c, background) >= MIN_CONTRAST),
                        max(choices, key=lambda c: contrast(c, background)))
            span = Span(span.start, span.end, style + Style(foreground=pick))
            changed = True
        spans.append(span)
    return Content(content.plain, spans) if changed else content


class ListRow(Content):
    """A row of a list, laid out when it is drawn, for the width it gets and
    the row's style (highlighted or not). A line longer than the width wraps
    under the start of its text: the first line under the text after its
    ``indent`` cells of badges (none: it wraps like any text), the others
    under their own leading spaces. Its colours stay legible on the row's
    background (:func:`legible`)."""

    def __init__(self, content: Content, indent: int = 0):
        super().__init__(content.plain, list(content.spans), content.cell_length)
        self.indent = indent
        self._laid_out: tuple[int, Content] | None = None

    def lay_out(self, width: int) -> Content:
        """The row as drawn at ``width`` (kept for the last width asked)."""
        if self._laid_out is None or self._laid_out[0] != width:
            self._laid_out = (width, self._lay_out(width))
        return self._laid_out[1]

    def _lay_out(self, width: int) -> Content:
        lines: list[Content] = []
        for number, line in enumerate(self.split(allow_blank=True)):
            text = line.plain
            hang = self.indent if number == 0 else len(text) - len(text.lstrip(" "))
            lines.extend(hanging(line, width, hang))
        return Content("\n").join(lines)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lay_out(width).split(allow_blank=True))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        laid_out = legible(self.lay_out(width), style, options.get_style)
        return laid_out.render_strips(width, height, style, options)


def hanging(line: Content, width: int, indent: int) -> list[Content]:
    """One line wrapped to ``width`` with its first ``indent`` cells (badges,
    or leading spaces) kept to itself: the lines after the first start
    ``indent`` spaces in, under the text."""
    if line.cell_length <= width or indent > width - 10:
        return [line]
    if indent <= 0:
        return line.wrap(width)
    head, body = line.divide([indent])
    parts = body.wrap(width - indent)
    return [head + parts[0], *(Content(" " * indent) + part for part in parts[1:])]


class OneLineRow(ListRow):
    """A row drawn on one line at any width: ``head`` (badges and title) then,
    right-aligned, ``tail`` (where the paper is). When they do not fit, the
    title is cut with an ellipsis, down to ``MIN_TITLE`` cells; below that
    the tail is cut too, and dropped when it would show less than a word."""

    GAP = 2
    MIN_TITLE = 20

    def __init__(self, head: Content, tail: Content, indent: int = 0):
        super().__init__(Content.assemble(head, " " * self.GAP, tail), indent)
        self.head, self.tail = head, tail

    def _lay_out(self, width: int) -> Content:
        head, tail, gap = self.head, self.tail, self.GAP
        if head.cell_length + gap + tail.cell_length > width:
            keep = min(head.cell_length, self.indent + self.MIN_TITLE)
            head_room = max(keep, width - gap - tail.cell_length)
            tail_room = width - head_room - gap
            if tail_room >= 6:
                head, tail = head.truncate(head_room, ellipsis=True), tail.truncate(tail_room, ellipsis=True)
            else:
                head, tail = head.truncate(width, ellipsis=True), Content("")
        pad = width - head.cell_length - tail.cell_length
        return Content.assemble(head, " " * max(pad, gap if tail else 0), tail)
