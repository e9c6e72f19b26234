"""Triage: one digest, one paper at a time, a key per decision.

The keys mean what they mean in the lists: ``j``/``k`` move, ``b`` keeps
(bookmarks — it is the per-paper bookmark binding, so a remapped bookmark key
keeps here too), ``s`` or space skips (marks read), ``l`` puts it off for later
(tag ``later``). Each decision advances to the next paper; the other per-paper
keys (note, tags, copy, …) work as on the main screen. The position is kept
in the library, so leaving and coming back resumes where the reader stopped.
``[`` and ``]`` move to the newer / older digest."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from .. import messages
from ..core.text import plural
from ..reader import Reader
from ..widgets.chrome import KeyFooter
from ..widgets.details import details_content
from ..widgets.handoff import Handoff
from ..widgets.render import plain
from .paper_screen import PaperScreen, paper_bindings

LATER_TAG = "later"


class TriageScreen(PaperScreen, inherit_bindings=False):  # the footer's order is set here
    BINDINGS = [
        *Screen.BINDINGS,
        # keep is the per-paper bookmark key (b, or what config.toml maps it to)
        *[replace(b, description="Keep") for b in paper_bindings(shown={"bookmark"}, only={"bookmark"})],
        Binding("s,space", "skip", "Skip", id="triage_skip"),
        Binding("l", "later", "Later", id="triage_later"),
        *paper_bindings(shown={"note"}, only={"note"}),
        Binding("j,right", "move(1)", "Next", id="triage_next"),
        Binding("k,left", "move(-1)", "Back", id="triage_back"),
        *paper_bindings(shown={"copy_link", "open_link"}, only={"copy_link", "open_link"}),
        Binding("left_square_bracket", "digest(-1)", "Newer digest", show=False, id="triage_newer"),
        Binding("right_square_bracket", "digest(1)", "Older digest", id="triage_older"),
        Binding("escape,q", "leave", "Leave", id="triage_leave"),
        *paper_bindings(shown=set(), without={"bookmark", "note", "copy_link", "open_link"}),
    ]

    def __init__(self, reader: Reader, digest: str):
        super().__init__(reader)
        self.load(digest)

    def load(self, digest: str) -> None:
        """Show ``digest``, from where its triage stopped."""
        info = self.reader.digest(digest)
        self.digest = digest
        self.label = (info.label or info.name) if info else digest
        self.ids = self.reader.visible(self.reader.digest_ids(digest))  # muted papers are not triaged
        start = 0
        saved = self._saved_position()
        if saved is not None:
            if saved.paper_id in self.ids:
                start = self.ids.index(saved.paper_id)
            elif saved.index is not None:  # the paper left a changed digest: its place
                start = max(0, min(saved.index, len(self.ids)))
        self.pos = start  # len(ids): past the last paper, "done"
        self.counts = {"kept": 0, "skipped": 0, "later": 0}
        self._stored = self.pos  # where the library already says triage stands
        if start:
            self.notify("Resumed where you stopped" if start < len(self.ids) else "This digest was triaged already",
                        timeout=3)

    def compose(self) -> ComposeResult:
        yield Static(id="triage-head", markup=False)
        yield ProgressBar(total=max(len(self.ids), 1), show_eta=False, show_percentage=False, id="triage-progress")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-paper", markup=False)
        yield Handoff()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show()

    def footer_keep(self) -> tuple[str, ...]:
        """The footer shows how to leave at any width."""
        return ("leave",)

    # -- what the keys act on ------------------------------------------------------------
    def viewing_id(self) -> str | None:
        return self.ids[self.pos] if self.pos < len(self.ids) else None

    def current_paper_id(self) -> str | None:
        return self.viewing_id()

    def paper_changed(self, pid: str) -> None:
        self.show()

    def dialog_closed(self) -> None:
        self.show()

    def show(self) -> None:
        n = len(self.ids)
        done = self.pos >= n
        where = f"{min(self.pos + 1, n)}/{n}" if not done else f"{n}/{n} done"
        summary = " · ".join(f"{v} {k}" for k, v in self.counts.items() if v)
        self.query_one("#triage-head", Static).update(Content.assemble(
            ("Triage  ", "bold $accent"), plain(self.label, "bold"), "  ", (where, "bold"),
            plain(f"   {summary}" if summary else "", "dim")))
        self.query_one("#triage-progress", ProgressBar).update(total=max(n, 1), progress=min(self.pos, n))
        body = self.query_one("#triage-paper", Static)
        if done:
            body.update(Content("\n").join([
                Content.styled("This digest is done.", "bold"),
                Content(""),
                plain(f"{plural(n, 'paper')} · " + (summary or "no decisions this time")),
                Content(""),
                Content.styled("] the next (older) digest · [ the newer one · k back to the last paper · esc leaves",
                               "dim")]))
        else:
            pid = self.ids[self.pos]
            body.update(details_content(self.reader.paper(pid), self.reader.record(pid)))
        self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)
        if self.pos != self._stored:  # a write only when the position moved
            self._save_position()
            self._stored = self.pos

    def advance(self, counted: str | None = None) -> None:
        if counted:
            self.counts[counted] += 1
        self.pos = min(self.pos + 1, len(self.ids))
        self.show()

    # -- the position in the library -----------------------------------------------------------
    def _saved_position(self):
        from ..core.library import LibraryError

        if self.reader.library is None:
            return None
        try:
            return self.reader.library.visits.triage_position(self.digest)
        except (LibraryError, ValueError):
            return None

    def _save_position(self) -> None:
        """Past the last paper: the digest is done."""
        if not self.reader.writable:
            return
        from ..core.library import LibraryError

        pid = self.viewing_id()
        try:
            if pid is None:
                self.reader.library.visits.set_triage_position(self.digest, self.pos)
            else:
                self.reader.library.visits.set_triage_position(self.digest, pid, index=self.pos)
        except (LibraryError, ValueError) as e:
            self.notify(f"Triage position not saved: {e}", severity="warning", markup=False, timeout=5)

    # -- actions ----------------------------------------------------------------------------
    def _decide(self, kind: str, counted: str) -> None:
        """keep: bookmark (and read); skip: read; later: tag ``later``."""
        pid = self.viewing_id()
        if pid is None:
            return
        library, paper = self.reader.library, self.reader.paper(pid)

        def change() -> None:
            with library.batch():
                if kind == "keep":
                    library.set_bookmark(pid, True, paper)
                    library.set_read(pid, True, paper)
                elif kind == "skip":
                    library.set_read(pid, True, paper)
                elif kind == "later":
                    library.add_tags(pid, [LATER_TAG], paper)

        if self.write(change):
            self.reindex()
            self.advance(counted)

    def mutes_changed(self) -> None:
        current = self.viewing_id()
        self.load(self.digest)
        if current in self.ids:
            self.pos = self.ids.index(current)
        self.show()

    def action_bookmark(self) -> None:
        """Keep: the bookmark key of the lists, here a decision."""
        self._decide("keep", "kept")

    def action_skip(self) -> None:
        self._decide("skip", "skipped")

    def action_later(self) -> None:
        self._decide("later", "later")

    def action_move(self, delta: int) -> None:
        self.pos = max(0, min(self.pos + delta, len(self.ids)))
        self.show()

    def action_digest(self, delta: int) -> None:
        target, say = self.reader.step_digest(self.digest, delta)
        if target is None:
            self.notify(say, timeout=3)
            return
        self.load(target)
        self.show()

    def action_leave(self) -> None:
        self.dismiss(None)

    @on(messages.MoreLike)
    def _more_like(self, event: messages.MoreLike) -> None:
        """The papers like this one are listed on the main screen."""
        event.stop()
        self.dismiss(event)
