"""Writing the index: how text becomes terms (``analysis``), the Whoosh schema
and the document a paper becomes (``schema``), positions stored compactly
(``codec``), the bulk segment writer with its bitsets, frequency planes and
length classes (``bulk``), the second process of a big first build
(``second_process``), the writer that keeps the index in line with the
digests and the library (``writer``), and the agreement of index and catalog
through interruptions and damage (``recovery``).

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
