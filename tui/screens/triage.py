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
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from .. import messages
from ..core.following import FEED, FEED_LABEL
from ..core.text import plural
from ..reader import Reader
from ..widgets.chrome import KeyFooter
from ..widgets.details import details_content
from ..widgets.handoff import Handoff
from ..widgets.paging import Pager, paging_bindings
from ..widgets.render import plain
from . import bookmark_text
from .paper_screen import PaperScreen, paper_bindings

LATER_TAG = "later"


class TriageBody(Pager, inherit_bindings=False):
    """The paper being triaged. Its scroll keys are the screen's (j, k and
    space decide there), so the footer and the help show them in order."""

    BINDINGS = []


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
        # a long abstract scrolls with the arrows, the pages and ctrl+d ctrl+u ctrl+f ctrl+b
        *[replace(b, action=b.action.replace("scroll_by", "scroll_body"), key=b.key.replace(",space", ""),
                  id=f"triage_{b.id}", show=b.id == "half_page_down",
                  description="Scroll" if b.id == "half_page_down" else b.description)
          for b in paging_bindings("scroll_by")],
        Binding("down", "scroll_lines(1)", "Scroll down", show=False, id="triage_scroll_down"),
        Binding("up", "scroll_lines(-1)", "Scroll up", show=False, id="triage_scroll_up"),
        Binding("pagedown", "scroll_body(1)", "Page down", show=False, id="triage_pagedown"),
        Binding("pageup", "scroll_body(-1)", "Page up", show=False, id="triage_pageup"),
        Binding("escape,q", "leave", "Leave", id="triage_leave"),
        *paper_bindings(shown=set(), without={"bookmark", "note", "copy_link", "open_link"}),
    ]

    def __init__(self, reader: Reader, digest: str, sort: str = "digest"):
        super().__init__(reader)
        self.sort = sort  # "for-you": the papers not yet decided best first for you
        self.load(digest)

    def load(self, digest: str) -> None:
        """Show ``digest``, from where its triage stopped."""
        info = self.reader.digest(digest)
        self.digest = digest
        self.label = (info.label or info.name) if info else FEED_LABEL if digest == FEED else digest
        self.ids = self.reader.visible(self.reader.digest_ids(digest))  # muted papers are not triaged
        start = 0
        saved = self._saved_position()
        if self.sort == "for-you":  # those decided before, then the rest best first, from there
            decided = self._decided(self.ids)
            with self.reader.lock:
                rest = self.reader.for_you_ids([pid for pid in self.ids if pid not in decided])
            self.ids = [pid for pid in self.ids if pid in decided] + rest
            self.label += " · for you"
            saved, start = None, len(decided)
        if saved is not None:
            if saved.paper_id in self.ids:
                start = self.ids.index(saved.paper_id)
            elif saved.index is not None:  # the paper left a changed digest: its place
                start = max(0, min(saved.index, len(self.ids)))
        self.pos = start  # len(ids): past the last paper, "done"
        # each paper's last decision (going back and deciding again replaces
        # it); on resume, the papers before the position as the library has them
        self.decisions: dict[str, str] = self._decided(self.ids[:start])
        self._stored = self.pos  # where the library already says triage stands
        self._made: set[str] = set()  # the papers decided on since this digest was opened here
        self._shown: str | None = None  # the paper on screen (its scroll is kept while it stays)
        if start:
            self.notify("Resumed where you stopped" if start < len(self.ids) else "This digest was triaged already",
                        timeout=3)

    def _decided(self, ids: list[str]) -> dict[str, str]:
        """The decisions the library shows for papers triaged before: kept
        (bookmarked), later (tagged later), skipped (read)."""
        out = {}
        for pid, rec in self.reader.records(ids).items():
            if rec.bookmarked:
                out[pid] = "kept"
            elif LATER_TAG in rec.tags:
                out[pid] = "later"
            elif rec.read:
                out[pid] = "skipped"
        return out

    @property
    def counts(self) -> dict[str, int]:
        """How many papers were kept, skipped, put off (each by its last decision)."""
        decided = list(self.decisions.values())
        return {kind: decided.count(kind) for kind in ("kept", "skipped", "later")}

    def compose(self) -> ComposeResult:
        yield Static(id="triage-head", markup=False)
        yield ProgressBar(total=max(len(self.ids), 1), show_eta=False, show_percentage=False, id="triage-progress")
        with TriageBody(id="triage-body"):
            yield Static(id="triage-paper", markup=False)
        yield Handoff()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show()

    def footer_keep(self) -> tuple[str, ...]:
        """The footer shows at any width how to leave, keep (the bookmark key:
        remapped, Textual lists it last) and how to scroll a long abstract."""
        return ("leave", "bookmark", "scroll_body(0.5)")

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
        body = self.query_one(TriageBody)
        if self._shown != self.viewing_id():  # another paper: its top (the same one keeps its place)
            self._shown = self.viewing_id()
            body.scroll_home(animate=False, immediate=True)
        if self.pos != self._stored:  # a write only when the position moved
            self._save_position()
            self._stored = self.pos

    def advance(self, counted: str | None = None) -> None:
        pid = self.viewing_id()
        if counted and pid is not None:
            self.decisions[pid] = counted
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
        """keep: bookmark (and read); skip: read; later: tag ``later``. A
        paper decided on before in this triage loses what that decision did
        (a kept paper skipped is no longer bookmarked): its last decision holds."""
        pid = self.viewing_id()
        if pid is None:
            return
        library, paper = self.reader.library, self.reader.paper(pid)
        before = self.decisions.get(pid) if pid in self._made else None

        def change() -> None:
            with library.batch():
                if before == "kept" and kind != "keep":
                    library.set_bookmark(pid, False, paper)
                elif before == "later" and kind != "later":
                    library.remove_tags(pid, [LATER_TAG])
                elif before == "skipped" and kind == "later":
                    library.set_read(pid, False, paper)
                if kind != "skip":
                    library.visits.clear_skip(pid)
                if kind == "keep":
                    library.set_bookmark(pid, True, paper)
                    library.set_read(pid, True, paper)
                elif kind == "skip":
                    library.set_read(pid, True, paper)
                    library.visits.record_skip(pid)
                elif kind == "later":
                    library.add_tags(pid, [LATER_TAG], paper)

        if self.write(change):
            self._made.add(pid)
            self.reindex()
            if kind == "keep" and before != "kept":  # kept is bookmarked: its full text, if config asks
                bookmark_text.fetch_after_bookmark(self, paper)
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

    def action_scroll_body(self, pages: float) -> None:
        self.query_one(TriageBody).action_scroll_by(pages)

    def action_scroll_lines(self, n: int) -> None:
        self.query_one(TriageBody).action_lines(n)

    def action_leave(self) -> None:
        self.dismiss(None)

    @on(messages.MoreLike)
    def _more_like(self, event: messages.MoreLike) -> None:
        """The papers like this one are listed on the main screen."""
        event.stop()
        self.dismiss(event)
