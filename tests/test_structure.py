"""The shape of the code, checked: no import cycle between modules of ``tui``
(imports inside functions count too) and no import from a lower layer to a
higher one; nothing outside ``tui/core`` reaches into the index's storage
(``.catalog``); no pane reaches past the reader into the index or the
library; no module or object grows past what a newcomer can read in one
sitting (an object counted whole, with the project classes it inherits
from); no two modules or classes share a name; and the main screen names no
pane to redraw."""

from __future__ import annotations

import ast
from pathlib import Path

import tui

ROOT = Path(tui.__file__).resolve().parent
MODULE_LINES = 600
OBJECT_LINES = 600  # hike's main screen, one readable object, is 547
#: the layers, lowest first: a module imports from its own layer and those below
LAYERS = [
    ("core", ["tui.core", "tui.console"]),  # tui itself (its version) counts as core too
    ("reader", ["tui.reader"]),
    ("widgets", ["tui.widgets", "tui.messages"]),
    ("providers", ["tui.providers"]),
    ("screens", ["tui.screens"]),
    ("app", ["tui.app", "tui.keymap", "tui.shutdown"]),
    ("cli", ["tui.cli", "tui.bench", "tui.__main__"]),
]
#: objects that may stay bigger, or joined by inheritance, for now
ALLOWED: set[str] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``tui`` modules that module ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # a name imported from a module: the module
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    graph = {name: _imports(name, path, known) for name, path in mods.items()}
    # importing a.b.c runs a/__init__ and a/b/__init__ first: that is not a cycle
    # of the package with its own modules, so a package's edges to its parents go
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _layer(module: str) -> int:
    """The layer of a module of ``tui`` (its place in LAYERS)."""
    if module == "tui":
        return 0
    found = [(len(prefix), rank) for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
             if module == prefix or module.startswith(prefix + ".")]
    assert found, f"{module} is in no layer: add it to LAYERS"
    return max(found)[1]


def _classes() -> dict[str, tuple[str, ast.ClassDef]]:
    """Every class defined at the top of a module of ``tui``, by its own
    name (names are unique: see the test below): (module, its definition)."""
    out = {}
    for name, path in _modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                out.setdefault(node.name, (name, node))
    return out


def _project_bases(node: ast.ClassDef, classes: dict) -> list[str]:
    names = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else None
             for b in node.bases]
    return [n for n in names if n in classes and n != node.name]


def _whole(name: str, classes: dict) -> tuple[int, set[str]]:
    """A class's lines counted whole: its own and those of every project class
    it inherits from, each once however the bases join (a diamond counts its
    top once); and the names of those bases."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += _project_bases(classes[n][1], classes)
    lines = sum(classes[n][1].end_lineno - classes[n][1].lineno + 1 for n in seen)
    return lines, seen - {name}


def test_the_import_graph_sees_imports_inside_functions():
    graph = _graph()
    assert "tui.core.index" in graph["tui.core.session"]  # imported inside a method
    assert "tui.core.fsio" in graph["tui.core.watched_folders"]


def test_no_import_cycle_between_modules_of_tui():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_runs_up_the_layers():
    """core < reader < widgets < providers < screens < app < cli: a module
    imports from its own layer or a lower one, never from a higher one."""
    upward = sorted(f"{name} -> {dep}" for name, deps in _graph().items() for dep in deps
                    if _layer(dep) > _layer(name))
    assert upward == []


def test_the_layer_check_sees_an_upward_import():
    assert _layer("tui.widgets.saved") > _layer("tui.reader") > _layer("tui.core.library.db")
    assert _layer("tui.screens.triage") > _layer("tui.widgets.dialogs")
    assert _layer("tui.cli.main") > _layer("tui.app") > _layer("tui.screens.triage")


def test_nothing_outside_core_reaches_into_the_index_catalog():
    offenders = []
    for name, path in _modules().items():
        if name.startswith("tui.core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "catalog":
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert offenders == []


def test_panes_reach_the_index_and_the_library_through_the_reader_alone():
    """A pane (and the palette) asks the reader; it never takes ``reader.lock``
    or holds ``reader.index`` or ``reader.library`` itself."""
    offenders = []
    for name, path in _modules().items():
        if not (name.startswith("tui.widgets") or name == "tui.providers"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("lock", "index", "library"):
                owner = node.value
                if (isinstance(owner, ast.Name) and owner.id == "reader"
                        or isinstance(owner, ast.Attribute) and owner.attr == "reader"):
                    offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} reader.{node.attr}")
    assert offenders == []


def _pane_ids_named(path: Path, ids: set[str]) -> list[str]:
    """The strings of a module that name a pane: its id, its tab's, a selector."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.lstrip("#") in ids or text.startswith("tab-") and text.removeprefix("tab-") in ids:
                out.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {text!r}")
    return out


