"""A yes/no question before something that cannot be undone."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label

from .render import plain


class ConfirmDialog(ModalScreen[bool]):
    """Dismissed with True for y (or enter), False for n (or esc)."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, question: str, detail: str = ""):
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Label(plain(self.question, "bold"), markup=False)
            if self.detail:
                yield Label(plain(self.detail, "dim"), markup=False)
            yield Label(Content.styled("y deletes · n or esc keeps it", "dim"), markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
