"""The import rule of ARCHITECTURE.md: portal -> graphs -> catalog, and portal -> catalog."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: What each package must never import.
FORBIDDEN = {"catalog": ("graphs", "portal", "flask"), "graphs": ("portal", "flask")}


def imported(path: Path) -> set[str]:
    """Return the top-level packages a module imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package):
    broken = {str(path.relative_to(ROOT)): sorted(imported(path) & set(FORBIDDEN[package]))
              for path in sorted((ROOT / package).rglob("*.py"))}
    assert {path: names for path, names in broken.items() if names} == {}
