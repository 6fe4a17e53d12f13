"""The reference workload as a year an office would score: ``indicators/<year>/`` (settings.toml and
indicators.csv) and ``data/<year>/`` (units.csv and assessments.parquet), so that ``score compute`` and the
workbook can be measured end to end on it.

    python -m benchmarks.year --in DIR --out ROOT [--year 2021] [--parts N]

``--parts N`` (optional, N ≥ 6) splits the six categories into N level-1 parts of consecutive indicators,
each worth the sum of its indicators' points, so a ranking sheet has N part columns (the print check uses
12); the indicators, their points and the data do not change. Without it the year is as before.

Ratio values above 1 are clipped to 1 on the way: the workload's ratio rule clips them itself, while a
year's validation rightly refuses a ratio above 1 as a data-entry error. Nothing else changes, so the
year's results equal the workload's.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
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


def split_parts(rows: pl.DataFrame, parts: int) -> pl.DataFrame:
    """Catalogue rows (text, as :func:`benchmarks.workload.catalogue_rows` without ``__row__``) with the
    ``base`` level-1 nodes split into ``parts`` level-1 parts: each category into consecutive runs of its
    indicators (as even as possible, the first categories taking one more when ``parts`` does not divide),
    a part ``C1-1`` worth the sum of its indicators' points. Other rows keep their place and text."""
    base = rows.filter(pl.col("role") == "base")["id"].to_list()
    leaves = {c: rows.filter(pl.col("parent") == c)["id"].to_list() for c in base}
    if not len(base) <= parts <= sum(map(len, leaves.values())):
        raise ValueError(f"--parts must be between {len(base)} and {sum(map(len, leaves.values()))}")
    points = dict(zip(rows["id"], rows["points"], strict=True))
    parent: dict[str, str] = {}
    new_rows: dict[str, list[dict[str, str]]] = {}
    for i, c in enumerate(base):
        k = parts // len(base) + (1 if i < parts % len(base) else 0)
        if k == 1:  # the category stays as it is
            continue
        if k > len(leaves[c]):
            raise ValueError(f"{c} has {len(leaves[c])} indicators, fewer than the {k} parts it would get")
        size, extra = divmod(len(leaves[c]), k)
        start, chunks = 0, []
        for j in range(k):
            end = start + size + (1 if j < extra else 0)
            chunks.append(leaves[c][start:end])
            start = end
        new_rows[c] = []
        for j, chunk in enumerate(chunks, start=1):
            pid = f"{c}-{j}"
            parent.update(dict.fromkeys(chunk, pid))
            total = sum((Decimal(points[x]) for x in chunk), Decimal(0))
            row = dict.fromkeys(rows.columns, "")
            row.update(id=pid, name=f"类别{c}之{j}", role="base", points=format(total.normalize(), "f"))
            new_rows[c].append(row)
    out: list[dict[str, str]] = []
    for r in rows.iter_rows(named=True):
        if r["id"] in new_rows:
            out += new_rows[r["id"]]
        else:
            out.append({**r, "parent": parent.get(r["id"], r["parent"])})
    return pl.DataFrame(out, schema=rows.schema)


def write_year(in_dir: str | Path, root: str | Path, year: int = 2021, parts: int | None = None) -> Path:
    """Write the year for the generated folder ``in_dir`` under ``root``; returns ``root``. ``parts``: see
    :func:`split_parts` (None: the six categories as they are)."""
    src, root = Path(in_dir), Path(root)
    ind, data = root / "indicators" / str(year), root / "data" / str(year)
    indicators = pl.read_parquet(src / "indicators.parquet")
    rows = catalogue_rows(indicators).drop("__row__")
    rows = rows if parts is None else split_parts(rows, parts)
    ind.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    rows.write_csv(ind / "indicators.csv")
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
    ap.add_argument("--parts", type=int, default=None,
                    help="split the six categories into this many level-1 parts (default: keep six)")
    a = ap.parse_args(argv)
    print(write_year(a.in_dir, a.out, a.year, a.parts))


if __name__ == "__main__":
    main()
