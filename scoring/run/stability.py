"""``score stability``: how solid each published rank and grade is when the judgement inputs vary —
the runs scored at once (:mod:`scoring.engine.stability`), summarised per unit, and the fragile
positions; written as Parquet or as a workbook with the 排名稳定性 sheet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from scoring.atomic import atomic_write
from scoring.engine.compute import Result
from scoring.engine.perturb import Perturbation, judgement_leaves
from scoring.engine.stability import perturbed_runs, summarise
from scoring.errors import ScoringError, os_reason
from scoring.output.stability_sheet import write_stability_workbook
from scoring.spec.year import as_rows

COLUMNS = ("unit", "class", "rank", "rank_lo", "rank_hi", "p_grade_change", "margin")
"""The Parquet's first columns (the issue's contract); the others follow."""


@dataclass(frozen=True)
class Stability:
    """The published result, the perturbation and per unit its interval and margins."""

    result: Result
    perturbation: Perturbation
    summary: pl.DataFrame
    judgement_inputs: int  # judgement leaves perturbed (per catalogue)

    def fragile(self) -> pl.DataFrame:
        """The positions a reader should look at: decided by less than the margin, or whose grade changes
        in some runs."""
        return self.summary.filter(
            pl.col("fragile_rank") | pl.col("fragile_grade") | (pl.col("p_grade_change") > 0)
        )

    def how_lines(self) -> list[str]:
        """The perturbation in words, as two sentences."""
        p = self.perturbation
        margin = self.result.settings.stability.margin
        return [
            f"{p.runs}次模拟：每项区间评分（共{self.judgement_inputs}项指标）在评分值上下{p.judgement}分内"
            f"均匀变动（不超出其评分区间），随机种子{p.seed}。",
            f"名次区间为各次模拟名次的5%至95%分位；分差不足{margin}分的名次或等次标为需关注。",
        ]

    def how(self) -> str:
        """The perturbation in words, on one line (the sheet's heading)."""
        return "".join(self.how_lines())


def perturbation_for(
    result: Result, runs: int | None = None, judgement: Decimal | None = None, seed: int | None = None
) -> Perturbation:
    """The perturbation asked for, each part defaulting to ``[stability]`` of the settings."""
    s = result.settings.stability
    p = Perturbation(
        runs or s.runs,
        judgement if judgement is not None else s.judgement,
        seed if seed is not None else s.seed,
    )
    if p.runs < 1 or p.judgement < 0:
        raise ScoringError("模拟次数应为正整数，变动幅度应不小于0分")
    return p


def stability_of(result: Result, perturbation: Perturbation) -> Stability:
    """Score the runs and summarise them per unit."""
    a = result.assessment
    points = result.computed_points()
    if points is None:
        raise ScoringError("结果中没有各指标得分，无法做稳定性分析")
    runs = perturbed_runs(
        points.collect(), as_rows(a.observations), a.units, a.catalogue, a.settings, perturbation
    )
    summary = summarise(runs, result.units, a.units, a.settings, perturbation).collect(engine="streaming")
    return Stability(result, perturbation, summary, judgement_leaves(a.catalogue).height)


def parquet_frame(st: Stability) -> pl.DataFrame:
    return st.summary.select(*COLUMNS, pl.exclude(COLUMNS))


def write_stability(st: Stability, out: Path, *, force: bool = False) -> Path:
    """``out``: ``.parquet`` (the table) or ``.xlsx`` (the 排名稳定性 sheet), written atomically."""
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".xlsx"):
        raise ScoringError(f"{out}：输出文件应以 .parquet 或 .xlsx 结尾")
    if out.is_dir():
        raise ScoringError(f"{out} 是一个文件夹；请指定文件名")
    if out.exists() and not force:
        raise ScoringError(f"{out} 已存在；使用 --force 覆盖，或用 --out 指定新文件名")
    try:
        if suffix == ".parquet":
            atomic_write(out, lambda tmp: parquet_frame(st).write_parquet(tmp), make_folder=True)
        else:
            atomic_write(
                out,
                lambda tmp: write_stability_workbook(st.summary, st.result.settings, st.how(), tmp),
                make_folder=True,
            )
    except OSError as e:
        raise ScoringError(f"无法写出 {out}：{os_reason(e)}；原有文件保持不变") from None
    return out
