"""A validated year and the records around it: the files a run read, the alias table's lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from scoring.errors import Issue
from scoring.spec.catalogue import Catalogue
from scoring.spec.settings import Settings


@dataclass(frozen=True)
class SourceFile:
    """A file the run read, with its hash for the manifest."""

    path: str
    sha256: str
    encoding: str | None = None
    role: str = "input"  # settings | plan | catalogue | roster | input


@dataclass(frozen=True)
class Assessment:
    """A validated year, ready to score."""

    year: int
    settings: Settings
    catalogue: Catalogue
    units: pl.DataFrame  # code, name, class
    # typed (:func:`observation_schema`); the reviewed inputs when both are given. The engine takes them
    # as :func:`as_rows`.
    observations: pl.DataFrame
    sources: tuple[SourceFile, ...]
    notes: tuple[Issue, ...] = field(default_factory=tuple)
    self_observations: pl.DataFrame | None = None  # the units' self-scores (自评), when given
    period: str | None = None  # the one period scored, when a run asked for one
    # every value normalised from a hand-entry form: file, row, column, before, after (None: not recorded)
    normalised: pl.DataFrame | None = None


ID_COLUMNS = ("unit", "class", "indicator")


def observation_schema(
    catalogue: Catalogue, settings: Settings, roster: pl.DataFrame, files: Iterable[str] = ()
) -> dict[str, pl.DataType]:
    """The columns of a year's validated observations. The unit, class and indicator are Enums of the
    roster's codes, the year's classes and the catalogue's leaves: 4 bytes a row where text takes 16 or
    more (at 100k units, 5.7M rows, 220 MB less for as long as the run lasts); the file a row came from
    is an Enum of the input ``files`` (:func:`source_type`)."""
    return {
        "unit": pl.Enum(roster["code"].unique(maintain_order=True).drop_nulls()),
        "class": pl.Enum(settings.class_ids),
        "indicator": pl.Enum([n.id for n in catalogue.leaves]),
        "key": pl.String(),
        "value": pl.Float64(),
        "na": pl.Boolean(),
        "period": pl.String(),
        "channel": pl.String(),
        "note": pl.String(),
        "evidence": pl.String(),
        "source": source_type(files),
        "row": pl.UInt32(),  # the row's number in its file (as read: 4 bytes, 230 MB less at a million units)
        "text": pl.String(),  # as written; null where it is the value's own (see :func:`written_text`)
    }


def source_type(files: Iterable[str]) -> pl.Enum:
    """The type of the observations' ``source``: an Enum of the files' names in the order of their text
    (rows sorted by it are sorted by the name). A byte a row for a few hundred files, where text took 16
    once the files were several (900 MB at a million units)."""
    return pl.Enum(sorted(set(files)))


def source_files(observations: pl.DataFrame) -> list[str]:
    """The names of the files validated ``observations`` came from (their ``source`` Enum's)."""
    kind = observations.schema["source"]
    if not isinstance(kind, pl.Enum):
        raise TypeError(f"observations' source should be an Enum of their files, not {kind}")
    return list(kind.categories)


def written_text() -> pl.Expr:
    """An observation's value as its file wrote it: ``text``, or, where ``text`` is null and there is a
    value, the value's own text. A decimal number of a Parquet file is stored without its text (it is
    the number's ``cast(pl.String)``, as read): 57M texts at 1M units, 1.2 GB, for as long as a run lasts."""
    return pl.coalesce(pl.col("text"), pl.col("value").cast(pl.String))


def as_rows(observations: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Observations as the engine takes them: lazily, the unit, class and indicator as text. ``text`` is as
    kept (null where it is the value's own): what reads it reads :func:`written_text`."""
    rows = observations.lazy()
    ids = [c for c in ID_COLUMNS if c in rows.collect_schema()]
    return rows.with_columns(pl.col(c).cast(pl.String) for c in ids)


@dataclass(frozen=True)
class Alias:
    """One line of aliases.csv: last year's code → this year's code."""

    old_code: str
    new_code: str
    note: str
    row: int
