# Copy of the shared reference-workload gen.py (bench/gen.py); behaviour unchanged. Only these header
# lines and the import fallback for `from common import ...` differ from the original.
# Kept in its original style, so not linted or type-checked.
# ruff: noqa
# mypy: ignore-errors
"""Deterministic generator: gen.py --units N --seed S --out DIR

Writes units.parquet, indicators.parquet (60 indicators + 5 adjustment items = 65 rows),
observations.parquet (long format, ordered by unit then indicator) and meta.json.
Same (N, seed) -> byte-identical data on the same library versions.
"""
import argparse, json, os, time
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
try:  # as part of the benchmarks package
    from .common import CATS, CAT_MAX, RULES
except ImportError:  # as a script: python benchmarks/gen.py
    from common import CATS, CAT_MAX, RULES

MISSING_RATE = 0.03
ADJ = [  # indicator_id, category, per-item points (param1), cap (max_points)
    ("B1", "bonus", 1.0, 5.0), ("B2", "bonus", 1.0, 5.0),
    ("P1", "penalty", 2.0, 10.0), ("P2", "penalty", 2.0, 10.0),
    ("V1", "veto", 1.0, 1.0),  # veto: any value > 0; its points are not used
]


def make_indicators(rng):
    rows = []
    rules = rng.permutation(np.repeat(RULES, 12))          # 12 indicators per rule
    applies = np.array(["all"] * 60, dtype=object)
    special = rng.choice(60, 12, replace=False)
    applies[special[:6]], applies[special[6:]] = "town", "dept"
    for c, cat in enumerate(CATS):
        # 10 positive multiples of 0.5 that sum exactly to the category max
        halves = int(CAT_MAX[cat] * 2)
        cuts = np.sort(rng.choice(np.arange(1, halves), 9, replace=False))
        maxes = np.diff(np.concatenate([[0], cuts, [halves]])) / 2.0
        for k in range(10):
            i = c * 10 + k
            rule, m, p = rules[i], float(maxes[k]), [None, None, None]
            if rule == "deduct":
                p[0] = float(rng.choice([0.25, 0.5]))              # points per defect
            elif rule == "tiered":
                p[0] = float(rng.integers(60, 81))                  # param1 > param2 > param3
                p[1] = p[0] - float(rng.integers(10, 21))
                p[2] = p[1] - float(rng.integers(10, 21))
            elif rule == "per_item":
                p[0] = m / float(rng.choice([2, 4]))                # points per item
            rows.append((f"I{i + 1:02d}", cat, m, str(rule), *p, str(applies[i])))
    for iid, cat, per, cap in ADJ:
        rows.append((iid, cat, cap, "per_item", per, None, None, "all"))
    names = ["indicator_id", "category", "max_points", "rule", "param1", "param2", "param3", "applies_to"]
    cols = list(zip(*rows))
    types = [pa.string(), pa.string(), pa.float64(), pa.string()] + [pa.float64()] * 3 + [pa.string()]
    return pa.table([pa.array(c, t) for c, t in zip(cols, types)], names=names)


def draw(rng, kind, n):
    if kind == "check":
        return (rng.random(n) < 0.8).astype(np.float64)
    if kind == "ratio":
        return rng.uniform(0.0, 1.1, n)         # the rule clips at 1
    if kind == "deduct":
        return rng.poisson(1.0, n).astype(np.float64)
    if kind == "tiered":
        return rng.uniform(0.0, 100.0, n)
    if kind == "per_item":
        return rng.poisson(3.0, n).astype(np.float64)
    if kind == "bonus":
        return rng.poisson(0.3, n).astype(np.float64)
    if kind == "penalty":
        return rng.poisson(0.2, n).astype(np.float64)
    if kind == "veto":
        return (rng.random(n) < 0.01).astype(np.float64)
    raise ValueError(kind)


def generate(n_units, seed, out):
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    ind = make_indicators(rng)
    ids = ind["indicator_id"].to_pylist()
    cat = np.array(ind["category"].to_pylist(), dtype=object)
    rule = np.array(ind["rule"].to_pylist(), dtype=object)
    app = np.array(ind["applies_to"].to_pylist(), dtype=object)
    kind = np.where(np.isin(cat, CATS), rule, cat)         # value distribution per indicator

    unit_ids = pa.array([f"U{i:07d}" for i in range(1, n_units + 1)], pa.string())
    is_town = rng.random(n_units) < 0.4
    region = rng.integers(0, 50, n_units)
    regions = pa.array([f"R{r:02d}" for r in range(1, 51)], pa.string())
    units = pa.table({"unit_id": unit_ids,
                      "unit_class": pa.array(np.where(is_town, "town", "dept"), pa.string()),
                      "region": pc.take(regions, pa.array(region))})

    # per unit: 54 applicable scored indicators (48 all + 6 of its class) + 5 adjustment items = 59 slots
    scored = np.isin(cat, CATS)
    town_idx = np.flatnonzero(scored & np.isin(app, ["all", "town"]))
    dept_idx = np.flatnonzero(scored & np.isin(app, ["all", "dept"]))
    adj_idx = np.flatnonzero(~scored)
    slots = np.where(is_town[:, None], town_idx[None, :], dept_idx[None, :])       # (N, 54)
    keep = rng.random(slots.shape) >= MISSING_RATE                                   # ~3% missing
    slots = np.concatenate([slots, np.broadcast_to(adj_idx, (n_units, len(adj_idx)))], axis=1).astype(np.int16)
    keep = np.concatenate([keep, np.ones((n_units, len(adj_idx)), bool)], axis=1)
    values = np.empty(slots.shape, np.float64)
    for k in np.unique(kind):                    # fixed order -> deterministic stream
        mask = np.isin(slots, np.flatnonzero(kind == k))
        values[mask] = draw(rng, k, int(mask.sum()))
    unit_row = np.broadcast_to(np.arange(n_units, dtype=np.int32)[:, None], slots.shape)[keep]
    obs = pa.table({"unit_id": pc.take(unit_ids, pa.array(unit_row)),
                    "indicator_id": pc.take(pa.array(ids, pa.string()), pa.array(slots[keep])),
                    "value": pa.array(values[keep])})

    pq.write_table(units, f"{out}/units.parquet")
    pq.write_table(ind, f"{out}/indicators.parquet")
    pq.write_table(obs, f"{out}/observations.parquet")
    meta = {"units": n_units, "seed": seed, "observation_rows": obs.num_rows,
            "obs_in_memory_bytes": obs.nbytes,
            "obs_parquet_bytes": os.path.getsize(f"{out}/observations.parquet"),
            "gen_seconds": round(time.perf_counter() - t0, 2)}
    with open(f"{out}/meta.json", "w") as f:
        json.dump(meta, f)
    return meta


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    print(json.dumps(generate(a.units, a.seed, a.out)))
