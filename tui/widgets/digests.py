"""The Digests pane: every digest newest first, with its unread count;
enter opens one as a feed in the Search pane, T triages it."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.worker import get_current_worker

from .. import messages
from ..core.text import plural
from .paper_list import LibraryChange, PaperList, how_to_add_digests
from .render import ListRow, plain


class Digests(PaperList):
    HOLDS_PAPERS = False
    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "Newer digest", show=False, id="digest_newer"),
        Binding("right_square_bracket", "step(1)", "Older digest", show=False, id="digest_older"),
        Binding("T", "triage", "Triage", id="triage"),
    ]

    def __init__(self, reader=None, **kwargs) -> None:
        super().__init__(reader, **kwargs)
        self.unread: dict[str, int] = {}

    def empty_text(self) -> Content:
        return plain(how_to_add_digests(self.reader), "italic")

    def reload(self) -> None:
        if not self.reader.has_index:
            return
        by_name = {d.name: d for d in self.reader.digests()}
        infos = [by_name[n] for n in self.reader.digest_order().names]
        self.set_rows([(d.name, self._row(d)) for d in infos], len(infos), keep=self.current_id)
        self.set_status(f"{plural(len(infos), 'digest')}, newest first")
        if self.reader.has_library:
            self.count_unread([d.name for d in infos])

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """On screen only: another process's change reads the digests again,
        one paper's change here counts the unread papers again."""
        if not shown:
            return
        if change.elsewhere:
            self.reload()
        elif change.paper_id is not None and self.ids and self.reader.has_library:
            self.count_unread(list(self.ids))

    def _row(self, d) -> Content:
        unread = self.unread.get(d.name)
        title = Content.assemble(
            ("NEW " if d.name in self.reader.new_digests else "", "bold $accent"), plain(d.label or d.name, "bold"),
            "  ", plain(plural(d.entries, "paper"), "dim"),
            (f" · {unread} unread" if unread else (" · all read" if unread == 0 and d.entries else ""), "$primary"))
        sub = plain(f"    {d.name} · {d.origin}" + (f" · SKIPPED: {d.error}" if d.error else "")
                    + (f" · {plural(len(d.problems), 'problem')}" if d.problems else ""), "dim")
        return ListRow(Content("\n").join([title, sub]))  # its unread count legible when highlighted

    @work(thread=True, exclusive=True, group="unread-counts", exit_on_error=False)
    def count_unread(self, names: list[str]) -> None:
        counts = self.reader.unread_counts(names)
        if counts is not None and not get_current_worker().is_cancelled:
            self.post_message(self.Counted(counts))

    @on(PaperList.Counted)
    def _counted(self, event: PaperList.Counted) -> None:
        event.stop()
        self.unread = event.counts
        for d in self.reader.digests():
            if d.name in self.ids:
                self.update_row(d.name, self._row(d))

    def details(self) -> Content:
        name = self.current_id
        info = self.reader.digest(name) if name else None
        if info is None:
            return self.empty_text() if not self.ids else Content.styled("No digest selected.", "dim")
        lines = [plain(info.label or info.name, "bold"),
                 plain(f"{info.name} · {info.origin} · {info.format or '-'}", "dim"),
                 plain(f"{plural(info.entries, 'paper')} · {plural(len(info.problems), 'parse problem')}")]
        if info.error:
            lines.append(plain(f"Skipped: {info.error}", "$error"))
        for p in info.problems[:20]:
            lines.append(plain(p, "dim"))
        order = self.reader.digest_order()
        pos, total = order.position(name)
        lines.append(plain(f"Digest {pos} of {total}, newest first · {order.why}", "dim"))
        lines.append(Content(""))
        lines.append(Content.styled("enter opens it as a feed in the Search pane · [ ] step through digests", "dim"))
        return Content("\n").join(lines)

    def chosen(self, key: str) -> None:
        self.post_message(messages.OpenDigest(key))

    def action_step(self, delta: int) -> None:
        """``[`` / ``]``: the highlight moves to the newer / older digest."""
        target, say = self.reader.step_digest(self.current_id, delta)
        if target is not None:
            self.highlighted = self.ids.index(target)
        self.notify(say, timeout=3)

    def action_triage(self) -> None:
        if self.current_id:
            self.post_message(messages.Triage(self.current_id))
