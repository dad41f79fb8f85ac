"""The import graph of the portwho package, from its source (module-level and function-level
imports; imports under `if TYPE_CHECKING:` are left out, they never run).

    python scripts/import_graph.py            print the folder-level graph
    python scripts/import_graph.py --cycles   list module-level import cycles (exit 1 if any)
    python scripts/import_graph.py --write    rewrite the generated block of docs/architecture.md
    python scripts/import_graph.py --check    exit 1 when that block is out of date

`make lint` runs --cycles and --check.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "portwho"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- import-graph:begin -->", "<!-- import-graph:end -->"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The portwho modules `path` imports anywhere in its code (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    here = module_name(path)
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import sub` depends on pkg.sub, not on what pkg/__init__ defines
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found.update(subs & modules if subs <= modules else {node.module, *subs})
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in modules and m != here}


def graph() -> dict[str, set[str]]:
    files = sorted(PKG.rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, modules) for f in files}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def folder_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {}
    for src, targets in edges.items():
        a = _room(src)
        rooms.setdefault(a, set()).update(_room(t) for t in targets if _room(t) != a)
    return rooms


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and (PKG / parts[1]).is_dir():
        return parts[1] + "/"
    return parts[-1] if len(parts) > 1 else "__init__"


def render(edges: dict[str, set[str]]) -> str:
    rooms = folder_edges(edges)
    lines = [BEGIN, "", "```text"]
    width = max(len(r) for r in rooms)
    for room in sorted(rooms):
        targets = ", ".join(sorted(rooms[room])) or "(nothing in portwho)"
        lines.append(f"{room:<{width}}  -> {targets}")
    lines += ["```", "", END]
    return "\n".join(lines)


def current_doc() -> str:
    return DOC.read_text(encoding="utf-8") if DOC.exists() else ""


def with_block(doc: str, block: str) -> str:
    if BEGIN in doc and END in doc:
        head, _, rest = doc.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block + tail
    return doc.rstrip() + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    edges = graph()
    block = render(edges)
    if args.cycles:
        found = cycles(edges)
        for comp in found:
            print("import cycle: " + " <-> ".join(comp))
        return 1 if found else 0
    if args.write:
        DOC.write_text(with_block(current_doc(), block), encoding="utf-8")
        return 0
    if args.check:
        if with_block(current_doc(), block) != current_doc():
            print("docs/architecture.md's import graph is out of date: make docs")
            return 1
        return 0
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
