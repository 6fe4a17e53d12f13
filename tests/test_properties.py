"""Property tests: the engine against a plain-Python reference scorer (exact fractions, loops), on random
catalogues and inputs; ranks form a valid ranking; caps never exceeded; row order changes nothing."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import compute, load_year, results_digest

from .conftest import BASE_SETTINGS, CATALOGUE_HEADER, write_csv

RULES = ("per_occurrence", "judgement", "binary", "count_capped", "ratio")


@st.composite
def years(draw: st.DrawFn) -> dict[str, object]:
    n_l1 = draw(st.integers(1, 3))
    halves = draw(st.lists(st.integers(1, 8), min_size=n_l1 * 3, max_size=n_l1 * 3))
    leaves = []
    for i in range(n_l1):
        for j in range(draw(st.integers(1, 3))):
            m = Fraction(halves[i * 3 + j], 2)
            rule = draw(st.sampled_from(RULES))
            per = Fraction(draw(st.integers(1, 6)), 4)
            cap = Fraction(draw(st.integers(1, 8)), 4) if draw(st.booleans()) else None
            applies = draw(st.sampled_from(["", "", "town", "dept"]))
            leaves.append(
                {
                    "id": f"L{i}{j}",
                    "l1": f"C{i}",
                    "M": m,
                    "rule": rule,
                    "per": per,
                    "cap": cap,
                    "applies": applies,
                }
            )
    units = [(f"U{k}", draw(st.sampled_from(["town", "dept"]))) for k in range(draw(st.integers(1, 6)))]
    obs = []
    for u, cls in units:
        for leaf in leaves:
            if leaf["applies"] and leaf["applies"] != cls:
                continue
            kind = draw(st.sampled_from(["value", "value", "value", "missing", "na"]))
            if kind == "missing":
                continue
            if kind == "na":
                obs.append((u, leaf["id"], "不适用"))
                continue
            rule = leaf["rule"]
            if rule in ("per_occurrence", "count_capped"):
                v = str(draw(st.integers(0, 12)))
            elif rule == "binary":
                v = draw(st.sampled_from(["是", "否"]))
            elif rule == "ratio":
                v = str(Decimal(draw(st.integers(0, 100))) / 100)
            else:
                v = str(Decimal(draw(st.integers(0, int(leaf["M"] * 100)))) / 100)
            obs.append((u, leaf["id"], v))
    bonus = draw(st.lists(st.integers(0, 4), min_size=len(units), max_size=len(units)))
    veto = draw(st.lists(st.booleans(), min_size=len(units), max_size=len(units)))
    pooled = draw(st.booleans())
    return {
        "leaves": leaves,
        "units": units,
        "obs": obs,
        "bonus": bonus,
        "veto": veto,
        "pooled": pooled,
        "seed": draw(st.integers(0, 10**6)),
    }


def reference(y: dict[str, object]) -> dict[str, tuple[Decimal | None, int | None, str]]:
    """Plain Python, exact fractions: total, rank and grade per unit."""
    leaves: list[dict[str, object]] = y["leaves"]  # type: ignore[assignment]
    units: list[tuple[str, str]] = y["units"]  # type: ignore[assignment]
    l1_max: dict[str, Fraction] = {}
    for leaf in leaves:
        l1_max[leaf["l1"]] = l1_max.get(leaf["l1"], Fraction(0)) + leaf["M"]  # type: ignore[index,operator]
    values = {(u, i): v for u, i, v in y["obs"]}  # type: ignore[attr-defined]
    out: dict[str, tuple[Fraction, bool]] = {}
    for k, (u, cls) in enumerate(units):
        parts: dict[str, Fraction] = {}
        applicable = Fraction(0)
        for leaf in leaves:
            if leaf["applies"] and leaf["applies"] != cls:
                continue
            v = values.get((u, leaf["id"]))
            if v == "不适用":
                continue
            m: Fraction = leaf["M"]  # type: ignore[assignment]
            applicable += m
            if v is None:
                p = Fraction(0)
            elif leaf["rule"] == "per_occurrence":
                d = leaf["per"] * int(v)  # type: ignore[operator]
                p = m - (min(d, leaf["cap"]) if leaf["cap"] is not None else d)
            elif leaf["rule"] == "count_capped":
                p = min(leaf["per"] * int(v), leaf["cap"] if leaf["cap"] is not None else m)  # type: ignore[operator]
            elif leaf["rule"] == "binary":
                p = m if v == "是" else Fraction(0)
            elif leaf["rule"] == "ratio":
                p = m * Fraction(Decimal(v))
            else:
                p = Fraction(Decimal(v))
            p = min(p, m) if y["pooled"] else max(Fraction(0), min(p, m))
            parts[leaf["l1"]] = parts.get(leaf["l1"], Fraction(0)) + p  # type: ignore[index]
        base = sum((max(Fraction(0), min(p, l1_max[c])) for c, p in parts.items()), Fraction(0))
        base = base * sum(l1_max.values()) / applicable if applicable else Fraction(0)
        bonus = min(Fraction(y["bonus"][k]), Fraction(3))  # type: ignore[index]
        out[u] = (max(Fraction(0), base + bonus), y["veto"][k])  # type: ignore[index]
    printed = {u: Decimal(t.numerator) / Decimal(t.denominator) for u, (t, _) in out.items()}
    printed = {
        u: (Decimal(out[u][0].numerator * 100) / out[u][0].denominator).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        / 100
        for u in printed
    }
    result = {}
    for u, cls in units:
        same = [w for w, c in units if c == cls]
        rank = 1 + sum(1 for w in same if printed[w] > printed[u])
        t = printed[u]
        grade = "优秀" if t >= 90 else "良好" if t >= 80 else "合格" if t >= 60 else "不合格"
        result[u] = (t, rank, "不合格" if out[u][1] else grade)
    return result


def write_year(root: Path, y: dict[str, object], shuffle: bool = False) -> tuple[Path, Path]:
    ind, data = root / "ind", root / "data"
    ind.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    leaves: list[dict[str, object]] = y["leaves"]  # type: ignore[assignment]
    rows: list[list[object]] = []
    l1s = sorted({str(leaf["l1"]) for leaf in leaves})
    for c in l1s:
        mine = [leaf for leaf in leaves if leaf["l1"] == c]
        rows.append([c, "", c, float(sum(leaf["M"] for leaf in mine)), "", "", "", "", "", "", ""])  # type: ignore[misc,arg-type]
        for leaf in mine:
            params = {
                "per_occurrence": f"per={float(leaf['per'])}"
                + (  # type: ignore[arg-type]
                    f"; cap={float(leaf['cap'])}" if leaf["cap"] is not None else ""
                ),  # type: ignore[arg-type]
                "count_capped": f"per={float(leaf['per'])}"
                + (  # type: ignore[arg-type]
                    f"; cap={float(leaf['cap'])}" if leaf["cap"] is not None else ""
                ),
            }.get(str(leaf["rule"]), "")  # type: ignore[arg-type]
            rows.append(
                [
                    leaf["id"],
                    c,
                    leaf["id"],
                    float(leaf["M"]),
                    "",
                    leaf["rule"],
                    params,  # type: ignore[arg-type]
                    leaf["applies"],
                    "",
                    "标准",
                    "",
                ]
            )
    rows.append(["J", "", "加分", 3, "bonus", "", "", "", "", "", ""])
    rows.append(["J1", "J", "表彰", 3, "", "count_capped", "per=1; cap=5", "", "", "标准", ""])
    rows.append(["V", "", "否决", 1, "veto", "", "", "", "", "", ""])
    rows.append(["V1", "V", "泄密", 1, "", "veto", "", "", "", "标准", ""])
    total = sum(float(r[3]) for r in rows if r[1] == "" and r[4] == "")  # type: ignore[arg-type]
    base = BASE_SETTINGS.replace("max = 100", f"max = {total:g}")
    (ind / "settings.toml").write_text(
        base + "[bonus]\ncap = 3\n" + ('[caps]\nmode = "pooled"\n' if y["pooled"] else ""), encoding="utf-8"
    )
    write_csv(ind / "indicators.csv", CATALOGUE_HEADER, rows)
    units: list[tuple[str, str]] = y["units"]  # type: ignore[assignment]
    write_csv(data / "units.csv", ["code", "name", "class"], [(u, f"单位{u}", c) for u, c in units])
    obs = [list(o) for o in y["obs"]]  # type: ignore[attr-defined]
    obs += [[u, "J1", str(y["bonus"][k])] for k, (u, _) in enumerate(units)]  # type: ignore[index]
    obs += [[u, "V1", "是" if y["veto"][k] else "否"] for k, (u, _) in enumerate(units)]  # type: ignore[index]
    if shuffle:
        random.Random(y["seed"]).shuffle(obs)  # type: ignore[arg-type]
    write_csv(data / "assessments.csv", ["unit", "indicator", "value"], obs)
    return ind, data


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(y=years())
def test_engine_matches_reference(tmp_path_factory: object, y: dict[str, object]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ind, data = write_year(Path(tmp) / "a", y)
        result = compute(load_year(2021, ind, data))
        expected = reference(y)
        got = {r["unit"]: (Decimal(str(r["total"])), r["rank"], r["grade"]) for r in result.units.to_dicts()}
        # scale the reference to the same maximum as the catalogue (the class max equals the base sum)
        assert {u: (g[1], g[2]) for u, g in got.items()} == {u: (e[1], e[2]) for u, e in expected.items()}
        assert {u: g[0] for u, g in got.items()} == {u: e[0] for u, e in expected.items()}
        # invariants: ranks valid competition ranks; parts within their caps
        for cls in {c for _, c in y["units"]}:  # type: ignore[attr-defined]
            part = result.units.filter(pl.col("class") == cls).sort("rank")
            ranks, keys = part["rank"].to_list(), part["total_printed"].to_list()
            for i, (r, k) in enumerate(zip(ranks, keys, strict=True)):
                assert r == 1 + sum(1 for kk in keys if kk > k)
                assert i == 0 or keys[i - 1] >= k
        # row order changes nothing
        ind2, data2 = write_year(Path(tmp) / "b", y, shuffle=True)
        again = compute(load_year(2021, ind2, data2))
        assert results_digest(again.units) == results_digest(result.units)
