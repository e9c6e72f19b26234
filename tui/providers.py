"""Command palette providers. Each hit carries a message for the screen the
palette was opened over (the main screen routes it); nothing here calls into
the app.

* :class:`ReaderCommands` -- every command of the reader, once, named by what
  it does, with its key; and "Go to paper…", which asks for title words;
* :class:`GoToProvider` -- saved searches, the Following feed, digests and
  papers by title ("go to paper kmax" looks for kmax);
* :class:`PaperTitles` -- papers by title only (the palette "Go to paper…" opens).
"""

from __future__ import annotations

import asyncio
import re
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from . import messages
from .core.following import FEED, FEED_LABEL
from .core.text import plural
from .widgets.render import one_line, plain

#: (what it does, action on the main screen, binding id for its key)
COMMANDS = [
    ("Search papers", "focus_search", "search"),
    ("Bookmark the selected paper (or remove its bookmark)", "bookmark", "bookmark"),
    ("Edit the tags of the selected paper", "tags", "tags"),
    ("Write the note of the selected paper", "note", "note"),
    ("Edit the note of the selected paper in $EDITOR", "edit_note", "edit_note"),
    ("Copy the link of the selected paper", "copy_link", "copy_link"),
    ("Copy the title, a Markdown link, BibTeX or the abstract…", "copy_menu", "copy_menu"),
    ("Open the selected paper in the browser", "open_link", "open_link"),
    ("Mark the selected paper read or unread", "toggle_read", "toggle_read"),
    ("Papers like the selected one", "more_like", "more_like"),
    ("Read the full text of the selected paper", "full_text", "full_text"),
    ("Follow or unfollow the authors of the selected paper…", "follow_authors", "follow_authors"),
    ("Papers like your bookmarks", "like_bookmarks", "like_bookmarks"),
    ("Mute papers like the selected one…", "mute_like", "mute_like"),
    ("Show or hide muted papers (dimmed, with the rule that mutes each)", "toggle_muted", "toggle_muted"),
    ("What's new since papers was last opened", "whats_new", "whats_new"),
    ("Fetch new papers from the Daily Papers API", "fetch", "fetch"),
    ("Triage a digest, one paper at a time", "triage", "triage"),
    ("Open the newer digest as a feed", "step_digest(-1)", "digest_newer"),
    ("Open the older digest as a feed", "step_digest(1)", "digest_older"),
    ("Sort the search results: by relevance, newest first, most upvoted first", "sort_results", "sort_results"),
    ("Save the query in the search box", "save_search", "save_search"),
    ("Show the Search pane", "pane('results')", "pane_search"),
    ("Show the Bookmarks pane", "pane('bookmarks')", "pane_bookmarks"),
    ("Show the Notes pane", "pane('notes')", "pane_notes"),
    ("Show the Digests pane", "pane('digests')", "pane_digests"),
    ("Show the Saved searches pane", "pane('saved')", "pane_saved"),
    ("Pick up changes another papers window made", "refresh", "refresh"),
    ("Show every key", "app.help", "help"),
]
GO_TO_PAPER = "Go to paper…"
_PAPER_PREFIX = re.compile(r"^\s*(go\s+to\s+)?paper\b\s*", re.IGNORECASE)


def _reader(provider: Provider):
    return getattr(provider.screen, "reader", None)


def _post(provider: Provider, message):
    return partial(provider.screen.post_message, message)


class ReaderCommands(Provider):
    def _commands(self):
        screen = self.screen
        if getattr(screen, "reader", None) is None:
            return
        # the screen's keys, and the panes' own (s sorts the Search pane)
        bindings = {b.id: b for node in (*screen.query("PaperList"), screen) for _, b in node._bindings if b.id}
        for title, action, binding_id in COMMANDS:
            name = action.split("(")[0]
            # "/" and the pane numbers are off only while typing (as now, in the
            # palette's own box): not asked now
            if not action.startswith("app.") and (not hasattr(screen, f"action_{name}") or (
                    name not in ("focus_search", "pane") and not screen.check_action(name, ()))):
                continue
            binding = bindings.get(binding_id)
            key = self.app.keys_of(binding) if binding is not None else ""
            yield title, key, _post(self, messages.Command(action))
        yield GO_TO_PAPER, "type words of its title", _post(self, messages.FindPaper())

    async def discover(self) -> Hits:
        for title, key, run in self._commands():
            yield DiscoveryHit(plain(title), run, text=title, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, key, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=key)


