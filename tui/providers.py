"""Command palette: "go to paper…", "go to digest…", saved searches (every action of the
reader is offered too, through ``PapersApp.get_system_commands``).

Each hit carries a message for the screen the palette was opened over; the
main screen routes it."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from . import messages
from .widgets.render import one_line, plain


class GoToProvider(Provider):
    @property
    def reader(self):
        return getattr(self.screen, "reader", None)

    def _post(self, message):
        return partial(self.screen.post_message, message)

    def _saved(self) -> list:
        library = self.reader.library if self.reader else None
        try:
            return library.saved_searches() if library is not None else []
        except Exception:
            return []

    def _saved_hit(self, x, score: float | None = None):
        count = self.reader.saved_counts.get(x.name)
        help_text = x.query + (f" · {count} papers" if count is not None else "") + (" · watch" if x.watch else "")
        text = f"Saved search {x.name}"
        run = self._post(messages.RunSaved(x.name, x.query))
        if score is None:
            return DiscoveryHit(plain(text), run, text=text, help=help_text)
        return Hit(score, plain(text), run, text=text, help=help_text)

    async def discover(self) -> Hits:
        reader = self.reader
        if reader is None or reader.index is None:
            return
        for x in self._saved():
            yield self._saved_hit(x)
        for d in sorted(reader.digests(), key=lambda d: d.rank, reverse=True)[:10]:
            label = d.label or d.name
            yield DiscoveryHit(plain(f"Go to digest {label}"), self._post(messages.OpenDigest(d.name)),
                               text=f"Go to digest {label}", help=f"{d.entries} papers · {d.name}")

    async def search(self, query: str) -> Hits:
        reader = self.reader
        text = query.strip()
        if not text or reader is None or reader.index is None:
            return
        matcher = self.matcher(text)
        for x in self._saved():
            score = matcher.match(f"saved search {x.name} {x.query}")
            if score > 0:
                yield self._saved_hit(x, score)
        for d in reader.digests():
            label = d.label or d.name
            candidate = f"go to digest {label} {d.name}"
            score = matcher.match(candidate)
            if score > 0:
                yield Hit(score, plain(f"Go to digest {label}"), self._post(messages.OpenDigest(d.name)),
                          text=f"Go to digest {label}", help=f"{d.entries} papers · {d.name}")
        if len(text) < 2:
            return
        result = await asyncio.to_thread(reader.search, text, 8)
        if result is None:
            return
        for rank, hit in enumerate(result.hits):
            title = one_line(hit.title)
            yield Hit(0.9 - rank * 0.05, Content.assemble(("Go to paper  ", "dim"), plain(title)),
                      self._post(messages.GoToPaper(hit.id)), text=f"Go to paper {title}",
                      help="paper matching your words")
