"""What a run reads: the run spec (year, folders or files, period, appeals) and the validated inputs it
leads to. ``score compute``, ``score validate``/``explain``, the archive's export and replay all prepare
their year here, so a run made with any option replays exactly."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from scoring.errors import InputError, ValidationFailed
from scoring.reading.appeals import APPEALS_FILE, AppliedAppeals, apply_appeals
from scoring.reading.year import input_files, load_year
from scoring.spec.year import Assessment

NOT_INPUTS = ("units", "appeals", "aliases")  # files of a data folder that are not assessors' inputs


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides a run's results.

    ``inputs``: the assessors' files (None: every input file of the data folder); ``appeals``: the decisions
    file (None: ``<data>/appeals.csv`` when it exists); ``period``: score one declared period only;
    ``root``: the folder paths are shown relative to (and a replay resolves them from)."""

    year: int
    indicators: Path
    data: Path
    inputs: tuple[Path, ...] | None = None
    period: str | None = None
    appeals: Path | None = None
    root: Path | None = None

    @classmethod
    def for_year(
        cls,
        year: int,
        indicators: Path | None = None,
        data: Path | None = None,
        inputs: list[Path] | None = None,
        period: str | None = None,
        appeals: Path | None = None,
        root: Path | None = None,
    ) -> RunSpec:
        """A spec with the default folders ``indicators/<year>`` and ``data/<year>``."""
        return cls(
            year,
            indicators or Path("indicators") / str(year),
            data or Path("data") / str(year),
            tuple(inputs) if inputs else None,
            period,
            appeals,
            root,
        )

    def input_paths(self) -> list[Path] | None:
        if self.inputs is not None:
            return list(self.inputs)
        if self.data.is_dir():
            return [p for p in input_files(self.data) if p.stem.lower() not in NOT_INPUTS] or None
        return None

    def appeals_path(self) -> Path | None:
        if self.appeals is not None:
            return self.appeals
        default = self.data / APPEALS_FILE
        return default if default.exists() else None

    def options(self) -> dict[str, Any]:
        """The spec as the manifest and the archive record it."""
        appeals = self.appeals_path()
        return {
            "indicators": str(self.indicators),
            "data": str(self.data),
            "inputs": [str(p) for p in self.inputs or []],
            "period": self.period,
            "appeals": str(appeals) if appeals else None,
        }


class AppealsInvalid(ValidationFailed):
    """The appeal decisions file failed validation (nothing was computed)."""


@dataclass(frozen=True)
class Prepared:
    """The validated year a run scores: ``before`` the appeal decisions and ``assessment`` with them."""

    spec: RunSpec
    before: Assessment
    assessment: Assessment
    applied: AppliedAppeals | None


class Progress(Protocol):
    """What a long run tells while it works: each stage in the reader's words, with its counts (读取 … 行,
    校验, 计算, 写入工作簿 …). A plain callable; the CLI shows it (rich, on a terminal) or ignores it."""

    def __call__(self, stage: str, /) -> None: ...


def quiet(stage: str, /) -> None:
    """A :class:`Progress` that tells nothing."""


def load(spec: RunSpec, progress: Progress = quiet) -> Assessment:
    """Read and validate the spec's year and keep its period; raises ValidationFailed or InputError."""
    assessment = load_year(
        spec.year, spec.indicators, spec.data, spec.input_paths(), root=spec.root, progress=progress
    )
    return only_period(assessment, spec.period) if spec.period is not None else assessment


def prepare(spec: RunSpec, assessment: Assessment | None = None) -> Prepared:
    """The validated year with its period and appeal decisions applied (``assessment``: the year as
    already loaded by :func:`load`)."""
    before = assessment if assessment is not None else load(spec)
    appeals = spec.appeals_path()
    if appeals is None:
        return Prepared(spec, before, before, None)
    try:
        after, applied = apply_appeals(before, appeals, root=spec.root or Path.cwd())
    except ValidationFailed as e:
        raise AppealsInvalid(e.issues) from None
    return Prepared(spec, before, after, applied)


def only_period(assessment: Assessment, period: str) -> Assessment:
    """The year restricted to one declared period, scored as a year without periods."""
    s = assessment.settings
    declared = [k for k, _ in s.period_weights]
    if period not in declared:
        raise InputError(
            f"考核期 {period} 未在 settings.toml [periods] 中声明"
            + (f"（已声明：{'、'.join(declared)}）" if declared else "（本年度不分期考核）")
        )
    obs = assessment.observations.filter(pl.col("period") == period).with_columns(
        pl.lit(None, pl.String).alias("period")
    )
    return dataclasses.replace(
        assessment,
        settings=dataclasses.replace(s, period_method=None, period_weights=()),
        observations=obs,
        period=period,
    )
