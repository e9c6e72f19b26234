"""The keys that act on one paper — b t n e y Y o r m — defined once, for
every screen that shows papers (the main screen and triage), so a key means
the same everywhere. A subclass says which paper the keys act on
(:meth:`PaperScreen.current_paper_id`), redraws it when it changed
(:meth:`PaperScreen.paper_changed`) and composes a
:class:`~tui.widgets.handoff.Handoff`, through which the keys reach the
clipboard, the browser and $EDITOR."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.binding import Binding
from textual.screen import Screen

from .. import messages
from ..core.library.rules import note_size_problem
from ..core.links import is_web_url
from ..reader import Reader
from ..widgets.dialogs import CopyMenu, NoteEditor, TagsDialog, TextDialog
from ..widgets.handoff import Handoff
from ..widgets.render import one_line
from . import bookmark_text, follow_authors, muting, reading

PAPER_ACTIONS = frozenset({"bookmark", "tags", "note", "edit_note", "copy_link", "copy_menu", "open_link",
                           "toggle_read", "more_like", "mute_like", "full_text", "follow_authors"})


class PaperScreen(Screen):
    BINDINGS = [
        Binding("b", "bookmark", "Bookmark", id="bookmark"),
        Binding("t", "tags", "Tags", id="tags"),
        Binding("n", "note", "Note", id="note"),
        Binding("e", "edit_note", "Edit note in $EDITOR", show=False, id="edit_note"),
        Binding("y", "copy_link", "Copy link", id="copy_link"),
        Binding("Y", "copy_menu", "Copy…", show=False, id="copy_menu"),
        Binding("o", "open_link", "Open", show=False, id="open_link"),
        Binding("r", "toggle_read", "Read", id="toggle_read"),
        Binding("m", "more_like", "Similar", id="more_like"),
        Binding("X", "mute_like", "Mute papers like this", show=False, id="mute_like"),
        Binding("f", "full_text", "Full text", show=False, id="full_text"),
        Binding("a", "follow_authors", "Follow authors", show=False, id="follow_authors"),
    ]
    action_follow_authors = follow_authors.offer  # a: the paper's authors, to follow or unfollow

    def __init__(self, reader: Reader) -> None:
        super().__init__()
        self.reader = reader

    # -- what a subclass provides ------------------------------------------------------------
    def current_paper_id(self) -> str | None:
        """The paper the keys act on."""
        return None

    def holds_papers(self) -> bool:
        """Whether the per-paper keys apply here at all (shown in the footer)."""
        return True

    def paper_changed(self, pid: str) -> None:
        """The library changed for ``pid``: redraw what shows it."""

    def dialog_closed(self) -> None:
        """A dialog opened by a per-paper key was closed."""

    def mutes_changed(self) -> None:
        """A mute was added, or muted papers shown or hidden: list again."""

    def check_action(self, action: str, parameters) -> bool | None:
        if action in PAPER_ACTIONS:
            return self.holds_papers()
        return True

    # -- helpers -------------------------------------------------------------------------------
    def _selected_pid(self) -> str | None:
        """The paper the keys act on; tells the user when there is none."""
        pid = self.current_paper_id()
        if pid is None:
            self.notify("Select a paper first", severity="warning", timeout=3)
        return pid

    def _target(self) -> tuple[str, object] | None:
        pid = self._selected_pid()
        if pid is None:
            return None
        if self.reader.library is None:
            self.notify("The library is unavailable", severity="error", timeout=5)
            return None
        return pid, self.reader.paper(pid)

    @property
    def handoff(self) -> Handoff:
        """Where the clipboard, the browser and $EDITOR are reached (each screen composes one)."""
        return self.query_one(Handoff)

    def write(self, change) -> bool:
        return self.reader.write(change, self.notify)

    def changed(self, pid: str) -> None:
        """After a change: redraw, and let the index take it in."""
        self.paper_changed(pid)
        self.reindex()

    @work(thread=True, group="library-index", exit_on_error=False)
    def reindex(self) -> None:
        self.reader.catch_up()  # this change, and any another window made

    # -- the library -----------------------------------------------------------------------------
    def action_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        result = []
        if not self.write(lambda: result.append(self.reader.library.toggle_bookmark(pid, paper))):
            return
        self.changed(pid)
        title = one_line(self.reader.title_of(pid, paper))
        self.notify(("Bookmarked: " if result[0] else "Bookmark removed: ") + title[:80], markup=False, timeout=3)
        if result[0]:  # [fetch] full_text = "bookmarked": its full text in the background
            bookmark_text.fetch_after_bookmark(self, paper)

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.reader.record(pid)
        read = not (rec and rec.read)
        if not self.write(lambda: self.reader.library.set_read(pid, read, paper)):
            return
        if read:
            self.reader.kept_unread.discard(pid)
        else:
            self.reader.kept_unread.add(pid)
        self.changed(pid)
        self.notify("Marked read" if read else "Marked unread", timeout=2)

    @on(messages.Dwelled)
    def _dwelled(self, event: messages.Dwelled) -> None:
        """The details stayed open: the paper is read (unless the user said unread)."""
        event.stop()
        pid = event.paper_id
        if pid in self.reader.kept_unread or not self.reader.writable:
            return
        rec = self.reader.record(pid)
        if rec is not None and rec.read:
            return
        if self.write(lambda: self.reader.library.set_read(pid, True, self.reader.paper(pid))):
            self.changed(pid)

    def action_tags(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        library = self.reader.library
        rec = library.get(pid)
        current = list(rec.tags) if rec else []

        def done(value: str | None) -> None:
            if value is None:
                return
            from ..core.library import parse_tags

            try:
                wanted = parse_tags(value)
            except ValueError as e:
                self.notify(f"Tags not saved: {e}", severity="error", markup=False)
                return
            if self.reader.set_tags(pid, current, wanted, paper, self.notify):
                self.changed(pid)
                self.notify("Tags: " + (", ".join(wanted) or "none"), markup=False, timeout=3)

        self.app.push_screen(TagsDialog(self.reader.title_of(pid, paper), current, list(library.tags())), done)

    def action_note(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.reader.record(pid)
        too_long = note_size_problem(rec.note) if rec is not None and rec.note else None
        if too_long:  # an older note past the limit: the editor would take seconds a megabyte
            self.notify(f"{too_long}: e edits it in your editor, or papers note {pid} - replaces it",
                        severity="warning", markup=False, timeout=8)
            return

        def save(text: str) -> None:
            self.reader.library.set_note(pid, text, paper)
            self.changed(pid)

        def closed(unsaved: str | None) -> None:
            self.dialog_closed()
            if unsaved is not None:  # the library refused it: never drop what was typed
                self.app.push_screen(TextDialog("The note could not be saved — copy it from here", unsaved))

        self.app.push_screen(NoteEditor(one_line(self.reader.title_of(pid, paper)),
                                        (rec.note or "") if rec else "", save), closed)

    def action_edit_note(self) -> None:
        target = self._target()
        if target is None:
            return
        pid, paper = target
        rec = self.reader.record(pid)
        before = (rec.note or "") if rec else ""
        text = self.handoff.edit(before)
        if text is None or text == before:
            return
        if not self.write(lambda: self.reader.library.set_note(pid, text, paper)):
            self.app.push_screen(TextDialog("The note could not be saved — copy it from here", text))
            return
        self.changed(pid)
        self.notify("Note saved", timeout=2)

    def action_more_like(self) -> None:
        """``m``: papers that share the key terms of the selected one."""
        pid = self._selected_pid()
        if pid is None or self.reader.index is None:
            return
        paper = self.reader.paper(pid)
        if paper is None:
            self.notify("This paper is not in the current digests", severity="warning", timeout=3)
            return
        self.post_message(messages.MoreLike((pid,), f"papers like “{one_line(paper.title)[:70]}”"))

    def action_mute_like(self) -> None:
        muting.offer(self, self._selected_pid())  # X: its key terms offered as a mute (.muting)

    def action_toggle_muted(self) -> None:
        muting.toggle(self)

    def action_full_text(self) -> None:
        """``f``: the paper's full text on the reading screen (.reading)."""
        reading.open_for(self, self._selected_pid())

    # -- clipboard and browser (the screen's Handoff) ------------------------------------------------
    def action_copy_link(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        link = self.reader.link_of(pid)
        if link:
            self.handoff.copy("link", link)

    def action_copy_menu(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        paper = self.reader.paper(pid)
        if paper is None:  # no longer in the digests: its link, as y copies it
            self.action_copy_link()
            return
        def done(choice) -> None:
            if choice:
                self.handoff.copy(choice[0], choice[1])

        self.app.push_screen(CopyMenu(copy_choices(paper, self.reader.record(pid))), done)

    def action_open_link(self) -> None:
        pid = self._selected_pid()
        if pid is None:
            return
        link = self.reader.link_of(pid)
        if not link or not is_web_url(link):
            self.notify("This paper has no web link to open", severity="warning", timeout=3)
            return
        self.handoff.open_browser(link)


def paper_bindings(shown: set[str], without: set[str] = frozenset(), only: set[str] | None = None) -> list[Binding]:
    """The per-paper bindings for a screen's own list: those in ``shown`` in
    its footer, the others only in help and the palette."""
    return [replace(b, show=b.id in shown) for b in PaperScreen.BINDINGS
            if b.id not in without and (only is None or b.id in only)]


def copy_choices(paper, record) -> list[tuple[str, str, str]]:
    """What ``Y`` offers to copy of a paper: (what, shown, the text copied)."""
    choices = [
        ("title", paper.title, paper.title),
        ("Markdown link", f"[{paper.title}]({paper.primary_link})", f"[{paper.title}]({paper.primary_link})"),
        ("BibTeX entry", "@misc{…}", bibtex_entry(paper, record)),
        ("RIS record", "TY  - UNPB …", export_entry(paper, record, "ris")),
        ("CSL-JSON item", '{"type": "article", …}', export_entry(paper, record, "csljson")),
        ("abstract", paper.abstract, paper.abstract),
    ]
    return choices + [(link.label, link.url, link.url) for link in paper.links]


def export_entry(paper, record, fmt: str) -> str:
    from ..core.export import entry

    return entry(paper, record, fmt)


def bibtex_entry(paper, record) -> str:
    """One paper as a BibTeX ``@misc`` entry, as the library export writes it."""
    from ..core.export import entry

    return entry(paper, record, "bibtex")
