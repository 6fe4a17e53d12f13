"""A run's frames on their way into the archive and back: as an Arrow stream DuckDB reads, in the archive's
columns, and the run's big tables as the Parquet files stored."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from scoring.engine.compute import Result


class ArrowStream:
    """A polars frame as an Arrow C stream: DuckDB reads it without pyarrow."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def conform(frame: pl.DataFrame, columns: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """The columns in order and type, missing ones null; 128-bit integers as text."""
    exprs = []
    for name, dtype in columns.items():
        col = pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        exprs.append(col.cast(pl.String) if dtype == pl.Int128 else col)
    return frame.select(exprs)


@contextlib.contextmanager
def spilled(
    result: Result, ledger_file: Path | None, points_file: Path | None
) -> Iterator[tuple[Path, Path]]:
    """The run's per-indicator points and its ledger, unless already written, streamed to temporary
    Parquet files (removed afterwards) for DuckDB to read."""
    with tempfile.TemporaryDirectory(prefix="zwgk-archive-") as scratch:
        if points_file is None:
            points_file = Path(scratch) / "indicator_points.parquet"
            result.indicator_facts().sink_parquet(points_file, compression="zstd", compression_level=1)
        if ledger_file is None:
            ledger_file = Path(scratch) / "ledger.parquet"
            result.ledger().sink_parquet(ledger_file, compression="zstd", compression_level=1)
        yield points_file, ledger_file
