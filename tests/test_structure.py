"""The shape of the code, checked: no import cycle between modules of ``tui``
(imports inside functions count too), nothing outside ``tui/core`` reaches
into the index's storage (``.catalog``), and no module or class grows past
the size a newcomer can read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import tui

ROOT = Path(tui.__file__).resolve().parent
MODULE_LINES = 600
CLASS_LINES = 400


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


def test_nothing_outside_core_reaches_into_the_index_catalog():
    offenders = []
    for name, path in _modules().items():
        if name.startswith("tui.core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "catalog":
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert offenders == []


def test_no_module_is_over_600_lines():
    big = {f"{path.relative_to(ROOT.parent)}": n for path in _modules().values()
           if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES}
    assert big == {}


def test_no_class_is_over_400_lines():
    big = {}
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > CLASS_LINES:
                big[f"{path.relative_to(ROOT.parent)}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert big == {}


def test_readme_code_map_names_every_module():
    """README's "The code" has a line per module: a new module gets its line."""
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The code", 1)[1].split("\n## ", 1)[0]
    missing = sorted(str(path.relative_to(ROOT)) for path in _modules().values()
                     if not path.name.startswith("__") and f" {path.name}" not in section)
    assert missing == []
