"""What frames the panes and fits any width: the tabs, whose labels shorten
when the room is short, the footer, which keeps the keys a screen cannot do
without (help, quit, leave) and shows as many of the others as fit, and the
status line with its progress bar."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, ProgressBar, Static, Tab, Tabs
from textual.widgets._footer import FooterKey

from .render import plain


def key_width(item: FooterKey) -> int:
    """The cells a footer key takes: `` k `` then ``description ``, and for
    the palette's key its border and padding too."""
    width = cell_len(item.key_display) + 2 + (cell_len(item.description) + 1 if item.description else 0)
    return width + (2 if item.has_class("-command-palette") else 0)


def fitting(widths: list[int], room: int, first: list[int]) -> set[int]:
    """The items (by position) a row of ``room`` cells shows: ``first`` in
    that order whatever happens, then every other that still fits, left to
    right."""
    chosen: set[int] = set()
    for i in [*first, *range(len(widths))]:
        if i not in chosen and (i in first or widths[i] <= room):
            chosen.add(i)
            room -= widths[i]
    return chosen


class KeyFooter(Footer):
    """A footer that fits its width. The screen names the actions it must
    always show with ``footer_keep()`` (most important first); the others
    are shown in their order while they fit."""

    def compose(self):
        items = list(super().compose())
        keys = [item for item in items if isinstance(item, FooterKey) and not item.has_class("-command-palette")]
        room = (self.size.width or self.app.size.width) - sum(
            key_width(item) for item in items if item not in keys and isinstance(item, FooterKey))
        keep = getattr(self.screen, "footer_keep", lambda: ())()
        first = [next(i for i, item in enumerate(keys) if item.action == action)
                 for action in keep if any(item.action == action for item in keys)]
        shown = {id(keys[i]) for i in fitting([key_width(item) for item in keys], room, first)}
        yield from (item for item in items if item not in keys or id(item) in shown)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.recompose)


class PaneTabs(Tabs):
    """Tabs labelled ``1 Search``, ``2 Bookmarks`` … when they fit, the words
    alone (then shorter words) when they do not, and by their numbers alone
    below that."""

    def __init__(self, labels: dict[str, tuple[str, ...]], **kwargs) -> None:
        """``labels``: for each tab id, its labels from the longest."""
        self.labels = labels
        super().__init__(*[Tab(names[0], id=tab_id) for tab_id, names in labels.items()], **kwargs)

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width)

    def fit(self, width: int) -> None:
        levels = max(len(names) for names in self.labels.values())
        for level in range(levels):
            chosen = {tab_id: names[min(level, len(names) - 1)] for tab_id, names in self.labels.items()}
            if sum(cell_len(label) + 2 for label in chosen.values()) <= width:  # each tab is padded 0 1
                break
        for tab in self.query(Tab):
            if tab.id in chosen and tab.label_text != chosen[tab.id]:
                tab.label = chosen[tab.id]


class StatusLine(Horizontal):
    """What the current pane says (or what is under way), one line, and a
    progress bar while the index opens or a fetch runs."""

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Starting…", "dim"), id="status", markup=False)
        yield ProgressBar(id="progress", show_eta=False)

    def say(self, text: str) -> None:
        self.query_one("#status", Static).update(plain(text))

    def progress(self, done: int, total: int, text: str) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self.say(text)

    def stop(self) -> None:
        """The progress bar put away."""
        self.query_one("#progress", ProgressBar).display = False
