"""The rank-stability benchmark (``benchmarks/stability.py``) as a smoke test: a small scaled year, both
ways of scoring the runs, the same summary. Sizes from ``ZWGK_BENCH_STABILITY`` (``units,runs``; default
``300,50``); with ``--benchmark-enable`` each way is timed.

    ZWGK_BENCH_STABILITY=10000,1000 pytest benchmarks/test_stability.py --benchmark-enable
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.stability import scaled_year
from scoring.engine.compute import compute
from scoring.engine.perturb import Perturbation
from scoring.engine.stability import perturbed_runs, summarise
from scoring.run.inputs import RunSpec, load
from scoring.spec.year import as_rows

UNITS, RUNS = (int(x) for x in os.environ.get("ZWGK_BENCH_STABILITY", "300,50").split(","))
SEEN: dict[bool, pl.DataFrame] = {}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scaled_year(UNITS, tmp_path_factory.mktemp("stability"))


@pytest.mark.parametrize("through_aggregation", [False, True], ids=["plain", "aggregation"])
def test_stability(benchmark: BenchmarkFixture, year: Path, through_aggregation: bool) -> None:
    a = load(RunSpec.for_year(2021, year / "indicators" / "2021", year / "data" / "2021"))
    result = compute(a)
    assert result.points is not None
    p = Perturbation(RUNS, Decimal("0.5"), 1)
    summaries: list[pl.DataFrame] = []

    def once() -> None:
        runs = perturbed_runs(
            result.points,  # type: ignore[arg-type]
            as_rows(a.observations),
            a.units,
            a.catalogue,
            a.settings,
            p,
            through_aggregation=through_aggregation,
        )
        summaries.append(summarise(runs, result.units, a.units, a.settings, p).collect())

    benchmark.group = f"stability u{UNITS} r{RUNS}"
    benchmark.pedantic(once, rounds=1, iterations=1, warmup_rounds=0)  # type: ignore[no-untyped-call]
    summary = summaries[-1]
    assert summary.height == UNITS
    assert (summary["rank_lo"] <= summary["rank_hi"]).fill_null(True).all()
    SEEN[through_aggregation] = summary
    if len(SEEN) == 2:  # both ways measured: they give the same summary
        assert SEEN[False].equals(SEEN[True])
