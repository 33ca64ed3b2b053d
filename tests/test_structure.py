"""The house's rules, checked on the source: imports point one way without cycles, no module takes another's
private names, functions fit a screen, and op names are known only to the op table."""

from __future__ import annotations

import ast
from pathlib import Path

import autograd

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "viz", "backprop", "inputfiles")
LONGEST = 60  # lines a function may have
# Which packages each package may import: nn -> autograd <- viz; backprop may use them all.
ALLOWED = {
    "inputfiles": set(),
    "autograd": set(),
    "nn": {"autograd", "inputfiles"},
    "viz": {"autograd"},
    "backprop": {"autograd", "nn", "viz", "inputfiles"},
}


def modules() -> dict[str, ast.Module]:
    """Every module of the packages by dotted name, parsed."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = ast.parse(path.read_text(), str(path))
    return found


MODULES = modules()


def imports(tree: ast.Module) -> list[tuple[ast.ImportFrom | ast.Import, str]]:
    """Every import of a project module in tree (at any depth, TYPE_CHECKING blocks aside), with its target."""
    skipped = {id(n) for s in ast.walk(tree) if isinstance(s, ast.If) and "TYPE_CHECKING" in ast.unparse(s.test)
               for n in ast.walk(s)}  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node, a.name) for a in node.names if a.name.split(".")[0] in PACKAGES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
            for a in node.names:
                target = f"{node.module}.{a.name}"
                found.append((node, target if target in MODULES else node.module))
    return found


def wrong_way_imports(mods: dict[str, ast.Module]) -> list[str]:
    """Imports of a package that its package may not use."""
    return [
        f"{name} imports {target}"
        for name, tree in mods.items()
        for _, target in imports(tree)
        if target.split(".")[0] != name.split(".")[0] and target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]


def import_cycle(mods: dict[str, ast.Module]) -> list[str] | None:
    """A chain of modules that import each other round (function-level imports too), or None."""
    edges = {name: {t for _, t in imports(tree) if t in mods and t != name} for name, tree in mods.items()}
    for package in {n for n in mods if "." not in n}:  # a package's __init__ re-exports its modules: not a cycle
        edges[package] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                return [*path, name, target]
            if target not in state and (cycle := visit(target, [*path, name])):
                return cycle
        state[name] = 2
        return None

    return next((cycle for name in sorted(mods) if name not in state and (cycle := visit(name, []))), None)


def private_imports(mods: dict[str, ast.Module]) -> list[str]:
    """Names starting with _ that a module takes from another."""
    return [
        f"{name} takes {node.module}.{a.name}"
        for name, tree in mods.items()
        for node, _ in imports(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
        if a.name.startswith("_") and not a.name.startswith("__")
    ]


def long_functions(mods: dict[str, ast.Module]) -> list[str]:
    """Functions longer than LONGEST lines."""
    return [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in mods.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > LONGEST
    ]


def op_name_checks(mods: dict[str, ast.Module]) -> list[str]:
    """Comparisons of a node's op with an op's name outside autograd/ops.py."""
    names, found = set(autograd.OPS), []
    for name, tree in mods.items():
        if name == "autograd.ops":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and "op" in {
                n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
            }:
                strings = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
                found += [f"{name}:{node.lineno}: {ast.unparse(node)}" for _ in strings & names]
    return found


def test_the_house_keeps_its_rules():
    assert wrong_way_imports(MODULES) == []
    assert import_cycle(MODULES) is None
    assert private_imports(MODULES) == []
    assert long_functions(MODULES) == []
    assert op_name_checks(MODULES) == []


def test_each_rule_finds_what_breaks_it():
    bad = {
        "autograd.value": ast.parse("from nn import layers\nfrom autograd.graph import order\n"),
        "autograd.graph": ast.parse("def f():\n    from autograd.value import _modes\n" + "    x = 1\n" * 60),
        "viz.network": ast.parse("if node.op == 'mul':\n    pass\n"),
        "nn.layers": ast.parse(""),
    }
    assert wrong_way_imports(bad) == ["autograd.value imports nn.layers"]
    assert import_cycle(bad) == ["autograd.graph", "autograd.value", "autograd.graph"]
    assert private_imports(bad) == ["autograd.graph takes autograd.value._modes"]
    assert long_functions(bad) == ["autograd.graph.f: 62 lines"]
    assert op_name_checks(bad) == ["viz.network:1: node.op == 'mul'"]
