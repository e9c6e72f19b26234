"""Following a paper's authors from the reader, on any screen that shows
papers: ``a`` (and the palette) lists the selected paper's authors, each
followed or not, to follow or unfollow (a paper that names none says so).
Once it closes, the screen redraws the paper, and the lists that depend on
the follows (the Following feed, ``is:followed``) list again: the panes
compare the reader's ``follows_changed`` with what they drew."""

from __future__ import annotations

from ..widgets.follow_dialog import FollowDialog
from ..widgets.render import one_line

# ``screen``: a PaperScreen (not imported here: it imports this module)


def offer(screen) -> None:
    """The selected paper's authors in a :class:`FollowDialog`."""
    pid = screen.current_paper_id()
    reader = screen.reader
    if pid is None:
        screen.notify("Select a paper first", severity="warning", timeout=3)
        return
    if reader.library is None:
        screen.notify("The library is unavailable", severity="error", timeout=5)
        return
    paper = reader.paper(pid)
    authors = [a for a in (paper.authors if paper is not None else ()) if a.strip()]
    if not authors:
        screen.notify("This paper names no authors (a digest saved as text has none); "
                      "papers follow NAME follows anyone by name", severity="warning", timeout=6, markup=False)
        return
    before = reader.follows_changed

    def toggle(name: str, follow: bool) -> bool:
        if not reader.set_followed(name, follow, screen.notify):
            return False
        screen.notify(("Following " if follow else "No longer following ") + one_line(name),
                      timeout=3, markup=False)
        return True

    def closed(_=None) -> None:
        if reader.follows_changed != before:
            screen.paper_changed(pid)
        screen.dialog_closed()

    keys = reader.followed_keys()
    screen.app.push_screen(FollowDialog(reader.title_of(pid, paper), authors, keys, toggle), closed)
