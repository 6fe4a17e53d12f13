"""``score whatif``: the same inputs scored under an altered rubric — another indicators folder
(``--with``) or single changes (``--set``) — and every unit whose rank or grade changes.

The altered year is read and validated as a year's files are (the changes are made to the rows of
``indicators.csv`` and the tables of ``settings.toml`` before validation), so a change that breaks a sum
or a range is refused with its place named; the inputs are validated again against the altered
catalogue."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scoring.atomic import OutputSet
from scoring.engine.compute import Result, compute
from scoring.engine.whatif import compare
from scoring.errors import InputError, ScoringError, ValidationFailed, os_reason
from scoring.output.whatif_sheet import write_whatif_workbook
from scoring.reading.files import read_table
from scoring.reading.year import load_year
from scoring.run.inputs import RunSpec, only_period, prepare
from scoring.spec.catalogue import Catalogue
from scoring.spec.changes import Change, describe, parse_changes
from scoring.spec.year import Assessment


@dataclass(frozen=True)
class WhatIf:
    """Both results and the comparison of every unit (``rows``: see :func:`scoring.engine.whatif.compare`)."""

    before: Result
    after: Result
    description: str
    rows: pl.DataFrame

    def changed(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("changed"))


def labels(*catalogues: Catalogue) -> list[tuple[str, str]]:
    """The columns compared and their names for readers: each base level-1 part (by its number), bonus,
    penalty and major deductions."""
    seen: dict[str, str] = {}
    for c in catalogues:
        for n in c.level1:
            if n.role == "base":
                seen.setdefault(f"part:{n.id}", f"{n.id}部分")
    return [*seen.items(), ("bonus", "加分"), ("penalty", "扣分"), ("major", "重大扣分")]


def _indicator_ids(folder: Path, root: Path | None) -> set[str]:
    path = folder / "indicators.csv"
    if not path.exists():
        raise InputError(f"{path}：文件不存在")
    df, _ = read_table(path, str(path.relative_to(root) if root and path.is_relative_to(root) else path))
    return set(df["id"].drop_nulls().to_list()) if "id" in df.columns else set()


def altered_year(spec: RunSpec, with_dir: Path | None, items: list[str]) -> tuple[Assessment, list[Change]]:
    """The year read with the altered rubric: ``with_dir``'s catalogue and settings (default the year's),
    ``items`` (``--set``) applied; raises ValidationFailed (every problem, located) or InputError."""
    folder = with_dir or spec.indicators
    changes, problems = parse_changes(items, _indicator_ids(folder, spec.root)) if items else ([], [])
    if problems:
        raise ValidationFailed(problems)
    a = load_year(spec.year, folder, spec.data, spec.input_paths(), root=spec.root, changes=changes)
    return (only_period(a, spec.period) if spec.period is not None else a), changes


def whatif_year(spec: RunSpec, before: Assessment, with_dir: Path | None, items: list[str]) -> WhatIf:
    """Score ``before`` (the year as published, validated) and the year under the altered rubric, and
    compare them unit by unit."""
    if with_dir is None and not items:
        raise ScoringError("请用 --with 指定另一套指标体系目录，或用 --set 给出修改（如 --set ties=dense）")
    altered, changes = altered_year(spec, with_dir, items)
    first = compute(prepare(spec, before).assessment)
    second_spec = dataclasses.replace(spec, indicators=with_dir or spec.indicators)
    second = compute(prepare(second_spec, altered).assessment)
    places = max(first.settings.places, second.settings.places)
    rows = compare(first.units.lazy(), second.units.lazy(), labels(first.catalogue, second.catalogue), places)
    what = []
    if with_dir is not None:
        what.append(f"指标体系 {with_dir}")
    if changes:
        what.append(describe(changes))
    order = {c.id: i for i, c in enumerate(first.settings.classes)}
    rows = rows.sort(
        pl.col("class").replace_strict(order, default=len(order), return_dtype=pl.Int32),
        "rank_after",
        "unit",
        nulls_last=True,
    )
    return WhatIf(first, second, "；".join(what), rows.collect())


def write_whatif(report: WhatIf, workbook: Path, *, force: bool = False) -> tuple[Path, Path]:
    """The workbook (sheet 方案比较) and the comparison as Parquet beside it, written together."""
    if workbook.suffix.lower() != ".xlsx":
        raise ScoringError(f"{workbook}：工作簿应以 .xlsx 结尾")
    parquet = workbook.with_suffix(".parquet")
    folders = [p for p in (workbook, parquet) if p.is_dir()]
    if folders:
        raise ScoringError(f"{folders[0]} 是一个文件夹；请用 --out 指定工作簿文件名（.xlsx）")
    OutputSet.recover([workbook, parquet])  # a set an interrupted run left half moved is finished first
    existing = [p for p in (workbook, parquet) if p.exists()]
    if existing and not force:
        raise ScoringError(f"{existing[0]} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
    workbook.parent.mkdir(parents=True, exist_ok=True)
    files = OutputSet([workbook, parquet])
    try:
        with files:
            files.stage(
                workbook,
                lambda tmp: write_whatif_workbook(
                    report.before, report.after, report.rows, report.description, tmp
                ),
            )
            files.stage(parquet, lambda tmp: report.rows.write_parquet(tmp))
            files.commit()
    except OSError as e:
        raise ScoringError(f"无法写出结果：{os_reason(e, with_file=True)}；原有文件保持不变") from None
    return workbook, parquet
