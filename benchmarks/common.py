# Copy of the shared reference-workload common.py (bench/common.py); behaviour unchanged. Only these header
# lines differ from the original. Kept in its original style, so not linted or type-checked.
# ruff: noqa
# mypy: ignore-errors
"""Constants of the reference workload, shared by the generator and every implementation."""
CATS = ["C1", "C2", "C3", "C4", "C5", "C6"]
CAT_MAX = {"C1": 15.0, "C2": 20.0, "C3": 20.0, "C4": 15.0, "C5": 15.0, "C6": 15.0}  # sums to 100
RULES = ["check", "ratio", "deduct", "tiered", "per_item"]
TIER_FACTORS = (1.0, 0.6, 0.3)      # value >= param1 / >= param2 / >= param3
BONUS_CAP, PENALTY_CAP, TOTAL_MAX = 5.0, 10.0, 105.0
# grade on the rounded total; veto overrides everything
GRADE_STEPS = [(90.0, "优秀"), (80.0, "良好"), (60.0, "合格")]
FAIL = "不合格"
CLASSES = ["town", "dept"]
# Output: one row per unit, ordered by (unit_class, rank, unit_id).
# total_raw is the unrounded total (kept so the checker can compare to 1e-9);
# total = rint(total_raw * 100) / 100, i.e. IEEE round-half-to-even of the scaled value.
# rank is computed on the rounded total.
OUT_COLS = ["unit_id", "unit_class", *CATS, "total_raw", "total", "rank", "grade"]


def paths(in_dir):
    return (f"{in_dir}/units.parquet", f"{in_dir}/indicators.parquet", f"{in_dir}/observations.parquet")
