"""The results as Parquet: ``result.units`` with the run manifest in the file's metadata, and the whole
ledger. Both are written atomically (see :func:`scoring.atomic.atomic_write`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from scoring.atomic import atomic_write

if TYPE_CHECKING:
    from scoring.engine.compute import Result

__all__ = ["write_ledger_parquet", "write_parquet"]


def _parquet_frame(units: pl.DataFrame) -> pl.DataFrame:
    """result.units for Parquet: Int128 (not readable by pyarrow and most tools) as Decimal(38, 0), or as
    text for a column whose values do not fit 38 digits."""
    limit = pl.lit(10**38 - 1, pl.Int128)
    casts = []
    for name, dtype in units.schema.items():
        if dtype == pl.Int128:
            fits = units.select(((pl.col(name) <= limit) & (pl.col(name) >= -limit)).all()).item()
            casts.append(pl.col(name).cast(pl.Decimal(38, 0) if fits in (True, None) else pl.String))
    return units.with_columns(casts) if casts else units


def write_ledger_parquet(result: Result, path: Path) -> Path:
    """The whole ledger (every credit and deduction, points in pico-points) as Parquet, atomically:
    streamed (built and written in batches, never whole in memory), zstd at level 1 (at 100,000 units half
    the time of the default level, and no larger: its texts repeat)."""

    def write(tmp: Path) -> None:
        result.ledger().sink_parquet(tmp, compression="zstd", compression_level=1)

    atomic_write(path, write)
    return path


def write_parquet(result: Result, path: Path) -> Path:
    """Write ``result.units`` (display and exact columns) to Parquet atomically, with the run manifest in
    the file's key-value metadata (``zwgk_manifest``); returns ``path``."""
    frame = _parquet_frame(result.units)

    def write(tmp: Path) -> None:
        frame.write_parquet(tmp, metadata={"zwgk_manifest": result.manifest.to_json()})

    atomic_write(path, write)
    return path
