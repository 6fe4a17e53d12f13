"""The mutation tool's mutants: each is one edit that compiles and changes the module (running them is
``python -m tools.mutation``, minutes long, not part of the suite)."""

from __future__ import annotations

import ast
from pathlib import Path

from tools.mutation import ROOT, mutants


def test_every_mutant_compiles_and_differs_from_the_module() -> None:
    path = ROOT / "scoring" / "engine" / "grade.py"
    original = ast.unparse(ast.parse(path.read_text(encoding="utf-8")))
    found = mutants(path)
    assert len(found) >= 20
    for m in found:
        compile(m.source, str(path), "exec")
        assert m.source != original
    assert len({m.source for m in found}) == len(found)
    kinds = {m.what for m in found}
    assert {"GtE -> Gt", "'min' -> 'dense'", "Eq -> NotEq"} <= kinds


def test_docstrings_and_annotations_are_not_mutated(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('def f(x: int = 1) -> bool:\n    """Doc\n    text."""\n    return x > 0\n', "utf-8")
    # the default 1, the annotations and the docstring stay; the 0 compared with is covered by the flip
    assert [m.what for m in mutants(module)] == ["Gt -> GtE"]
