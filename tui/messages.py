"""What the panes, the palette and the screens tell each other.

A pane never reaches into another pane: it posts one of these, and the screen
it is on routes it (the main screen to its Search pane, triage back to the main
screen). The screen calls down into its panes; the panes only post up.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenDigest(Message):
    """Show a digest as a feed in the Search pane."""

    name: str


@dataclass
class RunSaved(Message):
    """Run a saved search in the Search pane."""

    name: str
    query: str


@dataclass
class GoToPaper(Message):
    """Show one paper in the Search pane, selected."""

    paper_id: str


@dataclass
class MoreLike(Message):
    """Show the papers that share the key terms of ``paper_ids``."""

    paper_ids: tuple[str, ...]
    about: str


@dataclass
class Triage(Message):
    """Triage a digest (None: the newest)."""

    name: str | None


@dataclass
class OpenDetails(Message):
    """Enter on a paper: its details are opened (and read after a dwell)."""

    paper_id: str


@dataclass
class ShowDetails(Message):
    """A pane's selection or rows changed: if it is on screen, show its details."""

    pane: object


@dataclass
class Status(Message):
    """A pane's status line changed (the screen shows the current pane's)."""

    pane: object
    text: str


@dataclass
class Dwelled(Message):
    """A paper's details stayed open for the dwell time: it counts as read."""

    paper_id: str


@dataclass
class Command(Message):
    """A command chosen in the palette: run ``action`` on the screen it was chosen over."""

    action: str


class FindPaper(Message):
    """Ask for words of a paper's title (the palette's "go to paper…")."""


@dataclass
class WorkerFailed(Message):
    """A pane's worker ended with an error (a worker's own state message does
    not bubble): the app shows it, or rebuilds a damaged index."""

    worker: object  # textual.worker.Worker
