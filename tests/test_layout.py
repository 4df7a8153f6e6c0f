"""The storepulse package is split by role, and its parts import each other one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import storepulse

PACKAGE = Path(storepulse.__file__).parent
# What each part may import from storepulse (besides itself): lower layers only.
ALLOWED = {
    "synth": set(),
    "db": set(),
    "testkit": {"db"},
    "load": {"testkit", "synth"},
    "demo": {"db", "testkit", "load", "synth"},
    "bench": {"db", "testkit", "load", "synth"},
    "cli": {"db", "demo", "testkit"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every storepulse module and the storepulse modules it imports (lazily or not)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("storepulse"):
                    for alias in node.names:  # `from storepulse.db import migrate`
                        sub = f"{node.module}.{alias.name}"
                        where = PACKAGE.parent / sub.replace(".", "/")
                        is_module = where.with_suffix(".py").exists() or where.is_dir()
                        found.add(sub if is_module else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("storepulse")}
        graph[name] = found - {name}
    return graph


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "storepulse"


def test_parts_import_only_lower_layers() -> None:
    """Each part imports only the parts below it.

    db and synth stand alone; the test kit builds on db; loading on the kit; the demo,
    the benchmarks and the command on the rest.
    """
    wrong = []
    for module, deps in _imports().items():
        part = _part(module)
        if part == "storepulse":
            continue
        for dep in deps:
            if dep == "storepulse" or _part(dep) not in ALLOWED[part] | {part}:
                wrong.append(f"{module} imports {dep}")
    assert not wrong, wrong
    assert set(ALLOWED) == {_part(m) for m in _imports()} - {"storepulse"}


def test_no_module_imports_itself_through_others() -> None:
    """No import cycle among storepulse's modules, lazy imports included."""
    graph = _imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep):], dep])
            elif dep in graph and not state.get(dep):
                visit(dep, [*stack, dep])
        state[node] = 2

    for module in sorted(graph):
        if not state.get(module):
            visit(module, [module])
    assert not cycles, cycles
