"""Side-by-side: the reference workload as one DuckDB SQL query (floats, as WORKLOAD.md states the rules).

    python -m benchmarks.duckdb_reference --in DIR --out FILE

Not part of the engine; used to compare speed and memory with the engine on the same machine and run.
Needs ``duckdb`` (not a project dependency).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.cli import in_out_main

CATEGORIES = {"C1": 15, "C2": 20, "C3": 20, "C4": 15, "C5": 15, "C6": 15}


def query(in_dir: str | Path) -> str:
    d = Path(in_dir)
    parts = ",\n        ".join(
        f"LEAST(COALESCE(SUM(p) FILTER (WHERE category = '{c}'), 0), {m}) AS {c}"
        for c, m in CATEGORIES.items()
    )
    base_sum = " + ".join(CATEGORIES)
    return f"""
    WITH ind AS (SELECT * FROM read_parquet('{d / "indicators.parquet"}')),
    units AS (SELECT unit_id, unit_class FROM read_parquet('{d / "units.parquet"}')),
    applicable AS (
        SELECT c.cls AS unit_class, SUM(ind.max_points) AS app
        FROM ind, (VALUES ('town'), ('dept')) AS c(cls)
        WHERE ind.category LIKE 'C%' AND ind.applies_to IN ('all', c.cls)
        GROUP BY c.cls),
    pts AS (
        SELECT o.unit_id, i.category, o.value,
            CASE i.rule
                WHEN 'check' THEN CASE WHEN o.value >= 1 THEN i.max_points ELSE 0 END
                WHEN 'ratio' THEN i.max_points * LEAST(GREATEST(o.value, 0), 1)
                WHEN 'deduct' THEN GREATEST(0, i.max_points - i.param1 * o.value)
                WHEN 'tiered' THEN i.max_points * CASE WHEN o.value >= i.param1 THEN 1.0
                    WHEN o.value >= i.param2 THEN 0.6 WHEN o.value >= i.param3 THEN 0.3 ELSE 0 END
                WHEN 'per_item' THEN LEAST(i.max_points, i.param1 * o.value)
            END AS p
        FROM read_parquet('{d / "observations.parquet"}') AS o JOIN ind AS i USING (indicator_id)),
    per_unit AS (
        SELECT unit_id,
        {parts},
        LEAST(COALESCE(SUM(p) FILTER (WHERE category = 'bonus'), 0), 5) AS bonus,
        LEAST(COALESCE(SUM(p) FILTER (WHERE category = 'penalty'), 0), 10) AS penalty,
        COALESCE(BOOL_OR(value > 0) FILTER (WHERE category = 'veto'), false) AS veto
        FROM pts GROUP BY unit_id),
    totals AS (
        SELECT u.unit_id, u.unit_class, {", ".join(f"p.{c}" for c in CATEGORIES)},
            LEAST(GREATEST(100 * ({base_sum}) / a.app + bonus - penalty, 0), 105) AS total_raw, veto
        FROM units AS u JOIN per_unit AS p USING (unit_id) JOIN applicable AS a USING (unit_class)),
    rounded AS (SELECT *, round_even(total_raw * 100, 0) / 100 AS total FROM totals)
    SELECT unit_id, unit_class, {", ".join(CATEGORIES)}, total_raw, total,
        CAST(rank() OVER (PARTITION BY unit_class ORDER BY total DESC) AS BIGINT) AS rank,
        CASE WHEN veto THEN '不合格' WHEN total >= 90 THEN '优秀' WHEN total >= 80 THEN '良好'
             WHEN total >= 60 THEN '合格' ELSE '不合格' END AS grade
    FROM rounded
    ORDER BY unit_class, rank, unit_id
    """


def run(in_dir: str | Path, out: str | Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"COPY ({query(in_dir)}) TO '{out}' (FORMAT parquet)")
    con.close()


def main(argv: list[str] | None = None) -> None:
    in_out_main(run, "python -m benchmarks.duckdb_reference", argv)


if __name__ == "__main__":
    main()