def test_the_screens_name_no_pane():
    """The screens tell the panes what changed and let each decide what to
    redraw: no pane id, tab id or selector for one in screen code (so no
    ``pane.id in ("bookmark-list", "notes")``). The keys 1 to 5 are bound to
    ``pane('…')``: a command naming the pane it shows, which Panes resolves."""
    from tui.widgets.panes import NAMES

    ids = set(NAMES) | {"bookmark-list"}
    offenders = [line for name, path in _modules().items() if name.startswith("tui.screens")
                 for line in _pane_ids_named(path, ids)]
    assert offenders == []
    assert _pane_ids_named(ROOT / "widgets" / "panes.py", ids)  # the check sees them where they are


def test_no_module_is_over_600_lines():
    big = {f"{path.relative_to(ROOT.parent)}": n for path in _modules().values()
           if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES}
    assert big == {}


def test_no_object_is_over_600_lines_counted_whole():
    """A class with the project classes it inherits from is one object to
    read: its own lines plus its project bases', each base once."""
    classes = _classes()
    big = {}
    for name, (module, _) in classes.items():
        lines, _ = _whole(name, classes)
        if lines > OBJECT_LINES and f"{module}.{name}" not in ALLOWED:
            big[f"{module}.{name}"] = lines
    assert big == {}


def test_whole_counts_a_diamond_once():
    tree = ast.parse("class A:\n    x = 1\n\n\nclass B(A):\n    y = 1\n\n\nclass C(A):\n    z = 1\n\n\n"
                     "class D(B, C):\n    pass\n")
    classes = {n.name: ("m", n) for n in tree.body}
    assert _whole("D", classes) == (8, {"A", "B", "C"})


def test_a_class_has_at_most_one_project_base():
    """Parts are held, not mixed in: a project class inherits from another only
    where it is a kind of it (a pane is a PaperList, a screen a PaperScreen)."""
    classes = _classes()
    mixed = {f"{module}.{name}": bases for name, (module, node) in classes.items()
             if len(bases := _project_bases(node, classes)) > 1 and f"{module}.{name}" not in ALLOWED}
    assert mixed == {}


def test_no_two_modules_or_classes_share_a_name():
    """A name says what it holds, once: no two modules (or a module and a
    package) and no two top-level classes of ``tui`` are called the same."""
    names: dict[str, list[str]] = {}
    for name, path in _modules().items():
        if path.name not in ("__main__.py",) and name != "tui":
            names.setdefault(name.rpartition(".")[2], []).append(name)
    assert {n: where for n, where in names.items() if len(where) > 1} == {}
    classes: dict[str, list[str]] = {}
    for name, path in _modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(name)
    assert {n: where for n, where in classes.items() if len(where) > 1} == {}


def test_readme_code_map_names_every_module():
    """The code map (docs/code.md) has a line per module: a new module gets its line."""
    section = (ROOT.parent / "docs" / "code.md").read_text(encoding="utf-8")
    missing = sorted(str(path.relative_to(ROOT)) for path in _modules().values()
                     if not path.name.startswith("__") and f" {path.name}" not in section)
    assert missing == []


def test_readme_reads_in_a_newcomers_order_and_links_what_moved_to_docs():
    """What it is, set-up, the reader, the shell, search, the library, fetching;
    Performance, Reliability and The code are pages of docs/, each linked, and
    every link between them leads to a file that exists."""
    import re

    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    heads = [line[3:] for line in readme.splitlines() if line.startswith("## ")]
    first = ["Set-up", "The reader", "Using it from the shell", "Search"]
    assert heads[:4] == first
    assert heads.index("Your library: bookmarks, tags, notes, read state") < heads.index("Fetching the Daily Papers")
    for page in ("performance.md", "reliability.md", "code.md"):
        assert f"](docs/{page})" in readme
    for doc in [ROOT.parent / "README.md", *(ROOT.parent / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+\.(?:md|svg))", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), (doc.name, target)
