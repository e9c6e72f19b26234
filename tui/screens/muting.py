"""Mutes in the reader, for any screen that shows papers: ``X`` offers the
selected paper's key terms as a mute to edit and keep; the palette's "Show
or hide muted papers" toggles them (shown dimmed, each with its rule). The
screen lists again through its ``mutes_changed``."""

from __future__ import annotations

from ..core.text import plural
from ..widgets.dialogs import LineDialog

# ``screen``: a PaperScreen (not imported here: it imports this module)


def offer(screen, pid: str | None) -> None:
    """Find the paper's key terms in a thread, then ask with them filled in
    (nothing without a paper, an index or a library)."""
    if pid is None or screen.reader.index is None or screen.reader.library is None:
        return
    def terms() -> None:
        from ..core.mutes import offered
        from ..core.related import more_like

        reader = screen.reader
        with reader.lock:
            found = more_like(reader.index, [pid], "", limit=1).terms if reader.index is not None else ()
        screen.app.call_from_thread(ask, screen, offered(found))

    screen.run_worker(terms, thread=True, group="mute", exclusive=True, exit_on_error=False)


def ask(screen, query: str) -> None:
    def done(text: str | None) -> None:
        screen.dialog_closed()
        if text and text.strip():
            screen.run_worker(lambda: keep(screen, text), thread=True, group="mute", exit_on_error=False)

    screen.app.push_screen(LineDialog(
        "Mute papers like this", query, placeholder='words, tag:, author:, "a phrase"',
        hint="Bookmarked papers are never hidden."), done)


def keep(screen, query: str) -> None:
    """(In a thread.) Mute ``query``; say what it hides, or why it was refused."""
    from ..core.library import InvalidMute, LibraryError

    app = screen.app
    try:
        done = screen.reader.mute(query)
    except (InvalidMute, LibraryError) as e:
        app.call_from_thread(screen.notify, str(e), severity="error", timeout=8, markup=False)
        return
    said = (f"Muted {done.mute.query!r}: {plural(done.hides, 'paper')} hidden" if done.added
            else f"{done.mute.query!r} was muted already")
    app.call_from_thread(screen.notify, said, timeout=5, markup=False)
    app.call_from_thread(screen.mutes_changed)


def toggle(screen) -> None:
    """Show muted papers (dimmed, with the rule that hides each) or hide them again."""
    reader = screen.reader
    reader.show_muted = not reader.show_muted
    screen.notify("Muted papers shown, dimmed" if reader.show_muted else "Muted papers hidden",
                  timeout=3, markup=False)
    screen.mutes_changed()
