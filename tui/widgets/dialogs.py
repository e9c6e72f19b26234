"""Modal screens: help, note editor, tags, copy menu, text to select. Screens
and panes push them alike, so they live below both."""

from __future__ import annotations

import re
import time

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from .paging import Pager
from .render import one_line, plain


#: How a key is shown where Textual's own name reads worse (``format_key`` gives ⏎).
_KEY_SHOWN = {"enter": "enter", "escape": "esc", "space": "space", "comma": "comma", "tab": "tab"}


def pretty_key(key: str) -> str:
    """One key as a person types it: ``left_square_bracket`` → ``[``,
    ``question_mark`` → ``?``, ``escape`` → ``esc``, ``ctrl+s`` stays ``ctrl+s``."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*modifiers, _KEY_SHOWN.get(name) or format_key(name)])


def pretty_keys(keys: str) -> str:
    """A binding's keys (``escape,q,question_mark``) as ``esc, q, ?``. Keys may be
    separated by commas or spaces, so an already pretty string stays as it is."""
    return ", ".join(pretty_key(k) for k in re.split(r"[,\s]+", keys) if k)


#: the query syntax, every form (README's table says more of each)
QUERY_SYNTAX = [
    ("swin transformer", "every word, in the title or the abstract"),
    ("\"vision transformer\"", "a phrase"),
    ("title:x  abstract:x", "one field"),
    ("author:lovelace", "by an author (API digests)"),
    ("digest:aug  digest:\"mar 11\"", "papers of a digest (label or name)"),
    ("a AND b  a OR b  a NOT b  ( … )", "boolean logic"),
    ("transfo*", "prefix"),
    ("trasnformer~  trasnformer~2", "typos: up to 2 edits"),
    ("tag:reading-group  note:ablation", "your tags, your notes"),
    ("is:bookmarked  is:unread  has:note", "your library"),
    ("has:code", "a GitHub repository, or a code host's URL in the abstract"),
    ("upvotes:50  upvotes:>=50  upvotes:10..50", "by upvotes (API digests; <, <=, >, open ranges 10.. ..50)"),
]
KEY_COLUMN_MAX = 16


def help_content(groups: list[tuple[str, list[tuple[str, str]]]]) -> Content:
    """The help text: each group's keys in one aligned column, then what they do."""
    shown_keys = [pretty_keys(keys) for _, pairs in groups for keys, _ in pairs]
    width = min(KEY_COLUMN_MAX, max(map(cell_len, shown_keys), default=0))
    lines: list[Content] = [Content.assemble(("papers — keys", "bold"), "   ",
                                             ("esc, q or ? closes · j k g G and the pages scroll", "bold $accent")),
                            Content("")]
    for group, pairs in groups:
        lines.append(Content.styled(group, "bold $accent"))
        for keys, desc in pairs:
            shown = pretty_keys(keys)
            pad = " " * max(2, width - cell_len(shown) + 2)
            lines.append(Content.assemble("  ", (shown, "bold"), pad, plain(desc)))
        lines.append(Content(""))
    lines.append(Content.styled("Query syntax", "bold $accent"))
    syntax_width = max(cell_len(form) for form, _ in QUERY_SYNTAX)
    for form, meaning in QUERY_SYNTAX:
        lines.append(Content.assemble("  ", (form.ljust(syntax_width), "bold"), "  ", plain(meaning)))
    lines.append(Content(""))
    lines.append(Content.styled("Keys can be remapped in config.toml under [keys] (binding id = \"key\").", "dim"))
    return Content("\n").join(lines)


