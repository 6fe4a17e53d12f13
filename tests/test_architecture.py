"""The package's shape, beside the import contracts that `lint-imports` checks in CI: modules small enough to
hold in one head, no private name used across modules, the CLI imported by nobody, docs/architecture.md
naming every layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scoring"
MAX_LINES = 700
MODULES = sorted(PACKAGE.rglob("*.py"))


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_big(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by what it does"


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from X import name`` in a module, resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found += [(module, alias.name, node.lineno) for alias in node.names]
    return found


def test_no_private_name_is_used_across_modules() -> None:
    crossing = [
        f"{path.relative_to(ROOT)}:{line} imports {name} from {module}"
        for path in MODULES
        for module, name, line in _imports(path)
        if module.startswith("scoring")
        and (name.startswith("_") or any(part.startswith("_") for part in module.split(".")))
    ]
    assert not crossing, "\n".join(crossing)


def test_nothing_in_the_package_imports_the_cli() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in MODULES
        if "cli" not in path.relative_to(PACKAGE).parts
        for module, _, line in _imports(path)
        if module == "scoring.cli" or module.startswith("scoring.cli.")
    ]
    assert not outside, outside


def test_the_architecture_map_names_every_layer() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layers = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    layers += sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    missing = [name for name in layers if f"`scoring.{name}`" not in text]
    assert not missing, f"docs/architecture.md does not describe: {missing}"
