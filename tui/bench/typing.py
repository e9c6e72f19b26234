"""The reader while a query is typed: from the last key to its results on
screen, measured in this process with Textual's Pilot (the app headless, as
the start-up children run it).

Each query is typed into the search box a key at a time, at a reader's pace
(a key every ``gap`` seconds) and in a burst (faster than the search waits
for the next key); the time runs from just before the last key is sent to the
first refresh after the Search pane says that query's first page is shown.
"""

from __future__ import annotations

import asyncio
import statistics
import time

QUERIES = ("vision transformer", "large language models", "diffusion", "speech recognition")
PACES = {"typing": 0.15, "burst": 0.04}  # seconds between keys
TIMEOUT = 60.0

_KEYS = {" ": "space", "-": "minus", ":": "colon", '"': "quotation_mark", "*": "asterisk"}


def key_to_paint(paths, first_query: str = "model", queries=QUERIES) -> dict:
    """Median and max, per pace, of last key to painted (seconds)."""
    try:
        return asyncio.run(_run(paths, queries))
    except Exception as e:  # reported as the row's error, the rest of the run stands
        return {"error": f"{type(e).__name__}: {e}"[:300]}


async def _run(paths, queries) -> dict:
    from ..app import PapersApp
    from .child import APP_CSS

    shown: dict = {}

    class TypingApp(PapersApp):
        CSS_PATH = APP_CSS

        def on_results_shown(self, event) -> None:
            query = event.query
            self.call_after_refresh(lambda: shown.setdefault(query, time.perf_counter()))

    app = TypingApp(paths, watch_interval=0, dwell=0)
    out: dict = {"queries": list(queries), "paces": PACES}
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: app.reader.index is not None and app.main.results.settled, "the index opened")
        await pilot.press("slash")
        for pace, gap in PACES.items():
            times = []
            for query in queries:
                await pilot.press("ctrl+u")
                await _until(lambda: app.main.results.settled, "the box cleared")
                shown.clear()
                for i, ch in enumerate(query):
                    if i == len(query) - 1:
                        t0 = time.perf_counter()
                    await pilot.press(_KEYS.get(ch, ch))
                    if i < len(query) - 1:
                        await asyncio.sleep(gap)
                await _until(lambda: query in shown, f"{query!r} shown")
                times.append(shown[query] - t0)
            out[pace] = {"gap_s": gap, "median_s": round(statistics.median(times), 3),
                         "max_s": round(max(times), 3), "all": [round(t, 3) for t in times]}
        app.exit()
    return out


async def _until(condition, what: str) -> None:
    end = time.perf_counter() + TIMEOUT
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError(f"not within {TIMEOUT:.0f} s: {what}")
        await asyncio.sleep(0.005)