class HelpBox(Pager):
    """The help's text: the keys of the details pane, and a whole page at a
    time for ctrl+d and ctrl+u too (a reference is read by the page)."""

    BINDINGS = [
        Binding("space,ctrl+f,ctrl+d,pagedown", "scroll_by(1)", "Page down", show=False),
        Binding("ctrl+b,ctrl+u,pageup", "scroll_by(-1)", "Page up", show=False),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings in force; scrolls with the reader's keys."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help_close")]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]):
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with HelpBox(id="help-box", classes="dialog"):
            yield Static(help_content(self.groups), markup=False)

    def on_mount(self) -> None:
        self.query_one(HelpBox).focus()  # its keys scroll it (j k g G, the pages)


class NoteEditor(ModalScreen[str | None]):
    """Edit a note; it is saved while typing (at most ~1 s behind) and on close.

    ``save(text)`` may raise (a read-only or full library): the editor then says
    so and keeps the text; closing dismisses with the text that was not saved
    (``None`` when everything was saved), so the caller can offer it."""

    BINDINGS = [Binding("escape", "close", "Save & close", id="note_close", priority=True)]
    SAVE_DELAY = 0.5
    MAX_BEHIND = 1.0

    def __init__(self, title: str, text: str, save):
        super().__init__()
        self.paper_title = title
        self.initial = text
        self.save = save  # callable(text) -> None; raises when it cannot save
        self._dirty_since: float | None = None
        self._timer = None
        self.saved_text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box", classes="dialog"):
            yield Label(plain("Note — " + self.paper_title, "bold"), id="note-title", markup=False)
            yield TextArea(self.initial, id="note-text", soft_wrap=True, tab_behavior="indent")
            yield Label(Content.styled("Saved as you type · esc closes", "dim"), id="note-status", markup=False)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(TextArea.Changed)
    def _changed(self) -> None:
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        if self._timer is not None:
            self._timer.stop()
        # Textual timers need a positive delay (0 divides by zero in Timer)
        delay = min(self.SAVE_DELAY, max(0.01, self._dirty_since + self.MAX_BEHIND - now))
        self._timer = self.set_timer(delay, self.flush)
        self.query_one("#note-status", Label).update(Content.styled("Editing…", "dim"))

    def flush(self) -> None:
        text = self.query_one(TextArea).text
        self._dirty_since = None
        status = self.query_one("#note-status", Label)
        if text != self.saved_text:
            try:
                self.save(text)
            except Exception as e:  # the library refused: keep the text, say why
                status.update(Content.styled(f"Not saved: {one_line(str(e))}", "bold $error"))
                return
            self.saved_text = text
        status.update(Content.styled(f"Saved {time.strftime('%H:%M:%S')} · esc closes", "dim"))

    def save_unsaved(self) -> None:
        """Save the text now if it is not saved (the reader is being ended)."""
        if self._timer is not None:
            self._timer.stop()
        self.flush()

    def action_close(self) -> None:
        self.save_unsaved()
        text = self.query_one(TextArea).text
        self.dismiss(None if text == self.saved_text else text)


class LineDialog(ModalScreen[str | None]):
    """Ask for one line of text (a saved search's name, …)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="line_cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", hint: str = ""):
        super().__init__()
        self.title_text, self.value, self.placeholder, self.hint = title, value, placeholder, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="line-box", classes="dialog"):
            yield Label(plain(self.title_text, "bold"), markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="line-input")
            if self.hint:
                yield Label(plain(self.hint, "dim"), markup=False)
            yield Label(Content.styled("enter saves · esc cancels", "dim"), markup=False)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagsDialog(LineDialog):
    """Edit a paper's tags as a comma-separated line."""

    def __init__(self, title: str, tags: list[str], known: list[str]):
        hint = ", ".join(known[:20]) if known else "no tags yet"
        super().__init__("Tags — " + title, ", ".join(tags), "comma-separated, e.g. reading-group, later",
                         "Known: " + hint)


LABEL_COLUMN_MAX = 26


def copy_lines(choices: list[tuple[str, str, str]]) -> list[Content]:
    """One line per choice: its number, the label in a column as wide as the
    widest label, then the value on one line. The copy menu's list does not
    wrap (app.tcss), so a value longer than the room left ends in an ellipsis."""
    width = min(LABEL_COLUMN_MAX, max((cell_len(one_line(label)) for label, _, _ in choices), default=0))
    lines = []
    for i, (label, preview, _) in enumerate(choices):
        key = str(i + 1) if i < 9 else " "
        label = plain(one_line(label)).truncate(width, ellipsis=True, pad=True).stylize("bold")
        lines.append(Content.assemble((f"{key} ", "bold"), label, "  ", plain(one_line(preview)[:1000], "dim")))
    return lines


class CopyMenu(ModalScreen[tuple[str, str] | None]):
    """Choose what to copy: title, Markdown link, BibTeX, RIS, CSL-JSON, abstract, any link."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="copy_cancel")]

    def __init__(self, choices: list[tuple[str, str, str]]):
        """``choices``: (label, preview, text)."""
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-box", classes="dialog"):
            yield Label(Content.styled("Copy…", "bold"), markup=False)
            yield OptionList(*[Option(line, id=str(i)) for i, line in enumerate(copy_lines(self.choices))],
                             id="copy-options", markup=False)
            yield Label(Content.styled("enter copies · 1-9 copy that line · esc cancels", "dim"), markup=False)

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            i = int(event.character) - 1
            if 0 <= i < len(self.choices):
                event.stop()
                self.dismiss((self.choices[i][0], self.choices[i][2]))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        i = int(event.option.id)
        self.dismiss((self.choices[i][0], self.choices[i][2]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[None]):
    """Text shown so that it can be selected (when no clipboard route is known to work)."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="text_close")]

    def __init__(self, title: str, text: str):
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="text-box", classes="dialog"):
            yield Label(plain(self.title_text, "bold"), markup=False)
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="text-area")
            yield Label(Content.styled("select with the mouse or shift+arrows · esc closes", "dim"), markup=False)


class ErrorScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="error_close")]

    def __init__(self, title: str, text: str):
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box", classes="dialog"):
            yield Label(plain(self.title_text, "bold $error"), markup=False)
            yield Static(plain(self.text), markup=False)
            yield Label(Content.styled("esc closes", "dim"), markup=False)
