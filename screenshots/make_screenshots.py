"""Regenerate the SVG screenshots in this folder from the fixed demo library:

    python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import demo  # noqa: E402
from tui.app import PapersApp  # noqa: E402

VIEWS = {
    "main": ["slash", *"vision transformer", "_", "enter"],
    "details": ["slash", *"shifted windows", "_", "enter", "enter"],
    "bookmarks": ["2"],
    "help": ["question_mark"],
    "copy-menu": ["slash", *"shifted windows", "_", "enter", "Y"],
    "triage": ["T", "b", "s"],
    "more-like-this": ["slash", *"shifted windows", "_", "enter", "m", "_"],
    "saved-searches": ["5"],
    "reading": ["slash", *"shifted windows", "_", "enter", "f", "_", "slash", *"windows", "enter", "n"],
}


async def shoot(name: str, keys: list[str], home: Path) -> None:
    app = PapersApp(demo.build(home), watch_interval=0, dwell=0)
    app.show_timings = False
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.index is not None and app.query_one("#results").ids:
                break
        await pilot.press("escape")  # from the search box, where the reader starts, to the list
        for key in keys:
            if key == "_":
                for _ in range(400):
                    await pilot.pause(0.05)
                    if app.search_settled:
                        break
                await app.workers.wait_for_complete()
            else:
                await pilot.press(key)
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        for widget in app.query("Input"):
            widget.cursor_blink = False
        await pilot.pause(0.1)
        (HERE / f"{name}.svg").write_text(app.export_screenshot(title=f"papers — {name}"), encoding="utf-8")
        print(f"wrote screenshots/{name}.svg")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, keys in VIEWS.items():
            asyncio.run(shoot(name, keys, Path(tmp) / name))


if __name__ == "__main__":
    main()
