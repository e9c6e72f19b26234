"""The Notes pane: every paper with a note, the note's first line under it."""

from __future__ import annotations

from .paper_list import PaperList
from .papers_list import RowState, row_content, where_text


class Notes(PaperList):
    EMPTY = "No notes yet — press n on a paper to write one."

    def reload(self) -> None:
        if self.reader.library is None:
            return
        records = self.reader.library.notes()
        papers = self.reader.papers(r.id for r in records)
        rows = []
        for r in records:
            p = papers.get(r.id)
            state = RowState(r.bookmarked, True, r.read)
            rows.append((r.id, row_content(p.title if p else r.title or r.id, (),
                                           where_text(p, r.snapshot.labels if r.snapshot else ()), state,
                                           extra=r.note or "")))
        self.set_rows(rows, len(rows), keep=self.current_id)
        self.set_status(f"{len(rows)} note{'s' if len(rows) != 1 else ''}")
