"""The Notes pane: every paper with a note, the note's first line under it."""

from __future__ import annotations

from ..core.text import plural
from .paper_list import PaperList


class Notes(PaperList):
    EMPTY = "No notes yet — press n on a paper to write one."

    def reload(self) -> None:
        if not self.reader.has_library:
            return
        records = self.reader.notes()
        rows = self.library_rows(records, extra=lambda r: r.note or "")
        self.set_rows(rows, len(rows), keep=self.current_id)
        self.set_status(plural(len(rows), "note"))
