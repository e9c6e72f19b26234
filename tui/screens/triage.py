"""Triage: one digest, one paper at a time, a key per decision.

keep (bookmark), skip (mark read), later (tag ``later``), note — each decision
advances to the next paper. The position is kept in the library, so leaving
and coming back resumes where the reader stopped. ``[`` and ``]`` move to the
newer / older digest."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from ..widgets.details import details_content
from ..widgets.render import plain

LATER_TAG = "later"


class TriageScreen(Screen[None]):
    BINDINGS = [
        Binding("k", "keep", "Keep", id="triage_keep"),
        Binding("s,space", "skip", "Skip", id="triage_skip"),
        Binding("l", "later", "Later", id="triage_later"),
        Binding("n", "note", "Note", id="triage_note"),
        Binding("right,j", "move(1)", "Next", id="triage_next"),
        Binding("left,p", "move(-1)", "Back", id="triage_back"),
        Binding("y", "app.copy_link", "Copy link", id="triage_copy"),
        Binding("o", "app.open_link", "Open", id="triage_open"),
        Binding("left_square_bracket", "digest(-1)", "Newer digest", show=False, id="triage_newer"),
        Binding("right_square_bracket", "digest(1)", "Older digest", id="triage_older"),
        Binding("escape,q", "leave", "Leave", id="triage_leave"),
    ]

    def __init__(self, digest: str, label: str, ids: list[str], start: int = 0):
        super().__init__()
        self.digest = digest
        self.label = label
        self.ids = ids
        self.pos = max(0, min(start, len(ids)))  # len(ids): past the last paper, "done"
        self.counts = {"kept": 0, "skipped": 0, "later": 0}
        self._stored = self.pos  # where the library already says triage stands

    def compose(self) -> ComposeResult:
        yield Static(id="triage-head", markup=False)
        yield ProgressBar(total=max(len(self.ids), 1), show_eta=False, show_percentage=False, id="triage-progress")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-paper", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    # -- what the keys act on ------------------------------------------------------------
    def viewing_id(self) -> str | None:
        return self.ids[self.pos] if self.pos < len(self.ids) else None

    current_paper_id = viewing_id

    def show(self) -> None:
        app = self.app
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
                plain(f"{n} papers · " + (summary or "no decisions this time")),
                Content(""),
                Content.styled("] the next (older) digest · [ the newer one · ← back to the last paper · esc leaves",
                               "dim")]))
        else:
            pid = self.ids[self.pos]
            paper = app.get_paper(pid)
            record = app.library.get(pid) if app.library else None
            body.update(details_content(paper, record))
        self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)
        if self.pos != self._stored:  # a write only when the position moved
            app.save_triage_position(self.digest, self.viewing_id(), self.pos)
            self._stored = self.pos

    def advance(self, counted: str | None = None) -> None:
        if counted:
            self.counts[counted] += 1
        self.pos = min(self.pos + 1, len(self.ids))
        self.show()

    # -- actions ----------------------------------------------------------------------------
    def _decide(self, change, counted: str) -> None:
        pid = self.viewing_id()
        if pid is None:
            return
        if self.app.triage_change(pid, change):
            self.advance(counted)

    def action_keep(self) -> None:
        self._decide("keep", "kept")

    def action_skip(self) -> None:
        self._decide("skip", "skipped")

    def action_later(self) -> None:
        self._decide("later", "later")

    def action_note(self) -> None:
        if self.viewing_id() is not None:
            self.app.action_note()

    def action_move(self, delta: int) -> None:
        self.pos = max(0, min(self.pos + delta, len(self.ids)))
        self.show()

    def action_digest(self, delta: int) -> None:
        self.app.triage_step_digest(self, delta)

    def action_leave(self) -> None:
        self.dismiss(None)
