"""An example year built in memory, up to any stage: settings → catalogue → validated assessment → result.

For tests and for trying a rule or a setting without writing files (as COINr's ``build_example_coin``).
Every stage goes through the same parsing and validation as files do, so an example that builds is a year
that would load::

    from scoring.testing import example_year

    year = example_year()                      # a small two-class year
    result = year.result()                     # scored
    year.with_settings("[not_applicable]\\nmethod = \\"reduce_max\\"\\n").result()

Each row of ``catalogue`` is ``indicators.csv``'s columns in order (see :func:`leaf` and :func:`section`);
``units`` are (code, name, class); ``inputs`` are (unit, indicator, key, value[, note, evidence, period,
channel]).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from scoring.engine.compute import Result, compute
from scoring.errors import Issue, ValidationFailed
from scoring.reading.coverage import check_coverage
from scoring.reading.validate import check_roster, normalise_inputs
from scoring.spec.catalogue import CATALOGUE_COLUMNS, Catalogue, build_catalogue
from scoring.spec.settings import Settings, parse_settings
from scoring.spec.year import Assessment

INPUT_COLUMNS = ("unit", "indicator", "key", "value", "note", "evidence", "period", "channel")

SETTINGS = """year = 2021
title = "示例县2021年度政务公开工作考核"
issuer = "示例县人民政府办公室"
[[classes]]
id = "town"
name = "乡镇"
max = 100
[[classes]]
id = "dept"
name = "部门"
max = 100
[bonus]
cap = 5
"""


def section(id: str, points: object, role: str = "", name: str = "") -> tuple[str, ...]:
    """A level-1 node (``role``: empty for base, or bonus / penalty / veto)."""
    return _row(id, "", name or f"指标{id}", points, role, "", "", "", "")


def leaf(
    id: str,
    parent: str,
    points: object,
    rule: str,
    params: str = "",
    applies_to: str = "",
    rubric: str = "评分标准",
    uncapped: str = "",
    name: str = "",
) -> tuple[str, ...]:
    """A leaf scored by a registered rule kind."""
    return _row(id, parent, name or f"指标{id}", points, "", rule, params, applies_to, "", rubric, uncapped)


def _row(*values: object) -> tuple[str, ...]:
    padded = [*values, *[""] * (len(CATALOGUE_COLUMNS) - len(values))]
    return tuple("" if v is None else str(v) for v in padded[: len(CATALOGUE_COLUMNS)])


CATALOGUE = (
    section("A", 60, name="基础公开"),
    leaf("A1", "A", 30, "per_occurrence", "per=2", rubric="每发现一处错误扣2分，扣完为止"),
    leaf("A2", "A", 30, "judgement", rubric="根据实际情况评分"),
    section("B", 40, name="重点领域"),
    leaf("B1", "B", 20, "binary", rubric="按时公开得满分"),
    leaf("B2", "B", 20, "ratio", applies_to="dept", rubric="按公开比例得分"),
    section("J", 5, "bonus", name="加分项"),
    leaf("J1", "J", 5, "accumulate", "per=1", rubric="每受表彰一次加1分"),
)
UNITS = (("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("D01", "丙局", "dept"), ("D02", "丁局", "dept"))
INPUTS = (
    ("T01", "A1", "", "1"),
    ("T01", "A2", "", "28"),
    ("T01", "B1", "", "是"),
    ("T01", "J1", "", "2"),
    ("T02", "A1", "", "0"),
    ("T02", "A2", "", "25"),
    ("T02", "B1", "", "否"),
    ("D01", "A1", "", "3"),
    ("D01", "A2", "", "30"),
    ("D01", "B1", "", "是"),
    ("D01", "B2", "", "0.5"),
    ("D02", "A1", "", "0"),
    ("D02", "A2", "", "29"),
    ("D02", "B1", "", "是"),
    ("D02", "B2", "", "100%"),
)


@dataclass(frozen=True)
class ExampleYear:
    """A year's definition and inputs as rows; each method builds one stage further."""

    catalogue_rows: tuple[tuple[str, ...], ...] = CATALOGUE
    units: tuple[tuple[str, str, str], ...] = UNITS
    inputs: tuple[tuple[object, ...], ...] = INPUTS
    settings_toml: str = SETTINGS

    def with_settings(self, extra: str) -> ExampleYear:
        """The same year with ``extra`` TOML appended to its settings."""
        return dataclasses.replace(self, settings_toml=self.settings_toml + extra)

    def settings(self) -> Settings:
        settings, issues = parse_settings(tomllib.loads(self.settings_toml), "settings.toml")
        _raise_errors(issues)
        assert settings is not None
        return settings

    def catalogue(self, settings: Settings | None = None) -> Catalogue:
        settings = settings or self.settings()
        frame = pl.DataFrame(
            [list(r) for r in self.catalogue_rows], schema=list(CATALOGUE_COLUMNS), orient="row"
        )
        frame = frame.with_columns(pl.all().replace("", None)).with_row_index("__row__", offset=2)
        catalogue, issues = build_catalogue(frame, settings, {}, "indicators.csv")
        _raise_errors(issues)
        assert catalogue is not None
        return catalogue

    def assessment(self) -> Assessment:
        settings = self.settings()
        catalogue = self.catalogue(settings)
        roster_frame = pl.DataFrame(
            [list(u) for u in self.units], schema=["code", "name", "class"], orient="row"
        ).with_row_index("__row__", offset=2)
        roster, issues = check_roster(roster_frame, settings, "units.csv")
        _raise_errors(issues)
        assert roster is not None
        rows = [[_text(v) for v in (*r, *[""] * (len(INPUT_COLUMNS) - len(r)))] for r in self.inputs]
        frame = pl.DataFrame(rows, schema=list(INPUT_COLUMNS), orient="row")
        frame = frame.with_columns(pl.all().replace("", None)).with_row_index("__row__", offset=2)
        observations, problems = normalise_inputs([("assessments.csv", frame)], catalogue, settings, roster)
        if not any(i.family == "structure" for i in problems):
            problems += check_coverage(observations, catalogue, settings, roster, "units.csv")
        _raise_errors(problems)
        notes = tuple(i for i in problems if i.severity != "error")
        return Assessment(settings.year, settings, catalogue, roster, observations, (), notes)

    def result(self) -> Result:
        return compute(self.assessment())


def example_year(
    catalogue: Sequence[Sequence[object]] | None = None,
    units: Sequence[tuple[str, str, str]] | None = None,
    inputs: Sequence[Sequence[object]] | None = None,
    settings: str = "",
) -> ExampleYear:
    """The example year, or one of your own rows (``settings``: TOML added to the example's settings)."""
    return ExampleYear(
        tuple(_row(*r) for r in catalogue) if catalogue is not None else CATALOGUE,
        tuple(units) if units is not None else UNITS,
        tuple(tuple(r) for r in inputs) if inputs is not None else INPUTS,
        SETTINGS + settings,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _raise_errors(issues: list[Issue]) -> None:
    if any(i.severity == "error" for i in issues):
        raise ValidationFailed(issues)
