"""Load one assessment year from its folders: settings, catalogue, plan items, roster and inputs, each
validated, every problem collected before anything is computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scoring.errors import InputError, Issue, ValidationFailed
from scoring.reading.coverage import check_coverage
from scoring.reading.files import read_table, read_toml, sha256
from scoring.reading.validate import canonical_columns, check_roster, check_structure, read_inputs
from scoring.spec.catalogue import CATALOGUE_COLUMNS, Catalogue, build_catalogue
from scoring.spec.changes import Change, apply_to_catalogue, apply_to_settings
from scoring.spec.settings import Settings, parse_settings
from scoring.spec.year import Assessment, SourceFile

INPUT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


SELF_MARKS = ("自评", "self")
NOT_INPUTS = ("units", "appeals", "aliases")


def is_self_score(path: Path) -> bool:
    """A self-score file (自评) is named so: ``自评_乡镇.xlsx``, ``assessments_self.csv``."""
    return any(mark in path.stem.lower() for mark in SELF_MARKS)


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def input_files(data_dir: Path) -> list[Path]:
    """The assessors' files in a year's data folder: everything readable except the roster."""
    return sorted(
        p
        for p in data_dir.iterdir()
        if p.suffix.lower() in INPUT_SUFFIXES
        and p.stem not in NOT_INPUTS
        and not p.name.startswith(("~$", "."))
    )


@dataclass(frozen=True)
class Definition:
    """A year's settings, catalogue and roster, validated, before any assessment input is read."""

    settings: Settings
    catalogue: Catalogue
    units: pl.DataFrame
    sources: tuple[SourceFile, ...]
    issues: tuple[Issue, ...]  # notes only: any error raised


def load_definition(
    year: int,
    indicators_dir: Path,
    data_dir: Path,
    root: Path | None = None,
    changes: Sequence[Change] = (),
) -> Definition:
    """Read and validate a year's settings, catalogue and roster (a template is made from these before there
    are any inputs). Raises :class:`ValidationFailed` with every problem, or :class:`InputError`.

    ``changes`` (``score whatif --set``) alter the settings and the catalogue's rows before they are
    validated, so an altered year passes the same checks as its files; a problem names the file as
    altered."""
    ind = indicators_dir
    if not ind.is_dir():
        raise InputError(f"没有 {year} 年度的指标体系：{_display(ind, root)} 不存在")
    if not data_dir.is_dir():
        raise InputError(f"没有 {year} 年度的数据：{_display(data_dir, root)} 不存在")
    issues: list[Issue] = []
    sources: list[SourceFile] = []

    def src(path: Path, encoding: str | None, role: str) -> str:
        shown = _display(path, root)
        sources.append(SourceFile(shown, sha256(path), encoding, role))
        return shown

    settings_path = ind / "settings.toml"
    if not settings_path.exists():
        raise InputError(f"{_display(settings_path, root)}：文件不存在")
    raw = read_toml(settings_path, _display(settings_path, root))
    altered = "（按 --set 修改后）" if changes else ""
    raw = apply_to_settings(raw, list(changes)) if changes else raw
    settings, problems = parse_settings(raw, src(settings_path, None, "settings") + altered)
    issues += problems
    if settings is None:
        raise ValidationFailed(issues)
    if settings.year != year:
        issues.append(
            Issue(
                _display(settings_path, root),
                None,
                "year",
                str(settings.year),
                f"应为 {year}（与所选年度一致）",
                "settings|year_matches",
                "definition",
            )
        )

    plan: dict[str, str] = {}
    plan_path = ind / "plan_items.csv"
    if plan_path.exists():
        df, enc = read_table(plan_path, _display(plan_path, root))
        shown = src(plan_path, enc, "plan")
        issues += check_structure(
            df, {"item": True, "section": False, "text": False}, shown, unique=("item",)
        )
        if "item" in df.columns:
            plan = {r["item"]: r.get("text") or "" for r in df.to_dicts() if r["item"]}

    cat_path = ind / "indicators.csv"
    df, enc = read_table(cat_path, _display(cat_path, root))
    shown = src(cat_path, enc, "catalogue")
    df = canonical_columns(df)
    structure = check_structure(df, CATALOGUE_COLUMNS, shown)
    issues += structure
    if any(i.row == 1 for i in structure):
        raise ValidationFailed(issues)
    if changes:
        df = apply_to_catalogue(df, list(changes))
    catalogue, problems = build_catalogue(df, settings, plan, shown + altered)
    issues += problems

    roster_path = data_dir / "units.csv"
    df, enc = read_table(roster_path, _display(roster_path, root))
    shown = src(roster_path, enc, "roster")
    roster, problems = check_roster(df, settings, shown)
    issues += problems
    if roster is None or catalogue is None or any(i.severity == "error" for i in issues):
        raise ValidationFailed(issues)

    return Definition(settings, catalogue, roster, tuple(sources), tuple(issues))


