"""The authors of one paper, to follow or unfollow (``a`` on a paper): one
line per author, ✓ when followed; enter or space follows or unfollows the
highlighted one at once (as ``papers follow`` does), esc closes."""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..core.library.follows import name_key
from .render import one_line, plain


def author_line(name: str, followed: bool) -> Content:
    """An author's line: a mark, the name as the paper spells it, whether followed."""
    return Content.assemble(("✓ " if followed else "  ", "bold $success"), plain(one_line(name)),
                            ("  followed" if followed else "", "dim"))


class FollowDialog(ModalScreen[None]):
    """Each author of a paper, followed or not. ``toggle(name, follow)``
    makes the change and says whether it was made (a library that refused
    leaves the line as it was)."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="follow_close"),
                Binding("space", "toggle", "Follow or unfollow", show=False, id="follow_toggle")]

    def __init__(self, title: str, authors: list[str], followed: set[str],
                 toggle: Callable[[str, bool], bool]):
        """``followed``: the keys (:func:`name_key`) of the followed names."""
        super().__init__()
        self.title_text = title
        self.authors = list(dict.fromkeys(authors))
        self.followed = {a for a in self.authors if name_key(a) in followed}
        self.toggle = toggle

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-box", classes="dialog"):
            yield Label(Content.assemble(("Follow the authors of  ", "bold"), plain(one_line(self.title_text)[:120])),
                        markup=False)
            yield OptionList(*[Option(author_line(a, a in self.followed), id=str(i)) for i, a in enumerate(self.authors)],
                             id="follow-options", markup=False)
            yield Label(Content.styled("enter or space follows or unfollows · esc closes", "dim"), markup=False)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.flip(int(event.option.id))

    def action_toggle(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.flip(index)

    def flip(self, index: int) -> None:
        """Follow the author on line ``index``, or stop following them."""
        name = self.authors[index]
        follow = name not in self.followed
        if not self.toggle(name, follow):
            return
        (self.followed.add if follow else self.followed.discard)(name)
        self.query_one(OptionList).replace_option_prompt_at_index(index, author_line(name, follow))
