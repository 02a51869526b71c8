"""The package layout: imports run one way (scenario <- model <- results <- experiments <-
dashboard <- report <- cli) and no module imports itself back through another."""

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1] / "sim"
LAYERS = ["scenario", "model", "results", "experiments", "dashboard", "report", "cli"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``sim`` module a file imports, at top level or inside functions."""
    out = set()
    pkg = _module_name(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sim")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                mod = ".".join(base[: len(base) - node.level + 1] + [node.module or ""]).strip(".")
            else:
                mod = node.module or ""
            if mod.startswith("sim"):
                out.add(mod)
                out |= {f"{mod}.{a.name}" for a in node.names}
    return out


def _graph() -> nx.DiGraph:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    g = nx.DiGraph()
    for name, path in files.items():
        g.add_node(name)
        for target in _imports(path):
            if target in files and target != name:
                g.add_edge(name, target)
    return g


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def _violations(g: nx.DiGraph) -> list[str]:
    wrong = []
    for a, b in g.edges:
        la, lb = _layer(a), _layer(b)
        if la is not None and lb is not None and lb > la:
            wrong.append(f"{a} imports {b}")
    return sorted(wrong)


def _cycles(g: nx.DiGraph) -> list:
    g = g.copy()
    # A package's __init__ re-exporting its own submodules is not a cycle of meaning.
    g.remove_edges_from([(a, b) for a, b in list(g.edges) if b.startswith(a + ".")])
    return list(nx.simple_cycles(g))


def test_imports_follow_the_layers():
    wrong = _violations(_graph())
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_checks_catch_planted_faults():
    g = nx.DiGraph([("sim.model.a", "sim.results.b"), ("sim.results.b", "sim.model.a")])
    assert _violations(g) == ["sim.model.a imports sim.results.b"]
    assert _cycles(g)


def test_relative_imports_are_resolved():
    assert "sim.model.world" in _imports(ROOT / "model" / "model.py")


def test_architecture_document_names_every_package():
    text = (ROOT.parent / "docs" / "architecture.md").read_text()
    packages = [p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()]
    missing = [p for p in packages if f"`sim.{p}`" not in text]
    assert not missing, f"docs/architecture.md does not describe: {missing}"


def test_no_module_over_400_lines():
    """Modules stay readable in one sitting (issue #11): split by rule or concern past ~400."""
    long = {
        p.relative_to(ROOT.parent).as_posix(): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}, f"split these modules: {long}"
