"""What the reader opens and keeps current: the library at start (its
notices said), the index in a thread worker (the newest papers of the last
opening shown first; opened again to rebuild a damaged one), a fetch
(:class:`~tui.widgets.fetcher.Fetcher`, ``F`` and ``[fetch] on_start``) and the
index it opens, and the changes another papers process makes to the library
(looked for every ``watch_interval`` seconds, and on ctrl+r).

A widget with nothing to draw that owns those workers; it takes each new
index into the reader and says what it brought, and posts what the screen
shows: :class:`Loader.Progress`, :class:`Loader.IndexReady` (the index is
open and in use; the screen then asks for the fetch on start, once its panes
show the index), :class:`Loader.Failed` and :class:`Loader.LibraryChanged`.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ..core.notices import fetch_notice, opening_notices
from ..core.text import plural
from ..reader import Reader
from .fetcher import Fetcher


class Loader(Widget):
    DEFAULT_CSS = "Loader { display: none; }"

    class Progress(Message):
        def __init__(self, done: int, total: int, text: str) -> None:
            super().__init__()
            self.done, self.total, self.text = done, total, text

    class IndexReady(Message):
        """The index is open: ``opened`` (tui.core.session.Opened) says what the
        opening did, ``imported`` what the watched folders brought."""

        def __init__(self, opened, imported) -> None:
            super().__init__()
            self.opened, self.imported = opened, imported
            self.index, self.report = opened.index, opened.report

    class Failed(Message):
        """The index could not be opened (the library panes still work)."""

    class LibraryChanged(Message):
        """Another papers process changed the library (the index is catching up)."""

    def __init__(self, reader: Reader, watch_interval: float = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reader = reader
        self.watch_interval = watch_interval
        self._fetched_on_start = False

    def compose(self) -> ComposeResult:
        yield Fetcher(self.reader)

    # -- start-up ------------------------------------------------------------------------------
    def open_library(self) -> None:
        """Open the library; what went wrong, or what opening it found, is said."""
        from ..core.library import LibraryError

        try:
            notices = self.reader.open_library()
        except LibraryError as e:
            self.notify(f"Library unavailable: {e}", severity="error", markup=False, timeout=15)
            return
        for n in notices:
            self.notify(n, severity="warning", markup=False, timeout=15)

    def watch_library(self) -> None:
        """Look for another process's changes every ``watch_interval`` seconds (0: never)."""
        if self.watch_interval:
            self.set_interval(self.watch_interval, self.sync_from_others)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def open_index(self, rebuild: bool = False, preview=None) -> None:
        """Digests dropped into the watched folders are imported, the index
        opened and synced, watches run, what's new remembered. ``preview()``
        (in this thread) shows the newest papers first."""
        def progress(done: int, total: int, text: str) -> None:
            self.post_message(self.Progress(done, total, f"Indexing: {text}"))

        if preview is not None and not self.reader.has_index and not rebuild:
            # the newest papers the last opening left, shown before the opening itself
            # (importing Whoosh, the sync) takes the time the first page would wait for
            preview()
        opened, imported = self.reader.open_index(progress, rebuild)
        self.post_message(self.IndexReady(opened, imported))

    @on(IndexReady)
    def _index_ready(self, event: IndexReady) -> None:
        self._use_index(event.opened)
        for text, severity, timeout in opening_notices(event.opened, event.imported):
            self.notify(text, severity=severity, markup=False, timeout=timeout)

    def fetch_on_start(self) -> None:
        """The first time an index is open: the quiet fetch ``[fetch] on_start`` asks for."""
        if self.reader.config.fetch_on_start and self.reader.has_index and not self._fetched_on_start:
            self._fetched_on_start = True
            self.query_one(Fetcher).start(quiet=True)

    def _use_index(self, opened) -> None:
        """An opening of the index (at start, after a fetch) is taken in: the
        digests it saw first are what's new."""
        self.reader.use_index(opened.index)
        new = [n for n in opened.new_digests if n not in self.reader.new_digests]
        self.reader.new_digests += new

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "index":
            self.post_message(self.Failed())

    # -- fetching (F) ------------------------------------------------------------------------------
    def fetch(self) -> None:
        """Fetch the new days of the Daily Papers API and take them in."""
        fetcher = self.query_one(Fetcher)
        if self.reader.session is None:
            return
        if fetcher.running:
            self.notify(f"A fetch is already running: {fetcher.doing}", markup=False, timeout=4)
        elif any(w.group == "index" and not w.is_finished for w in self.workers):
            self.notify("The index is still opening; F fetches once it is open", timeout=4)
        else:
            fetcher.start()

    @on(Fetcher.Done)
    def _fetch_done(self, event: Fetcher.Done) -> None:
        fetched = event.fetched
        if fetched.opened is not None:
            self._use_index(fetched.opened)
        said = fetch_notice(fetched)
        if said is not None:
            text, severity = said
            if event.quiet and severity != "information":  # at start-up: a quiet notice, never an alarm
                text, severity = text.splitlines()[0], "information"
            self.notify(text, severity=severity, markup=False, timeout=10)

    # -- another papers process ------------------------------------------------------------------
    class IndexChanged(Message):
        """Another papers process changed the index's digests (``new``: those not seen before)."""

        def __init__(self, new: list[str]) -> None:
            super().__init__()
            self.new = new

    def sync_from_others(self, force: bool = False) -> None:
        """Pick up changes another papers process made to the library and to
        the index (new digests, a rebuilt index)."""
        if self.reader.has_index and not self._opening():
            self.look_at_index()
        if not self.reader.changed_elsewhere(force):
            return
        self.catch_up_index()
        self.post_message(self.LibraryChanged())

    def _opening(self) -> bool:
        return any(w.group == "index" and not w.is_finished for w in self.workers)

    @work(thread=True, exclusive=True, group="index-news", exit_on_error=False)
    def look_at_index(self) -> None:
        news = self.reader.index_news()
        if news.replaced:
            self.app.call_from_thread(self._replaced)
        elif news.changed:
            self.post_message(self.IndexChanged(news.new))

    def _replaced(self) -> None:
        """``papers reindex`` rebuilt the index: open the new one (the old one
        stays in use until it is open)."""
        if self._opening():
            return
        self.notify("The index was rebuilt by another papers process (papers reindex); opening the new one",
                    timeout=6)
        self.open_index()

    @on(IndexChanged)
    def _index_changed(self, event: IndexChanged) -> None:
        new = [n for n in event.new if n not in self.reader.new_digests]
        self.reader.new_digests += new
        if new:
            labels = [(d.label or d.name) for n in new if (d := self.reader.digest(n)) is not None]
            shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
            self.notify(f"{plural(len(new), 'new digest')}: {shown} — N shows what's new", markup=False, timeout=8)

    @work(thread=True, group="library-index", exit_on_error=False)
    def catch_up_index(self) -> None:
        self.reader.catch_up(refresh=True)
