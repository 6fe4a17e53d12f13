"""A validated year and the records around it: the files a run read, the alias table's lines."""

from __future__ import annotations

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
    observations: (
        pl.DataFrame
    )  # typed, see validate.OBSERVATION_SCHEMA; the reviewed inputs when both are given
    sources: tuple[SourceFile, ...]
    notes: tuple[Issue, ...] = field(default_factory=tuple)
    self_observations: pl.DataFrame | None = None  # the units' self-scores (自评), when given
    period: str | None = None  # the one period scored, when a run asked for one
    # every value normalised from a hand-entry form: file, row, column, before, after (None: not recorded)
    normalised: pl.DataFrame | None = None


@dataclass(frozen=True)
class Alias:
    """One line of aliases.csv: last year's code → this year's code."""

    old_code: str
    new_code: str
    note: str
    row: int