def load_year(
    year: int,
    indicators_dir: Path,
    data_dir: Path,
    inputs: list[Path] | None = None,
    root: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
    changes: Sequence[Change] = (),
) -> Assessment:
    """Read and validate a year (``changes``: as :func:`load_definition`). Raises :class:`ValidationFailed`
    with every problem, or :class:`InputError` for a file that cannot be read at all. ``progress`` hears
    each stage in words."""
    d = load_definition(year, indicators_dir, data_dir, root, changes)
    settings, catalogue, roster = d.settings, d.catalogue, d.units
    issues = list(d.issues)
    sources = list(d.sources)

    def src(path: Path, encoding: str | None = None) -> str:
        shown = _display(path, root)
        sources.append(SourceFile(shown, sha256(path), encoding, "input"))
        return shown

    files = inputs if inputs is not None else input_files(data_dir)
    if not files:
        raise InputError(f"{_display(data_dir, root)}：没有评分数据文件（.csv、.xlsx 或 .parquet）")
    frames: dict[bool, list[tuple[str, pl.DataFrame]]] = {True: [], False: []}
    rows = 0
    for path in files:
        progress(f"读取 {_display(path, root)}（已读 {rows:,} 行）")
        workbook = path.suffix.lower() in (".xlsx", ".xlsm")
        if workbook:  # the template reader loads openpyxl: 75 ms of every run without a workbook
            from scoring.reading.template import is_template, read_template
        if workbook and is_template(path):
            shown = src(path)
            df, problems = read_template(path, catalogue, settings, shown)
            issues += problems
        else:
            df, enc = read_table(path, _display(path, root), numbers=True)
            shown = src(path, enc)
        frames[is_self_score(path)].append((shown, df))
        rows += df.height
    progress(f"校验 {rows:,} 行评分数据")
    names = [shown for parts in frames.values() for shown, _ in parts]  # the rows' sources: one Enum
    stages = {
        stage: read_inputs(parts, catalogue, settings, roster, names)
        for stage, parts in frames.items()
        if parts
    }
    frames.clear()  # the files as read (all text) are not needed any more: their memory goes back
    for read in stages.values():
        issues += read.issues
    normalised = pl.concat([read.normalised for read in stages.values()], how="vertical")
    self_scores = stages[True][0] if True in stages else None
    if False not in stages:  # only self-scores: they are the results
        observations, self_scores = stages[True][0], None
    elif self_scores is None:
        observations = stages[False][0]
    else:
        # the review decides; a leaf the review did not score keeps the unit's self-score
        reviewed = stages[False][0]
        observations = pl.concat(
            [
                reviewed,
                self_scores.join(
                    reviewed.select("unit", "indicator").unique(), on=["unit", "indicator"], how="anti"
                ),
            ],
            how="vertical",
        )
    # what the inputs leave unscored (not when a file or sheet could not be read: that is said already)
    if not any(i.family == "structure" and i.severity == "error" for i in issues):
        roster_file = next((s.path for s in d.sources if s.role == "roster"), "units.csv")
        issues += check_coverage(observations, catalogue, settings, roster, roster_file)
    if any(i.severity == "error" for i in issues):
        raise ValidationFailed(issues)
    return Assessment(
        year,
        settings,
        catalogue,
        roster,
        observations,
        tuple(sources),
        tuple(i for i in issues if i.severity != "error"),
        self_scores,
        normalised=normalised,
    )
