"""Reading the index: the query text (``query``), the query rewritten
(``rewrite``, ``signals``, ``vocabulary``), its matches from bitsets
(``docsets``, ``postings``, ``phrases``), ranked exactly (``rank``; the
straightforward ``reference`` it must equal), run (``execute``) by the
:class:`~.searcher.Searcher`, and highlighted (``highlight``).

Nothing is imported here: the modules import Whoosh, which a caller imports
through :func:`tui.core.index.whoosh_import.import_whoosh` first.
"""


from ..whoosh_import import submodules_on_first_use

__getattr__ = submodules_on_first_use(__name__)
