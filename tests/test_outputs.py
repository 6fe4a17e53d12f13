"""Both shipped years' outputs, cell by cell, against tests/golden/outputs (see tests/outputs.py)."""

from __future__ import annotations

import json
from pathlib import Path

from .outputs import GOLDEN, dump, produce


def test_shipped_outputs_are_unchanged(tmp_path: Path) -> None:
    data = produce(tmp_path)
    for year, parts in data.items():
        for name, value in parts.items():
            expected = json.loads((GOLDEN / f"{year}_{name}.json").read_text(encoding="utf-8"))
            got = json.loads(dump(value))
            if name == "workbook":
                assert got["order"] == expected["order"], year
                for sheet, content in expected["sheets"].items():
                    for key, want in content.items():
                        assert got["sheets"][sheet][key] == want, f"{year} {sheet} {key}"
            assert got == expected, f"{year} {name}"
