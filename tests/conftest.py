"""A small fixture factory: an example assessment built up to any stage (files → loaded → computed)."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scoring import Assessment, Result, compute, load_year
from scoring.spec.catalogue import CATALOGUE_COLUMNS

CATALOGUE_HEADER = list(CATALOGUE_COLUMNS)

BASE_SETTINGS = """year = 2021
title = "测试县2021年度政务公开工作考核"
issuer = "测试县人民政府办公室"
[[classes]]
id = "town"
name = "乡镇"
max = 100
[[classes]]
id = "dept"
name = "部门"
max = 100
"""


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig"
) -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def node(
    id: str,
    parent: str = "",
    name: str = "",
    points: object = 10,
    role: str = "",
    rule: str = "",
    params: str = "",
    applies_to: str = "",
    rubric: str = "评分标准",
    uncapped: str = "",
) -> list[object]:
    return [
        id,
        parent,
        name or f"指标{id}",
        points,
        role,
        rule,
        params,
        applies_to,
        "",
        rubric if rule else "",
        uncapped,
    ]


@dataclass
class Year:
    root: Path

    @property
    def ind(self) -> Path:
        return self.root / "indicators" / "2021"

    @property
    def data(self) -> Path:
        return self.root / "data" / "2021"

    def load(self) -> Assessment:
        return load_year(2021, self.ind, self.data)

    def compute(self) -> Result:
        return compute(self.load())


YearFactory = Callable[..., Year]


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as a pipe sees it, whatever the terminal running the tests: a test that wants a width passes
    ``COLUMNS`` (tables wrap to it; with none, a piped table keeps each row on one line)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def make_year(tmp_path: Path) -> YearFactory:
    """Write a year's files: catalogue rows (see ``node``), units (code, name, class), inputs
    (unit, indicator, key, value[, note, evidence, period, channel]) and extra settings TOML."""
    counter = iter(range(1000))

    def build(
        catalogue: Sequence[Sequence[object]],
        units: Sequence[Sequence[object]],
        inputs: Sequence[Sequence[object]],
        settings: str = "",
        *,
        base: str = BASE_SETTINGS,
    ) -> Year:
        y = Year(tmp_path / f"y{next(counter)}")
        y.ind.mkdir(parents=True)
        y.data.mkdir(parents=True)
        (y.ind / "settings.toml").write_text(base + settings, encoding="utf-8")
        write_csv(y.ind / "indicators.csv", CATALOGUE_HEADER, catalogue)
        write_csv(y.data / "units.csv", ["code", "name", "class"], units)
        header = ["unit", "indicator", "key", "value", "note", "evidence", "period", "channel"]
        write_csv(
            y.data / "assessments.csv", header, [list(r) + [""] * (len(header) - len(r)) for r in inputs]
        )
        return y

    return build


def totals(result: Result) -> dict[str, float]:
    return {r["unit"]: r["total"] for r in result.units.to_dicts()}


def row(result: Result, unit: str) -> dict[str, object]:
    return next(r for r in result.units.to_dicts() if r["unit"] == unit)


def cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell value of every sheet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the data-bar extension with a warning
        book = openpyxl.load_workbook(path)
    values = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}
    book.close()
    return values
