"""The Textual reader.

The app holds what is the same on every screen: the configuration, the key
map, the theme, the help, the palette's commands and the modal that shows a
worker's error. Everything else belongs to the screens and their panes: the
main screen (:mod:`tui.screens.main_screen`) opens the library and the index and
routes what its panes post; each pane (:mod:`tui.widgets`) owns its keys, its
workers, its status and what it says when it is empty.
"""

from __future__ import annotations

import json

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from .core.config import load_config, load_settings
from .core.fsio import atomic_write
from . import messages
from .core.paths import Paths
from .keymap import check_keymap
from .providers import GoToProvider, ReaderCommands
from .reader import Reader
from .screens.main_screen import MainScreen
from .screens.paper_screen import PaperScreen
from .screens.reading import ReadingScreen
from .screens.triage import TriageScreen
from .shutdown import exit_cleanly_on_signals
from .widgets.bookmarks import BookmarkList
from .widgets.confirm import ConfirmDialog
from .widgets.details import DetailsPane
from .widgets.dialogs import CopyMenu, ErrorScreen, HelpScreen, LineDialog, NoteEditor, TextDialog
from .widgets.digests import Digests
from .widgets.notes import Notes
from .widgets.paper_list import PaperList
from .widgets.reading_text import ReadingText
from .widgets.search_pane import Results
from .widgets.saved import SavedSearches

#: the per-paper keys (help lists them once, under the selected paper)
PAPER_IDS = frozenset(b.id for b in PaperScreen.BINDINGS)
#: the keys of the search box (help lists them under it)
BOX_IDS = frozenset({"search_done", "search_leave", "search_to_list"})
#: what help says of a key where its footer word is too short
HELP_SAYS = {"pane_search": "Search pane", "pane_bookmarks": "Bookmarks pane", "pane_notes": "Notes pane",
             "pane_digests": "Digests pane", "pane_saved": "Saved searches pane",
             "triage": "Triage the open feed, or the newest digest", "search": "Search (the search box)",
             "force_quit": "Quit, also while typing", "triage_half_page_down": "Half a page down"}
#: what a worker's group is doing, for the error modal's title
WORKER_TASKS = {"index": "Opening the index", "search": "Searching"}


class PapersApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "papers"
    COMMANDS = App.COMMANDS | {ReaderCommands, GoToProvider}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, id="force_quit")]

    def __init__(self, paths: Paths, *, watch_interval: float = 2.0, dwell: float | None = None):
        super().__init__()
        self.paths = paths
        self.config = load_config(paths.config_file)
        self.reader = Reader(paths, self.config, dwell=dwell)
        self.watch_interval = watch_interval
        self._damage_rebuilds = 0

    def get_default_screen(self) -> MainScreen:
        self.reader.compact = self._load_state().get("compact") is True
        self.main = MainScreen(self.reader, self.watch_interval)
        return self.main

    def on_mount(self) -> None:
        state = self._load_state()
        if state.get("theme") in self.available_themes:
            self.theme = state["theme"]
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        exit_cleanly_on_signals(self)  # SIGHUP/SIGTERM: save the note, restore the terminal
        keymap, problems = check_keymap(self.config.keys, self.keymap_scopes(), self.config.source)
        self.config.problems += problems
        if keymap:
            self.set_keymap(keymap)
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)

    def on_unmount(self) -> None:
        self.reader.close()

    # -- what tests and the bench look at ----------------------------------------------------
    @property
    def index(self):
        return self.reader.index

    @property
    def library(self):
        return self.reader.library

    @property
    def search_settled(self) -> bool:
        """No search waiting to start or to be shown (for tests and the bench)."""
        return self.main.is_mounted and self.main.results.settled

    @property
    def show_timings(self) -> bool:
        return self.reader.show_timings

    @show_timings.setter
    def show_timings(self, value: bool) -> None:
        self.reader.show_timings = value

    # -- worker errors ------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._worker_failed(event.worker)

    @on(messages.WorkerFailed)
    def _pane_worker_failed(self, event: messages.WorkerFailed) -> None:
        self._worker_failed(event.worker)

    def _worker_failed(self, worker: Worker) -> None:
        error = worker.error
        if worker.group != "index" and self._rebuild_damaged(error):
            return
        what = WORKER_TASKS.get(worker.group, "A background task")
        self.push_screen(ErrorScreen(f"{what} failed", f"{type(error).__name__}: {error}"))

    def _rebuild_damaged(self, error: BaseException) -> bool:
        """A read met a damaged index: say so in one line and rebuild it (at
        most twice a session, so an index that cannot be mended is reported)."""
        from .core.index.build.recovery import IndexDamaged

        if not isinstance(error, IndexDamaged) or self._damage_rebuilds >= 2:
            return False
        self._damage_rebuilds += 1
        self.notify(f"{error}; rebuilding it", severity="warning", markup=False, timeout=8)
        self.main.open_index(rebuild=True)
        return True

    # -- help ---------------------------------------------------------------------------------
    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.binding_groups()))

    def binding_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keys by where they act, one line per key and place; the keys
        as config.toml remapped them. A place's own keys, then the paper keys
        that work in every list, the details and triage."""
        main = [b for b in MainScreen.BINDINGS if b.id and b.id not in PAPER_IDS | BOX_IDS | {"back"}]
        box = [b for b in MainScreen.BINDINGS if b.id in BOX_IDS]
        triage = [b for b in TriageScreen.BINDINGS if b.id and (b.id.startswith("triage") or b.show)]
        places = [
            ("Main screen (any pane)", main + list(self.BINDINGS)),
            ("The selected paper (lists, details, triage)", PaperScreen.BINDINGS),
            ("Search box", box),
            ("Lists", PaperList.BINDINGS),
            ("Search pane", Results.BINDINGS),
            ("Bookmarks pane", BookmarkList.BINDINGS),
            ("Digests pane", Digests.BINDINGS),
            ("Saved searches pane", SavedSearches.BINDINGS),
            ("Details pane", DetailsPane.BINDINGS),
            ("Triage (T)", triage),
            ("Full text (f)", [*ReadingScreen.BINDINGS, *ReadingText.BINDINGS[:4]]),
        ]
        groups = [(title, [(self.keys_of(b), HELP_SAYS.get(b.id, b.description)) for b in bindings])
                  for title, bindings in places]
        also = {"Search box": [("ctrl+u", "Clear the query")],
                "Lists": [("enter", "Details (Digests: open as a feed; Saved: run)")],
                "Bookmarks pane": [("/, tab", "Filter by part of a tag or title words")],
                "Details pane": [("esc", "Back to the list")]}
        return [(title, pairs + also.get(title, [])) for title, pairs in groups]

    def keymap_scopes(self) -> list[list[type]]:
        """The bindings active at the same time, by class (see tui.keymap)."""
        app = type(self)
        panes = (Results, BookmarkList, Notes, Digests, SavedSearches, DetailsPane)
        dialogs = (HelpScreen, NoteEditor, LineDialog, CopyMenu, TextDialog, ErrorScreen, ConfirmDialog)
        return [*([app, MainScreen, pane] for pane in panes), [app, TriageScreen], [app, ReadingScreen, ReadingText],
                *([app, dialog] for dialog in dialogs)]

    def keys_of(self, binding: Binding) -> str:
        """The keys of a binding as remapped by config.toml, readable."""
        keys = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        names = {"slash": "/", "question_mark": "?", "escape": "esc"}
        return " ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))

    # -- state ---------------------------------------------------------------------------------
    def _load_state(self) -> dict:
        problems: list[str] = []
        state = load_settings(self.paths.state_file, problems)  # another shape: set aside, said once
        for line in problems:
            self.notify(line, severity="warning", markup=False, timeout=8)
        return state

    def remember(self, **changes) -> None:
        """Keep settings for the next start (the theme, the lists' density)."""
        state = self._load_state()
        state.update(changes)
        try:
            self.paths.state_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.paths.state_file, json.dumps(state, indent=2))
        except OSError as e:
            self.notify(f"Cannot save settings: {e}", severity="warning", markup=False)

    def _theme_changed(self, theme) -> None:
        self.remember(theme=theme.name)


def run(paths: Paths) -> int:
    app = PapersApp(paths)
    app.run()
    return app.return_code or 0
