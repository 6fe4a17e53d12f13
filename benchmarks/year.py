"""The reference workload as a year an office would score: ``indicators/<year>/`` (settings.toml and
indicators.csv) and ``data/<year>/`` (units.csv and assessments.parquet), so that ``score compute`` and the
workbook can be measured end to end on it.

    python -m benchmarks.year --in DIR --out ROOT [--year 2021]

Ratio values above 1 are clipped to 1 on the way: the workload's ratio rule clips them itself, while a
year's validation rightly refuses a ratio above 1 as a data-entry error. Nothing else changes, so the
year's results equal the workload's.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.workload import SETTINGS, catalogue_rows


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string is a JSON string
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"no TOML for {v!r}")


def settings_toml(settings: dict[str, Any], year: int) -> str:
    """``settings.toml`` text for a settings dict of the shape of :data:`benchmarks.workload.SETTINGS`:
    top-level scalars, ``classes`` as an array of tables, every other dict as a table."""
    lines = [f"{k} = {_toml_value(year if k == 'year' else v)}" for k, v in settings.items()
             if not isinstance(v, dict | list)]
    for c in settings.get("classes", []):
        lines += ["", "[[classes]]", *(f"{k} = {_toml_value(x)}" for k, x in c.items())]
    for name, table in settings.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(x)}" for k, x in table.items())]
    return "\n".join(lines) + "\n"


def write_year(in_dir: str | Path, root: str | Path, year: int = 2021) -> Path:
    """Write the year for the generated folder ``in_dir`` under ``root``; returns ``root``."""
    src, root = Path(in_dir), Path(root)
    ind, data = root / "indicators" / str(year), root / "data" / str(year)
    ind.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    indicators = pl.read_parquet(src / "indicators.parquet")
    catalogue_rows(indicators).drop("__row__").write_csv(ind / "indicators.csv")
    (ind / "settings.toml").write_text(settings_toml(SETTINGS, year), encoding="utf-8")
    pl.read_parquet(src / "units.parquet").select(
        pl.col("unit_id").alias("code"), pl.col("unit_id").alias("name"), pl.col("unit_class").alias("class")
    ).write_csv(data / "units.csv")
    ratio = indicators.filter(pl.col("rule") == "ratio")["indicator_id"].to_list()
    pl.scan_parquet(src / "observations.parquet").select(
        pl.col("unit_id").alias("unit"),
        pl.col("indicator_id").alias("indicator"),
        pl.when(pl.col("indicator_id").is_in(ratio)).then(pl.col("value").clip(0.0, 1.0))
        .otherwise(pl.col("value")).alias("value"),
    ).sink_parquet(data / "assessments.parquet")
    return root


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.year", description=__doc__.splitlines()[0])
    ap.add_argument("--in", dest="in_dir", required=True, help="folder written by gen.py")
    ap.add_argument("--out", required=True, help="root to write indicators/<year> and data/<year> under")
    ap.add_argument("--year", type=int, default=2021)
    a = ap.parse_args(argv)
    print(write_year(a.in_dir, a.out, a.year))


if __name__ == "__main__":
    main()
