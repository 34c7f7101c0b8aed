"""The folder layout is the architecture: dependencies point one way and no module grows past a page count.

Every import statement is counted, including those inside functions: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "eiso"
ADAPTERS = ("eiso.cli", "eiso.mkdocs")  # the only layers allowed to depend on the rest
ENGINE = ("mkdocs", "material", "properdocs")
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str] | None = None) -> set[str]:
    """Absolute names of every module this one imports (relative imports resolved)."""
    known = set(_modules()) if known is None else known
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            # `from pkg import module` depends on the module; `from module import name` on the module.
            found.update(submodules or {base})
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {i for i in _imports(name, path, set(modules)) if i in modules and i != name}
            for name, path in modules.items()}


def _in(name: str, layers: tuple[str, ...]) -> bool:
    return any(name == layer or name.startswith(layer + ".") for layer in layers)


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_core_imports_neither_the_engine_nor_the_command_line() -> None:
    offenders = []
    for name, path in _modules().items():
        if _in(name, ADAPTERS):
            continue
        for target in _imports(name, path):
            if target.split(".")[0] in ENGINE or _in(target, ADAPTERS):
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders


def test_only_the_mkdocs_adapter_imports_the_engine() -> None:
    offenders = [f"{name} imports {t}" for name, path in _modules().items() if not _in(name, ("eiso.mkdocs",))
                 for t in _imports(name, path) if t.split(".")[0] in ENGINE]
    assert not offenders, offenders


def test_no_module_is_longer_than_a_page_count() -> None:
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_the_checker_sees_a_cycle_when_there_is_one(tmp_path: Path) -> None:
    # The graph reader must resolve relative imports, or the cycle test above could never fail.
    package = tmp_path / "eiso" / "sub"
    package.mkdir(parents=True)
    (tmp_path / "eiso" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import x\n")
    (package / "b.py").write_text("def f():\n    from ..sub import a\n")
    known = {"eiso", "eiso.sub", "eiso.sub.a", "eiso.sub.b"}
    assert _imports("eiso.sub.a", package / "a.py", known) == {"eiso.sub.b"}
    assert _imports("eiso.sub.b", package / "b.py", known) == {"eiso.sub.a"}
