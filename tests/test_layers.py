"""The house's floors: no import runs back up a layer, and no two packages import each other.

Each part of the system sits on a floor and may import only from its own floor or below.
Imports are read from the source (every `import` and `from ... import`, at module level or
inside a function), so a lazy import that runs back up is caught too.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A part imports its own floor or lower ones; parts on one floor do not
# import each other.
FLOORS = (
    ("agents", "evo.errors", "evo.__init__"),
    ("evo.scenario",),
    # Storage and evaluation sit below every optimizer loop, and neither needs the other:
    # the loop, the analysis and the replay all play agents through evo.evaluation.
    ("evo.store", "evo.evaluation"),
    ("evo.evolution",),
    ("evo.replay", "evo.sweep", "evo.bench"),
    ("evo.analysis",),
    ("evo.study",),
    ("evo.demo",),
    ("evo.api", "evo.cli_batch"),
    ("evo.cli",),
    ("evo.__main__",),
)


def part_of(module: str) -> str | None:
    """The part (a name in FLOORS) a dotted module name belongs to."""
    parts = [part for floor in FLOORS for part in floor
             if module == part or module.startswith(part + ".")]
    return max(parts, key=len) if parts else None


def floor_of(part: str) -> int:
    """The floor of a part, 0 the ground."""
    return next(i for i, floor in enumerate(FLOORS) if part in floor)


def module_name(path: Path) -> str:
    """The dotted name of a source file (a package's `__init__` keeps its suffix only at
    the top, where `evo` itself is a part of its own)."""
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name if name == "evo.__init__" else name.removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """Every module a source file imports, relative imports resolved."""
    found = set()
    package = ".".join(path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def edges() -> set[tuple[str, str, str]]:
    """(importing part, imported part, file) for every import between two parts."""
    found = set()
    for path in sorted([*ROOT.glob("evo/**/*.py"), *ROOT.glob("agents/**/*.py")]):
        source = part_of(module_name(path))
        assert source is not None, f"{path.relative_to(ROOT)} is on no floor of FLOORS"
        for target in filter(None, map(part_of, imports(path))):
            if target != source:
                found.add((source, target, str(path.relative_to(ROOT))))
    return found


def test_no_import_runs_back_up_a_floor():
    """Every import between parts goes to a lower floor: the storage layer below evolution,
    the scenario below storage, and nothing below reaching back up."""
    upward = sorted(f"{file}: {source} imports {target}" for source, target, file in edges()
                    if floor_of(target) >= floor_of(source))
    assert not upward, "\n".join(upward)


def test_no_two_packages_import_each_other():
    """The package graph has no cycle of two: if A imports B, B does not import A."""
    pairs = {(source, target) for source, target, _ in edges()}
    both = sorted(f"{a} <-> {b}" for a, b in pairs if (b, a) in pairs and a < b)
    assert not both, "\n".join(both)


def test_the_reader_sees_imports():
    """The reader finds the imports it must judge, so the tests above can fail."""
    found = {(source, target) for source, target, _ in edges()}
    assert ("evo.evolution", "evo.store") in found
    assert ("evo.analysis", "evo.sweep") in found
    assert {("evo.evolution", "evo.evaluation"), ("evo.analysis", "evo.evaluation"),
            ("evo.replay", "evo.evaluation")} <= found
    assert part_of("evo.store.rundir") == "evo.store" and part_of("agents.kernel") == "agents"
