"""Rank stability (scoring.engine.stability): the runs scored at once against hand-computed cases."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import polars as pl
import pytest

from scoring.engine.compute import Result
from scoring.engine.perturb import Perturbation, judgement_leaves
from scoring.engine.stability import perturbed_runs, summarise
from scoring.spec.year import as_rows
from scoring.testing import SETTINGS, example_year, leaf, section


def _stability(result: Result, runs: int, judgement: str, seed: int = 1) -> pl.DataFrame:
    a = result.assessment
    points = result.computed_points()
    assert points is not None
    p = Perturbation(runs, Decimal(judgement), seed)
    scored = perturbed_runs(points.collect(), as_rows(a.observations), a.units, a.catalogue, a.settings, p)
    return summarise(scored, result.units, a.units, a.settings, p).collect()


def _by_unit(frame: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["unit"]: r for r in frame.to_dicts()}


def test_the_judgement_leaves_are_those_whose_input_is_points() -> None:
    leaves = judgement_leaves(example_year().catalogue())
    assert leaves["indicator"].to_list() == ["A2"]
    assert leaves.row(0) == ("A2", 0, 30 * 10**12)  # lo 0, hi the leaf's 30 points


@pytest.mark.parametrize(
    "extra",
    [
        "",
        '[not_applicable]\nmethod = "redistribute"\n',
        '[caps]\nmode = "pooled"\n',
        '[ranking]\nties = "dense"\nbasis = "exact"\n',
        '[veto]\nplacement = "last"\n',
        '[grades]\nquotas = [ { grade = "优秀", share = 0.5 } ]\n',
    ],
)
def test_zero_perturbation_collapses_every_interval_to_the_published_rank(extra: str) -> None:
    result = example_year(settings=extra).result()
    summary = _stability(result, 50, "0")
    published = result.units.select("unit", "rank")
    joined = summary.join(published, on="unit", suffix="_published")
    assert joined["rank_lo"].to_list() == joined["rank_published"].to_list()
    assert joined["rank_hi"].to_list() == joined["rank_published"].to_list()
    assert summary["p_grade_change"].to_list() == [0.0] * summary.height


def _spread_year(values: list[int]) -> Result:
    """A class whose whole total is one judgement leaf (0–100 points)."""
    catalogue = [section("A", 100), leaf("A1", "A", 100, "judgement")]
    units = [(f"T{i:02d}", f"乡镇{i}", "town") for i in range(1, len(values) + 1)]
    inputs = [(u, "A1", "", str(v)) for (u, _, _), v in zip(units, values, strict=True)]
    return example_year(catalogue, units, inputs).result()


def test_a_perturbation_larger_than_the_range_spreads_every_interval_over_the_class() -> None:
    result = _spread_year([90, 70, 50, 30])
    summary = _stability(result, 400, "1000")
    assert summary["rank_lo"].to_list() == [1, 1, 1, 1]
    assert summary["rank_hi"].to_list() == [4, 4, 4, 4]


def test_the_same_seed_gives_the_same_intervals() -> None:
    result = _spread_year([60, 58, 57, 40])
    first = _stability(result, 200, "2", seed=7)
    assert first.equals(_stability(result, 200, "2", seed=7))
    others = [_stability(result, 200, "2", seed=s)["p_grade_change"].to_list() for s in (8, 9)]
    assert any(o != first["p_grade_change"].to_list() for o in others)


def _close_pair() -> Result:
    """T01 90.02 and T02 90.00 (judgement A1 40.02 and 40.00, binary A2 50 each); T03 far below."""
    catalogue = [section("A", 100), leaf("A1", "A", 50, "judgement"), leaf("A2", "A", 50, "binary")]
    units = [
        ("T01", "甲镇", "town"),
        ("T02", "乙镇", "town"),
        ("T03", "丙镇", "town"),
        ("D01", "丁局", "dept"),
    ]
    inputs = [
        ("T01", "A1", "", "40.02"),
        ("T01", "A2", "", "是"),
        ("T02", "A1", "", "40"),
        ("T02", "A2", "", "是"),
        ("T03", "A1", "", "20"),
        ("T03", "A2", "", "是"),
        ("D01", "A1", "", "30"),
        ("D01", "A2", "", "是"),
    ]
    return example_year(catalogue, units, inputs).result()


def test_two_units_two_hundredths_apart_are_flagged_with_the_gap_as_the_smallest_change() -> None:
    result = _close_pair()
    summary = _by_unit(_stability(result, 500, "0.5"))
    t1, t2, t3 = summary["T01"], summary["T02"], summary["T03"]
    assert (t1["total"], t2["total"]) == (90.02, 90.0)
    # by hand: 90.02 − 90.00 = 0.02 < the default margin 0.05, either unit moving 0.02 ties the other
    assert t1["gap"] == t2["gap"] == 0.02
    assert t1["margin"] == t2["margin"] == 0.02
    assert t1["fragile_rank"] and t2["fragile_rank"]
    # ±0.5 on both: either may come first, so the two intervals overlap
    assert (t1["rank_lo"], t1["rank_hi"]) == (1, 2)
    assert (t2["rank_lo"], t2["rank_hi"]) == (1, 2)
    # T02 sits on the 优秀 bound 90: one hundredth down is 良好; T01 needs 0.03
    assert t2["grade_gap"] == 0.01 and t2["fragile_grade"]
    assert t1["grade_gap"] == 0.03 and t1["fragile_grade"]
    # T02 falls under 90 in about half the runs
    assert 0.3 < float(t2["p_grade_change"]) < 0.7  # type: ignore[arg-type]
    # T03 is 70.00, 20 points below: its judgement input (20 of 0–50) can close the gap of 20
    assert t3["gap"] == 20.0 and not t3["fragile_rank"]
    assert t3["margin"] == 20.0
    assert (t3["rank_lo"], t3["rank_hi"]) == (3, 3)


def test_a_gap_the_unit_s_own_judgement_inputs_cannot_close_has_no_smallest_change() -> None:
    catalogue = [
        section("A", 100),
        leaf("A1", "A", 10, "judgement", "lo=5; hi=10"),
        leaf("A2", "A", 90, "binary"),
    ]
    units = [("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("D01", "丁局", "dept")]
    inputs = [
        ("T01", "A1", "", "9"),
        ("T01", "A2", "", "是"),
        ("T02", "A1", "", "10"),
        ("T02", "A2", "", "否"),
        ("D01", "A1", "", "6"),
        ("D01", "A2", "", "是"),
    ]
    summary = _by_unit(_stability(example_year(catalogue, units, inputs).result(), 50, "0.5"))
    # T01 99 and T02 10: T01 can fall at most 4 (to lo 5), T02 rise at most 0 (at hi): no change reaches 89
    assert summary["T01"]["gap"] == 89.0
    assert summary["T01"]["margin"] is None and summary["T02"]["margin"] is None
    assert summary["D01"]["margin"] is None  # alone in its class: nothing to pass


def test_the_extreme_runs_are_the_year_scored_with_every_judgement_input_at_its_end() -> None:
    """The runs' totals are the engine's: the year with every judgement input at its highest, scored
    plainly, gives the totals of the run at the highest (leaves summed per node, capped as declared)."""
    year = example_year(settings='[not_applicable]\nmethod = "reduce_max"\n')
    result = year.result()
    a = result.assessment
    assert result.points is not None
    p = Perturbation(3, Decimal("0"), 1)
    runs = perturbed_runs(
        result.points, as_rows(a.observations), a.units, a.catalogue, a.settings, p
    ).collect()
    high = runs.filter(pl.col("run") == 4).sort("u")
    inputs = tuple(r if r[1] != "A2" else (r[0], "A2", "", "30") for r in year.inputs)
    plain = example_year(inputs=inputs, settings='[not_applicable]\nmethod = "reduce_max"\n').result()
    codes = a.units["code"].to_list()
    expected = {r["unit"]: (r["rank"], r["total"]) for r in plain.units.to_dicts()}
    got = {codes[r["u"]]: (r["rank"], round(r["total"], 2)) for r in high.to_dicts()}
    assert got == expected


def test_a_capped_inner_node_caps_the_runs_as_it_caps_the_leaves() -> None:
    """A1 (20 points) over a judgement leaf (0–10) and an uncapped count (5 a time): the tree path, the
    leaves that do not move summed at their parent; the runs at the lowest and highest judgement equal
    the year scored with those inputs."""
    catalogue = [
        section("A", 60),
        leaf("A1", "A", 20, ""),
        leaf("A1.1", "A1", 10, "judgement"),
        leaf("A1.2", "A1", 10, "accumulate", "per=5"),
        leaf("A2", "A", 40, "binary"),
        section("B", 40),
        leaf("B1", "B", 40, "judgement", "lo=10; hi=40"),
    ]
    units = [(f"T0{i}", f"乡镇{i}", "town") for i in range(1, 5)] + [("D01", "丁局", "dept")]
    values = {
        "T01": ("3", "3", "否", "38"),
        "T02": ("9", "1", "是", "20"),
        "T03": ("6", "2", "是", "11"),
        "T04": ("0", "0", "是", "40"),
        "D01": ("5", "0", "是", "30"),
    }

    def year(a11: str | None = None, b1: str | None = None) -> Result:
        rows = [
            row
            for u, (x, y, z, w) in values.items()
            for row in (
                (u, "A1.1", "", a11 or x),
                (u, "A1.2", "", y),
                (u, "A2", "", z),
                (u, "B1", "", b1 or w),
            )
        ]
        return example_year(catalogue, units, rows).result()

    result = year()
    a = result.assessment
    assert result.points is not None
    p = Perturbation(20, Decimal("0"), 1)
    runs = perturbed_runs(
        result.points, as_rows(a.observations), a.units, a.catalogue, a.settings, p
    ).collect()
    codes = a.units["code"].to_list()

    def run_totals(run: int) -> dict[str, float]:
        return {codes[r["u"]]: round(r["total"], 6) for r in runs.filter(pl.col("run") == run).to_dicts()}

    def plain(r: Result) -> dict[str, float]:
        return {u["unit"]: round(u["total_exact"], 6) for u in r.units.to_dicts()}

    assert run_totals(0) == plain(result)
    assert run_totals(20) == plain(year("0", "10"))  # every judgement input at its lowest
    assert run_totals(21) == plain(year("10", "40"))  # and at its highest
    assert run_totals(21)["T01"] == 20 + 0 + 40  # A1.1 10 + A1.2 15 capped at A1's 20, A2 否, B1 40


PLAIN_OPTIONS = [
    "",
    '[not_applicable]\nmethod = "reduce_max"\n',
    "scale",
    '[caps]\nmode = "pooled"\n',
    '[ranking]\nties = "dense"\nbasis = "exact"\n[grades]\nbasis = "exact"\n',
    "gate",
    '[veto]\naction = "fixed_score"\nscore = 40\nplacement = "in_place"\n',
    '[veto]\naction = "stop"\n',
    '[grades]\nsection_fail_share = 0.9\nquotas = [ { grade = "优秀", share = 0.5, ties = "include" } ]\n',
]


def _wide_year(extra: str, gate: str = "60") -> Result:
    """Two classes, judgement leaves in two base parts, N/A, an uncapped count that can lift part B over
    its cap, a deduction, a bonus over its cap, a penalty and a veto."""
    catalogue = [
        section("A", 60),
        leaf("A1", "A", 30, "judgement", "lo=10; hi=30"),
        leaf("A2", "A", 20, "binary"),
        leaf("A3", "A", 10, "per_occurrence", "per=4"),
        section("B", 40),
        leaf("B1", "B", 20, "judgement"),
        leaf("B2", "B", 10, "ratio", applies_to="dept"),
        leaf("B3", "B", 10, "accumulate", "per=4"),
        section("J", 10, "bonus"),
        leaf("J1", "J", 10, "accumulate", "per=3"),
        section("K", 10, "penalty"),
        leaf("K1", "K", 10, "per_occurrence", "per=2"),
        section("V", 1, "veto"),
        leaf("V1", "V", 1, "veto"),
    ]
    units = [(f"T{i:02d}", f"乡镇{i}", "town") for i in range(1, 7)] + [
        (f"D{i:02d}", f"部门{i}", "dept") for i in range(1, 7)
    ]
    rows: list[tuple[str, ...]] = []
    for n, (u, _, cls) in enumerate(units):
        rows += [
            (u, "A1", "", str(18 + (n * 7) % 12 + 0.25 * (n % 3))),
            (u, "A2", "", "是" if n % 4 else "否"),
            (u, "A3", "", str(n % 4)),
            (u, "B1", "", "不适用" if n == 3 else str(10 + (n * 5) % 10)),
            (u, "B3", "", str(n % 5)),
            (u, "J1", "", str(n % 3)),
            (u, "K1", "", str(1 if n == 5 else 0)),
            (u, "V1", "", "是" if n == 8 else "否"),
        ]
        if cls == "dept":
            rows.append((u, "B2", "", str(0.5 + 0.1 * (n % 5))))
    year = example_year(catalogue, units, rows, settings="" if extra in ("scale", "gate") else extra)
    if extra == "scale":  # every class with its factor
        toml = SETTINGS.replace("max = 100\n", 'max = 100\nscale = "5/4"\n')
        year = dataclasses.replace(year, settings_toml=toml + '[not_applicable]\nmethod = "scale"\n')
    if extra in ("gate", "gate_exclusive"):  # the example's [bonus] with a gate a run's base can cross
        inclusive = "true" if extra == "gate" else "false"
        toml = SETTINGS.replace("cap = 5\n", f"cap = 5\ngate = {gate}\ngate_inclusive = {inclusive}\n")
        year = dataclasses.replace(year, settings_toml=toml)
    return year.result()


def _both_paths(result: Result, p: Perturbation) -> tuple[pl.DataFrame, pl.DataFrame]:
    a = result.assessment
    assert result.points is not None
    args = (result.points, as_rows(a.observations), a.units, a.catalogue, a.settings, p)
    fast = perturbed_runs(*args).collect().sort("run", "u")
    reference = perturbed_runs(*args, through_aggregation=True).collect().sort("run", "u")
    return fast, reference


@pytest.mark.parametrize("inclusive", [True, False])
def test_the_plain_path_takes_the_bonus_gate_as_declared(inclusive: bool) -> None:
    """A unit whose base is exactly the gate: its bonus counts only when the gate is inclusive."""
    plain = _wide_year("")
    d02 = plain.units.filter(pl.col("unit") == "D02").row(0, named=True)  # no conversion: base exact
    gate = f"{d02['base']:.2f}"
    result = _wide_year("gate" if inclusive else "gate_exclusive", gate)
    assert result.units.filter(pl.col("unit") == "D02")["bonus"].item() == (3.0 if inclusive else 0.0)
    fast, reference = _both_paths(result, Perturbation(5, Decimal("0"), 1))
    assert fast.equals(reference)


@pytest.mark.parametrize("extra", PLAIN_OPTIONS)
def test_the_plain_path_equals_every_run_through_the_aggregation(extra: str) -> None:
    from scoring.engine.perturb import moving_leaves
    from scoring.engine.stability_plain import plain_supported

    result = _wide_year(extra)
    a = result.assessment
    assert result.points is not None
    index = pl.DataFrame({"unit": a.units["code"], "u": pl.int_range(a.units.height, eager=True)})
    moving = moving_leaves(as_rows(result.points).collect(), as_rows(a.observations), index, a.catalogue)
    assert plain_supported(moving, a.catalogue, a.settings)
    fast, reference = _both_paths(result, Perturbation(60, Decimal("3"), 5))
    assert fast.equals(reference)
    # the runs do move ranks and grades: the equality is not of two constant frames
    assert fast.group_by("u").agg(pl.col("rank").n_unique())["rank"].max() > 1  # type: ignore[operator]


@pytest.mark.parametrize("through_aggregation", [False, True])
def test_a_year_without_judgement_leaves_keeps_every_rank(through_aggregation: bool) -> None:
    catalogue = [section("A", 100), leaf("A1", "A", 50, "binary"), leaf("A2", "A", 50, "ratio")]
    units = [("T01", "甲镇", "town"), ("T02", "乙镇", "town"), ("D01", "丁局", "dept")]
    inputs = [(u, "A1", "", "是") for u, _, _ in units] + [
        ("T01", "A2", "", "0.5"),
        ("T02", "A2", "", "0.7"),
        ("D01", "A2", "", "1"),
    ]
    result = example_year(catalogue, units, inputs).result()
    a = result.assessment
    assert result.points is not None
    p = Perturbation(20, Decimal("1"), 1)
    args = (result.points, as_rows(a.observations), a.units, a.catalogue, a.settings, p)
    runs = perturbed_runs(*args, through_aggregation=through_aggregation)
    summary = summarise(runs, result.units, a.units, a.settings, p).collect()
    assert summary["rank_lo"].to_list() == summary["rank"].to_list() == summary["rank_hi"].to_list()
    assert summary["margin"].null_count() == 3  # nothing of theirs can move
