"""The run manifest: package version, hashes of the catalogue and inputs, the settings used and a digest
of the results, so anyone can replay a run and get the same table."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import polars as pl

from scoring.spec.year import SourceFile

if TYPE_CHECKING:
    from scoring.spec.year import Assessment

BEIJING = dt.timezone(dt.timedelta(hours=8))
"""The time a reader's page is dated in: 北京时间 (UTC+8)."""


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def beijing_time(iso: str) -> str:
    """A recorded UTC time (ISO 8601) as a reader writes it in Beijing time: 2026年11月27日 15:05."""
    t = dt.datetime.fromisoformat(iso)
    t = (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(BEIJING)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


RESULT_COLUMNS = ("unit", "class", "total_num", "total_den", "total_printed", "rank", "grade", "veto")


def package_version() -> str:
    try:
        return version("zwgk-scoring")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


DIGEST_ROWS = 200_000
"""Units hashed at a time by :func:`results_digest` (their lines' text held at once: about 16 MB)."""


def results_digest(units: pl.DataFrame) -> str:
    """A digest of what is published (exact totals, printed totals, ranks, grades), order-independent: the
    SHA-256 of the columns' names joined by ``|``, then one line per unit in the order of its code, its
    values as text (empty for none) joined by U+001F, each line ended by a newline. The lines are written
    by polars, ``DIGEST_ROWS`` units at a time, as unquoted CSV: every value is text already, so the bytes
    are exactly those lines (the digest of archived runs is unchanged: tested against them made one by
    one)."""
    cols = [c for c in RESULT_COLUMNS if c in units.columns]
    table = units.select(pl.col(c).cast(pl.String) for c in cols).sort("unit")
    h = hashlib.sha256()
    h.update("|".join(cols).encode())
    for start in range(0, table.height, DIGEST_ROWS):
        lines = table.slice(start, DIGEST_ROWS).write_csv(
            None, separator="\x1f", include_header=False, quote_style="never", null_value=""
        )
        h.update(lines.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    year: int
    package_version: str
    created: str
    sources: tuple[SourceFile, ...]
    settings: dict[str, Any]
    results_sha256: str
    units: int
    observations: int
    extra: dict[str, Any] = field(default_factory=dict)
    period: str | None = None  # the one period scored (--period), or None for the whole year
    options: dict[str, Any] = field(default_factory=dict)  # the run spec: folders, inputs, appeals

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, default=str)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        d = json.loads(text)
        d["sources"] = tuple(SourceFile(**s) for s in d["sources"])
        return cls(**d)


def make_manifest(assessment: Assessment, units: pl.DataFrame) -> Manifest:
    return Manifest(
        year=assessment.year,
        package_version=package_version(),
        created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        sources=assessment.sources,
        settings=assessment.settings.raw,
        results_sha256=results_digest(units),
        units=units.height,
        observations=assessment.observations.height,
        period=assessment.period,
    )
