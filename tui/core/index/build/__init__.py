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


from ..whoosh_import import submodules_on_first_use

__getattr__ = submodules_on_first_use(__name__)
