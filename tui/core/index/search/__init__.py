"""Reading the index: the query text (``query``), the query rewritten
(``rewrite``, ``signals``, ``vocabulary``), its matches from bitsets
(``docsets``, ``postings``, ``phrases``), ranked exactly (``rank``; the
straightforward ``reference`` it must equal), run (``execute``) by the
:class:`~.searcher.Searcher`, and highlighted (``highlight``).

Nothing is imported here: the modules import Whoosh, which a caller imports
through :func:`tui.core.index.whoosh_import.import_whoosh` first.
"""


def __getattr__(name: str):
    """A module of the package, imported when first asked for."""
    import importlib

    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
