"""The reader's fetch from the Daily Papers API (``F``, the palette's "Fetch
new papers", ``[fetch] on_start``): a widget with nothing to draw that owns
the thread worker, so at most one fetch runs, and quitting cancels it.

The work is :meth:`tui.reader.Reader.fetch` (the days fetched, then the
index opened again as at start); the fetcher posts :class:`Fetcher.Progress`
for the status line and :class:`Fetcher.Done`, on which the
:class:`~tui.widgets.loader.Loader` that holds it takes the new index in and
says what happened, once, and the screen shows what it brought.
"""

from __future__ import annotations

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from ..core.notices import Fetched
from ..reader import Reader


class Fetcher(Widget):
    DEFAULT_CSS = "Fetcher { display: none; }"

    class Progress(Message):
        def __init__(self, done: int, total: int, text: str) -> None:
            super().__init__()
            self.done, self.total, self.text = done, total, text

    class Done(Message):
        def __init__(self, fetched: Fetched, quiet: bool) -> None:
            super().__init__()
            self.fetched, self.quiet = fetched, quiet

    def __init__(self, reader: Reader, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reader = reader
        self.worker: Worker | None = None
        self.doing = ""  # the last progress line

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def start(self, quiet: bool = False) -> bool:
        """Start a fetch (``quiet``: the one at start-up); False if one is running."""
        if self.running:
            return False
        self.doing = "starting"
        self.worker = self._run(quiet)
        return True

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False)
    def _run(self, quiet: bool) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int, text: str) -> None:
            if not worker.is_cancelled:
                self.post_message(self.Progress(done, total, text))

        try:
            fetched = self.reader.fetch(progress, lambda: worker.is_cancelled, worker.cancelled_event.wait)
        except Exception as e:  # said in the notification, never a modal
            fetched = Fetched(error=f"{type(e).__name__}: {e}")
        if not worker.is_cancelled:
            self.post_message(self.Done(fetched, quiet))

    def on_fetcher_progress(self, event: Progress) -> None:
        self.doing = event.text  # and on to the screen
