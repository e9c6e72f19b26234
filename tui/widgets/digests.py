"""The Digests pane: every digest newest first, with its unread count;
enter opens one as a feed in the Search pane, T triages it. Above them,
once an author is followed, the Following feed: the papers by followed
authors, newest first, opened the same way."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.worker import get_current_worker

from .. import messages
from ..core.following import FEED, FEED_LABEL
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
        self.following: tuple[int, int] | None = None  # the Following feed's (papers, unread), once counted
        self.follows_seen = -1  # the reader's follows_changed when the rows were made

    def empty_text(self) -> Content:
        return plain(how_to_add_digests(self.reader), "italic")

    def reload(self) -> None:
        if not self.reader.has_index:
            return
        by_name = {d.name: d for d in self.reader.digests()}
        infos = [by_name[n] for n in self.reader.digest_order().names]
        followed = self.reader.followed_names()
        self.follows_seen = self.reader.follows_changed
        rows = [(FEED, self._feed_row(followed))] if followed else []
        rows += [(d.name, self._row(d)) for d in infos]
        self.set_rows(rows, len(rows), keep=self.current_id)
        self.set_status(f"{plural(len(infos), 'digest')}, newest first"
                        + (f" · {FEED_LABEL}: {plural(len(followed), 'author')}" if followed else ""))
        if self.reader.has_library:
            self.count_unread([n for n, _ in rows])

    def library_changed(self, change: LibraryChange, shown: bool) -> None:
        """On screen only: another process's change reads the digests again,
        one paper's change here counts the unread papers again."""
        if not shown:
            return
        if change.elsewhere or self.follows_seen != self.reader.follows_changed:
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

    def _feed_row(self, followed: list[str]) -> Content:
        """The Following feed's row: its papers and unread count once counted."""
        papers, unread = self.following or (None, None)
        title = Content.assemble(
            plain(FEED_LABEL, "bold"), "  ",
            plain("…" if papers is None else plural(papers, "paper"), "dim"),
            (f" · {unread} unread" if unread else (" · all read" if unread == 0 and papers else ""), "$primary"))
        names = ", ".join(followed[:3]) + (f" and {len(followed) - 3} more" if len(followed) > 3 else "")
        sub = plain(f"    papers by {names}, newest first", "dim")
        return ListRow(Content("\n").join([title, sub]))

    @work(thread=True, exclusive=True, group="unread-counts", exit_on_error=False)
    def count_unread(self, names: list[str]) -> None:
        counts = self.reader.unread_counts(names)
        if counts is not None and FEED in names:
            counts[FEED] = (len(self.reader.digest_ids(FEED)), counts[FEED])
        if counts is not None and not get_current_worker().is_cancelled:
            self.post_message(self.Counted(counts))

    @on(PaperList.Counted)
    def _counted(self, event: PaperList.Counted) -> None:
        event.stop()
        self.following = event.counts.pop(FEED, None)
        self.unread = event.counts
        if FEED in self.ids:
            self.update_row(FEED, self._feed_row(self.reader.followed_names()))
            if self.current_id == FEED:  # its details say the counts too
                self.post_message(messages.ShowDetails(self))
        for d in self.reader.digests():
            if d.name in self.ids:
                self.update_row(d.name, self._row(d))

    def details(self) -> Content:
        name = self.current_id
        if name == FEED:
            return self._feed_details()
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

    def _feed_details(self) -> Content:
        followed = self.reader.followed_names()
        papers, unread = self.following or (None, None)
        lines = [plain(FEED_LABEL, "bold"),
                 plain("The papers by the authors you follow, newest first"
                       + (f": {plural(papers, 'paper')}, {unread} unread" if papers is not None else ""), "dim"),
                 Content("")]
        lines += [plain(f"  {name}") for name in followed]
        lines += [Content(""), Content.styled("enter opens it as a feed in the Search pane · T triages it · a on a "
                                              "paper follows or unfollows its authors", "dim")]
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
