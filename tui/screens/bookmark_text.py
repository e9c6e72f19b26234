"""A bookmark made in the reader brings the paper's full text when
``[fetch] full_text = "bookmarked"`` says so, as ``papers fetch --full-text``
would: downloaded (with the paper's details) in a thread worker of the app,
so that it outlives the screen the bookmark was made on and never holds a
key up; one download at a time, two requests a second at most; then the
paper is indexed again with its text. A text already cached, or a paper
without an arXiv id, asks for nothing; a failure is one quiet notification."""

from __future__ import annotations

import threading
import time

from ..widgets.render import one_line

_one_at_a_time = threading.Lock()
_last_end = [0.0]  # time.monotonic() when the last download ended


def fetch_after_bookmark(screen, paper) -> None:
    """``paper`` was just bookmarked on ``screen``: its full text in the
    background, if the configuration asks for it and it is not cached."""
    reader = screen.reader
    if (paper is None or not paper.arxiv_id or reader.paths is None
            or reader.config.fetch_full_text != "bookmarked"):
        return
    from ..core.fulltext import cache_path

    if cache_path(reader.paths, paper.id).is_file():
        return
    app = screen.app
    app.run_worker(lambda: _fetch(app, reader, paper), thread=True, group="bookmark-text",
                   name=f"full text of {paper.id}", exit_on_error=False)


def _fetch(app, reader, paper) -> None:
    """(In a thread.) Download, index; a failure said in one line."""
    from textual.worker import get_current_worker

    from ..core.fetch import api_url
    from ..core.fulltext import MIN_INTERVAL, fetch_texts, site_url

    worker = get_current_worker()
    with _one_at_a_time:
        wait = MIN_INTERVAL - (time.monotonic() - _last_end[0])
        if wait > 0:
            time.sleep(wait)
        try:
            report = fetch_texts(reader.paths, [paper], site=site_url(reader.config), api=api_url(reader.config),
                                 should_stop=lambda: worker.is_cancelled)
            failed = [reason for _, reason in report.failed]
        except ValueError as e:  # the site's address in config.toml or PAPERS_API_URL is not a URL
            report, failed = None, [str(e)]
        finally:
            _last_end[0] = time.monotonic()
    if worker.is_cancelled:
        return
    if failed:
        app.call_from_thread(app.notify, f"Full text of “{one_line(paper.title)[:60]}” not fetched: {failed[0]}",
                             timeout=6, markup=False)
    elif report is not None and report.fetched:
        reader.index_texts([paper.id])
