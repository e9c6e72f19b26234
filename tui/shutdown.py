"""Ending the reader on SIGHUP (the terminal closed) or SIGTERM.

Python's default for both is to end at once: the note being typed was lost and
the terminal stayed in the alternate screen, in raw mode, with mouse reporting
on. Instead the reader saves what is unsaved, restores the terminal and exits
with 128 + the signal number, as a shell reports a process a signal ended:

* at the signal, every screen that holds unsaved text saves it (a screen says
  so with a ``save_unsaved()`` method);
* keys already read from the terminal get :data:`SETTLE` seconds to reach the
  editor, which then saves again, and the app exits the normal way, which
  restores the terminal;
* if that does not finish within :data:`GRACE` seconds (a terminal that is
  gone can block the last writes), the process ends anyway: by then the
  library has what was typed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading

from textual.app import App

SIGNALS = (signal.SIGHUP, signal.SIGTERM)
SETTLE = 0.15  # seconds for keys read before the signal to reach the editor
GRACE = 3.0  # seconds the orderly exit may take


def exit_cleanly_on_signals(app: App) -> None:
    """Make SIGHUP and SIGTERM save, restore the terminal and exit (the app's
    event loop must be running: call this from ``on_mount``)."""
    if app.is_headless:  # tests drive the app without a terminal; leave the process alone
        return
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        try:
            loop.add_signal_handler(sig, _on_signal, app, sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            return


def save_unsaved(app: App) -> None:
    """Ask every screen with unsaved text to save it now."""
    for screen in list(app.screen_stack):
        save = getattr(screen, "save_unsaved", None)
        if save is not None:
            try:
                save()
            except Exception:  # the library refused: nothing more can be done on the way out
                pass


def _on_signal(app: App, sig: int) -> None:
    code = 128 + int(sig)
    save_unsaved(app)
    watchdog = threading.Timer(GRACE, os._exit, (code,))
    watchdog.daemon = True
    watchdog.start()

    def finish() -> None:
        save_unsaved(app)
        app.exit(return_code=code)

    app.set_timer(SETTLE, finish)