async def _paper_hits(provider: Provider, text: str, limit: int = 8) -> Hits:
    reader = _reader(provider)
    if reader is None or not reader.has_index or len(text) < 2:
        return
    result = await asyncio.to_thread(reader.search, text, limit)
    if result is None:
        return
    for rank, hit in enumerate(result.hits):
        title = one_line(hit.title)
        yield Hit(0.9 - rank * 0.05, Content.assemble(("Go to paper  ", "dim"), plain(title)),
                  _post(provider, messages.GoToPaper(hit.id)), text=f"Go to paper {title}",
                  help="paper matching your words")


class PaperTitles(Provider):
    async def search(self, query: str) -> Hits:
        async for hit in _paper_hits(self, query.strip()):
            yield hit


class GoToProvider(Provider):
    def _saved(self) -> list:
        reader = _reader(self)
        try:
            return reader.saved_searches() if reader is not None else []
        except Exception:
            return []

    def _saved_hit(self, x, score: float | None = None):
        count = _reader(self).saved_counts.get(x.name)
        help_text = x.query + (f" · {plural(count, 'paper')}" if count is not None else "") + (" · watch" if x.watch else "")
        text = f"Saved search {x.name}"
        run = _post(self, messages.RunSaved(x.name, x.query))
        if score is None:
            return DiscoveryHit(plain(text), run, text=text, help=help_text)
        return Hit(score, plain(text), run, text=text, help=help_text)

    def _digest_hit(self, d, score: float | None = None):
        label = d.label or d.name
        text = f"Go to digest {label}"
        run = _post(self, messages.OpenDigest(d.name))
        if score is None:
            return DiscoveryHit(plain(text), run, text=text, help=f"{plural(d.entries, 'paper')} · {d.name}")
        return Hit(score, plain(text), run, text=text, help=f"{plural(d.entries, 'paper')} · {d.name}")

    def _following_hit(self, score: float | None = None):
        """The Following feed, once an author is followed (None before)."""
        names = _reader(self).followed_names()
        if not names:
            return None
        text = f"Go to the {FEED_LABEL} feed"
        run = _post(self, messages.OpenDigest(FEED))
        help_text = "papers by " + ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        if score is None:
            return DiscoveryHit(plain(text), run, text=text, help=help_text)
        return Hit(score, plain(text), run, text=text, help=help_text)

    async def discover(self) -> Hits:
        reader = _reader(self)
        if reader is None or not reader.has_index:
            return
        for x in self._saved():
            yield self._saved_hit(x)
        following = self._following_hit()
        if following is not None:
            yield following
        for d in sorted(reader.digests(), key=lambda d: d.rank, reverse=True)[:10]:
            yield self._digest_hit(d)

    async def search(self, query: str) -> Hits:
        reader = _reader(self)
        text = query.strip()
        if not text or reader is None or not reader.has_index:
            return
        matcher = self.matcher(text)
        for x in self._saved():
            score = matcher.match(f"saved search {x.name} {x.query}")
            if score > 0:
                yield self._saved_hit(x, score)
        score = matcher.match(f"go to the {FEED_LABEL} feed: papers by followed authors")
        following = self._following_hit(score) if score > 0 else None
        if following is not None:
            yield following
        for d in reader.digests():
            score = matcher.match(f"go to digest {d.label or d.name} {d.name}")
            if score > 0:
                yield self._digest_hit(d, score)
        # "go to paper kmax" looks for kmax; "go to paper" alone is the command;
        # words that name a command ("fetch", "sort") look for no paper
        words = _PAPER_PREFIX.sub("", text)
        if words != text or not names_a_command(text):
            async for hit in _paper_hits(self, words):
                yield hit


def names_a_command(text: str) -> bool:
    """Every word of ``text`` begins a word of one command's name ("fetch",
    "fetch new", "sort res"): the command is meant, not a paper."""
    words = text.casefold().split()
    return bool(words) and any(all(any(t.startswith(w) for t in re.findall(r"\w+", title.casefold()))
                                   for w in words) for title, _, _ in COMMANDS)
