"""The reader (or a bare app with the reader's main screen) started in a fresh
process: the parent passes the moment it spawns the child, the child notes
when the screen is painted, when the first results and a search are shown."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

APP_TIMEOUT = 180.0
ENV_T0 = "PAPERS_BENCH_T0"

#: the reader's stylesheet (a relative CSS_PATH is taken from the module that defines the class)
APP_CSS = str(Path(__file__).resolve().parent.parent / "app.tcss")
_CHILD = "import sys; from tui.bench.child import child_main; sys.exit(child_main(sys.argv[1:]))"


def spawn(kind: str, home: Path, word: str, pycache: Path) -> dict:
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="papers-bench-") as tmp:
        out = Path(tmp) / "out.json"
        env = dict(os.environ)
        env.pop("PAPERS_HOME", None)
        # compiled modules are cached where they disturb nothing, whatever the
        # environment says about writing bytecode
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        env[ENV_T0] = repr(time.time())
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, kind, str(home), str(out), word],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env)
        try:
            _, err = proc.communicate(timeout=APP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RuntimeError(f"no result within {APP_TIMEOUT:.0f} s") from None
        try:
            return json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise RuntimeError(last[0][:200]) from None


def _peak_rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def child_main(argv: list[str]) -> int:
    """``kind home out word``: start the reader (or a bare app with the same
    widgets), note when it is painted, when its first results are on screen and
    when a search for ``word`` is; write the times to ``out`` and exit."""
    t0 = float(os.environ[ENV_T0])
    kind, home, out, word = argv
    marks: dict = {}

    def mark(name: str) -> None:
        marks.setdefault(name, round(time.time() - t0, 4))

    if kind == "app":
        from ..app import PapersApp
        from ..core.paths import Paths
        from ..widgets.search_input import SearchInput

        paths = Paths.default(home)  # as papers --data-dir home

        class BenchApp(PapersApp):
            CSS_PATH = APP_CSS

            def on_main_screen_started(self) -> None:
                self.call_after_refresh(mark, "painted")

            # posted by the main screen's loader once the index is open
            def on_loader_index_ready(self, event) -> None:
                r = event.report
                marks["index_wrote"] = r.wrote
                if r.wrote or r.notices:
                    marks["index_report"] = {"papers_written": r.papers_written, "rebuilt": r.rebuilt,
                                             "added": r.added[:5], "changed": r.changed[:5],
                                             "removed": r.removed[:5], "notices": r.notices[:5]}
                marks["index_open_s"] = round(event.report.seconds, 4)

            # posted by the Search pane when a first page is shown and no newer search waits
            def on_results_shown(self, event) -> None:
                if "results" not in marks:
                    self.call_after_refresh(self._results_shown)
                elif event.query == word and "search" not in marks:
                    self.call_after_refresh(self._search_shown)

            def _results_shown(self) -> None:
                mark("results")
                # the pane draws a screenful of rows first, the rest of the page once painted
                self.call_after_refresh(self._whole_page)

            def _whole_page(self) -> None:
                if self.main.results.drawing or not self.search_settled and self.main.results.ids:
                    # polled, not re-queued after every refresh: a main thread that never
                    # idles starves the workers it waits for (each needs the GIL back)
                    self.set_timer(0.005, self._whole_page)
                    return
                marks["rows"] = len(self.main.results.ids)
                # as if typed: the word in the box (quietly), its results at once
                self.main.query_one(SearchInput).show_quietly(word)
                self.main.results.search(word, immediate=True)

            def _search_shown(self) -> None:
                mark("search")
                self.exit()

        # A paper whose details stay open for a while counts as read, a write
        # that belongs to reading, not to starting: off, so that any write seen
        # here is the start-up's own.
        app = BenchApp(paths, watch_interval=0, dwell=0)
    else:
        app = _bare_app(mark)
    mark("imported")
    app.run(headless=True, size=(120, 40))
    marks["exit_code"] = app.return_code
    marks["rss_kb"] = _peak_rss_kb()
    Path(out).write_text(json.dumps(marks), encoding="utf-8")
    return 0


def _bare_app(mark):
    """The reader's main screen -- its widgets, laid out by its stylesheet --
    in a plain Textual app that loads nothing: no library, no index, no search.
    The screen says when it is mounted; here that only notes the first paint."""
    from textual.app import App

    from ..screens.main_screen import MainScreen

    class BareApp(App):
        CSS_PATH = APP_CSS
        BINDINGS = [("slash", "focus_search", "Search")]  # the reader's own key in the footer

        def get_default_screen(self) -> MainScreen:
            return MainScreen()

        def on_main_screen_started(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            mark("painted")
            self.exit()

    return BareApp()
