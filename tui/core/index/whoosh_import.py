"""Importing Whoosh without the modules it imports for features the index
does not use: ``whoosh.compat`` imports ``urllib.request`` (with ``http``,
``email`` and ``ssl``) for a download helper, and ``whoosh.reading`` imports the
``cached_property`` package, which imports ``asyncio``, for one property. That
is about a third of what starting ``papers search`` imports.

:func:`import_whoosh` imports Whoosh with stand-ins for those two, taken out
of ``sys.modules`` again at once, so whoever imports them later gets the real
modules: the download helper loads the real ``urllib.request`` when called,
and the property is :func:`functools.cached_property`, which does the same
(computed once per object, kept in its ``__dict__``).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types


def _urlretrieve(*args, **kwargs):
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    if "whoosh.compat" in sys.modules:
        return
    stand_ins = {}
    if "urllib.request" not in sys.modules:
        stand_ins["urllib.request"] = types.ModuleType("urllib.request")
        stand_ins["urllib.request"].urlretrieve = _urlretrieve
    if "cached_property" not in sys.modules:
        stand_ins["cached_property"] = types.ModuleType("cached_property")
        stand_ins["cached_property"].cached_property = functools.cached_property
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("whoosh.compat")
        importlib.import_module("whoosh.reading")
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def submodules_on_first_use(package: str):
    """A package's ``__getattr__`` that imports its module ``name`` when first
    asked for (``build`` and ``search`` import nothing up front)."""

    def __getattr__(name: str):
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{package}.{name}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return __getattr__
