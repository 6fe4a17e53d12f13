"""compute: points → aggregate → rank → grade, as one lazy query over the validated year."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from scoring.engine.aggregate import aggregate_units
from scoring.engine.grade import grade_units
from scoring.engine.ledger import build_ledger, indicator_facts, indicator_points, widen
from scoring.engine.points import NARROWED, leaf_points
from scoring.engine.rank import order, rank_units
from scoring.exact import printed, scaled_to_float, to_points
from scoring.spec.catalogue import Catalogue
from scoring.spec.manifest import Manifest, make_manifest
from scoring.spec.settings import Settings
from scoring.spec.year import as_rows, observation_schema

if TYPE_CHECKING:  # loading a year needs pandera; scoring does not
    from scoring.spec.year import Assessment


def _scoring_rows(observations: pl.DataFrame, *, ids: bool = False) -> pl.LazyFrame:
    """A year's validated observations for the engine, without the key, period and channel columns when they
    are empty throughout: such columns gather nothing, and without them each unit × leaf's single row is
    taken as it is (no modifier pass over the keys, no grouping of millions of rows in the ledger). ``ids``:
    the unit, class and indicator kept as the Enums they are (for what reads them by place), not as text."""
    grouping = ("key", "period", "channel")
    empty = [
        c
        for c in grouping
        if c in observations.columns and observations[c].null_count() == observations.height
    ]
    return (observations.lazy() if ids else as_rows(observations)).drop(empty)


def score(
    observations: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, settings: Settings
) -> pl.LazyFrame:
    """The ranked, graded per-unit results as a LazyFrame (nothing is computed until collected).

    ``observations``: unit, class, indicator, value, and optionally key, na, period, channel, text;
    ``units``: code, name, class.
    """
    return score_points(
        leaf_points(observations, catalogue, settings, units), observations, units, catalogue, settings
    )


def score_points(
    points: pl.LazyFrame,
    observations: pl.LazyFrame,
    units: pl.LazyFrame,
    catalogue: Catalogue,
    settings: Settings,
) -> pl.LazyFrame:
    """:func:`score` from the leaves' points already computed (``points``: from ``leaf_points``)."""
    schema = observations.collect_schema()
    na = (observations.filter(pl.col("na")) if "na" in schema else observations.head(0)).select(
        "unit", "indicator"
    )
    totals = aggregate_units(points, na, units, catalogue, settings)
    return order(grade_units(rank_units(totals, settings), settings), settings)


def publishable(results: pl.LazyFrame, catalogue: Catalogue, settings: Settings) -> pl.LazyFrame:
    """Points as decimals for people: parts and totals rounded to the printed places."""
    base_l1 = [n.id for n in catalogue.level1 if n.role == "base"]

    def show(col: str) -> pl.Expr:
        return scaled_to_float(
            printed(pl.col(col).cast(pl.Int128), pl.lit(1, pl.Int128), settings.places, settings.rounding),
            settings.places,
        )

    return results.with_columns(
        *(show(f"part:{l1}").alias(f"part:{l1}") for l1 in base_l1),
        show("bonus").alias("bonus"),
        show("penalty").alias("penalty"),
        (-show("major")).alias("major"),
        scaled_to_float(pl.col("total_printed"), settings.places).alias("total"),
        (pl.col("total_num").cast(pl.Float64) / pl.col("total_den").cast(pl.Float64) / 1e12).alias(
            "total_exact"
        ),
        to_points(pl.col("max")).alias("max"),
        show("base_raw").alias("base_raw"),
        scaled_to_float(
            printed(pl.col("base_num"), pl.col("total_den"), settings.places, settings.rounding),
            settings.places,
        ).alias("base"),
    )


@dataclass
class Result:
    """What a run produces: per-unit results, and lazily the per-indicator points and the ledger."""

    assessment: Assessment
    units: pl.DataFrame  # one row per unit, published order; exact columns plus display columns
    manifest: Manifest
    points: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    """The leaves' points (``leaf_points`` of the reviewed inputs), computed once for the totals, the
    per-indicator points and the ledger, the unit and indicator as Enums (``as_rows`` gives them as text),
    the veto bit and 重大扣分 held in their narrowest type (:func:`narrowed`; :meth:`computed_points`
    gives them as computed); None when the result was made without them."""
    _ledger: pl.LazyFrame | None = field(default=None, init=False, repr=False, compare=False)
    _per_indicator: pl.LazyFrame | None = field(default=None, init=False, repr=False, compare=False)
    _discrepancies: pl.DataFrame | None = field(default=None, init=False, repr=False, compare=False)
    _released: bool = field(default=False, init=False, repr=False, compare=False)

    def with_units(self, units: pl.DataFrame) -> Result:
        """This result with ``units`` in place of its own (the same units in the same order, with more
        columns: the 同比 columns of the ranking sheets), keeping what it holds: the ledger and the
        per-indicator points as kept, the self-review's differences, and whether its inputs were released.
        ``dataclasses.replace`` would drop them all: after :meth:`release_inputs`, the ledger would then be
        built again from no observations (every leaf 未评分) instead of read from its file."""
        if not units.get_column("unit").equals(self.units.get_column("unit")):
            raise ValueError("with_units: not the result's units in its order")
        out = dataclasses.replace(self, units=units)
        for f in dataclasses.fields(self):
            if not f.init:  # what the result holds beside its fields: the same for the same units
                setattr(out, f.name, getattr(self, f.name))
        return out

    @property
    def settings(self) -> Settings:
        return self.assessment.settings

    @property
    def catalogue(self) -> Catalogue:
        return self.assessment.catalogue

    def indicator_points(self) -> pl.LazyFrame:
        """Per unit × leaf: points and points lost, with the unit's and the leaf's texts (built only when
        asked for, from the facts as kept: see :meth:`keep_indicator_points`)."""
        a = self.assessment
        return widen(self.indicator_facts(), a.units.lazy(), a.catalogue, a.settings)

    def indicator_facts(self) -> pl.LazyFrame:
        """Per unit × leaf: points and points lost, without the texts (``ledger.FACT_COLUMNS``; built only
        when asked for, or as kept: see :meth:`keep_indicator_points`)."""
        if self._per_indicator is not None:
            return self._per_indicator
        self._check_inputs("the per-indicator points")
        a = self.assessment
        # the ids as Enums, read by place: no text for millions of rows; the points as held (narrow)
        points = self.points.lazy() if self.points is not None else None
        return indicator_facts(
            _scoring_rows(a.observations, ids=True), a.units.lazy(), a.catalogue, a.settings, points
        )

    def computed_points(self) -> pl.LazyFrame | None:
        """The leaves' points as ``leaf_points`` computed them (the ids as Enums), lazily; None without."""
        if self.points is None:
            return None
        return self.points.lazy().with_columns(pl.col(c).cast(pl.Int64) for c in NARROWED)

    def _points(self) -> pl.LazyFrame | None:
        points = self.computed_points()
        return as_rows(points) if points is not None else None

    def discrepancies(self) -> pl.DataFrame:
        """Self-score against review (自评 / 复核): every leaf whose points differ, with the review's note
        (computed when first asked for, then kept)."""
        if self._discrepancies is None:
            self._discrepancies = self._differences()
        return self._discrepancies

    def _differences(self) -> pl.DataFrame:
        self._check_inputs("the self-review differences")
        a = self.assessment
        schema = {
            "unit": pl.String,
            "unit_name": pl.String,
            "indicator": pl.String,
            "name": pl.String,
            "self": pl.Float64,
            "reviewed": pl.Float64,
            "difference": pl.Float64,
            "note": pl.String,
        }
        if a.self_observations is None:
            return pl.DataFrame(schema=schema)
        own = indicator_points(_scoring_rows(a.self_observations), a.units.lazy(), a.catalogue, a.settings)
        final = self.indicator_points()
        notes = (
            as_rows(a.observations)
            .group_by("unit", "indicator")
            .agg(pl.col("note").drop_nulls().unique(maintain_order=True).str.join("；"))
        )
        key = ["unit", "indicator"]
        out = (
            final.select(*key, "unit_name", "name", "points", "status")
            .join(
                own.select(*key, pl.col("points").alias("own"), pl.col("status").alias("own_status")), on=key
            )
            .filter((pl.col("points") != pl.col("own")) | (pl.col("status") != pl.col("own_status")))
            .join(notes, on=key, how="left")
            .select(
                "unit",
                "unit_name",
                "indicator",
                "name",
                to_points(pl.col("own")).alias("self"),
                to_points(pl.col("points")).alias("reviewed"),
                to_points(pl.col("points") - pl.col("own")).alias("difference"),
                "note",
            )
        )
        order = {u: i for i, u in enumerate(self.units["unit"].to_list())}
        return out.collect().sort(pl.col("unit").replace_strict(order, default=len(order)), "indicator")

    def ledger(self, units: Sequence[str] | None = None) -> pl.LazyFrame:
        """Every credit and deduction with its reason (of ``units`` only, when given), lazily: nothing is
        kept in memory. Read from the ledger as written once :meth:`keep_ledger` named it; otherwise built
        on each collect, from the leaves' points already computed, and for ``units`` from their rows only
        (each unit's lines depend only on its own points)."""
        # some units' codes as one list (is_in of a Series of the column's own type is deprecated)
        chosen = pl.Series(list(units), dtype=pl.String).implode() if units is not None else None
        if self._ledger is not None:
            kept = self._ledger
            return kept if chosen is None else kept.filter(pl.col("unit").is_in(chosen))
        self._check_inputs("the ledger")
        a = self.assessment
        # the whole ledger reads the rows' and the leaves' points' Enum ids by place; some units' lines
        # filter them by their text
        whole = units is None
        rows, roster = _scoring_rows(a.observations, ids=whole), a.units.lazy()
        points = self.computed_points() if whole else self._points()
        facts = self._per_indicator
        if chosen is not None:
            if points is None:  # a leaf's points may depend on the other units' inputs: all of them first
                points = leaf_points(rows, a.catalogue, a.settings, roster)
            rows = rows.filter(pl.col("unit").is_in(chosen))
            roster = roster.filter(pl.col("code").is_in(chosen))
            points = points.filter(pl.col("unit").is_in(chosen))
            if facts is not None:
                facts = facts.filter(pl.col("unit").is_in(chosen))
        return build_ledger(rows, roster, a.catalogue, a.settings, points, facts)

    def keep_ledger(self, ledger: pl.LazyFrame | None) -> None:
        """Read the ledger from ``ledger`` from now on (the ledger as written: a Parquet scan), so the
        workbook, the archive and the ledger file do not each build it; None: build it again."""
        self._ledger = ledger

    def release_points(self) -> None:
        """Let the leaves' points go (hundreds of MB for a province) once the per-indicator points and the
        ledger are kept as files (:meth:`keep_indicator_points`, :meth:`keep_ledger`): what needs them after
        that computes them again from the inputs."""
        self.points = None

    def release_inputs(self) -> None:
        """Let the year's observations go (about 1 GB at a million units) once nothing has to read them: the
        per-indicator points and the ledger kept as files (:meth:`keep_indicator_points`,
        :meth:`keep_ledger`); the self-review's differences are computed first and kept. The memory is
        freed only when the result holds the year alone (``run.compute.compute_year`` takes it over). After
        this, what would have to be built from the observations again raises instead of building it from
        none: a result computed from released inputs would be a wrong result, not a slow one."""
        if self._ledger is None or self._per_indicator is None:
            raise RuntimeError("inputs released before the ledger and the per-indicator points were kept")
        self.discrepancies()
        a = self.assessment
        self_observations = a.self_observations.clear() if a.self_observations is not None else None
        self.assessment = dataclasses.replace(
            a, observations=a.observations.clear(), self_observations=self_observations
        )
        self._released = True

    def _check_inputs(self, what: str) -> None:
        if self._released:
            raise RuntimeError(f"{what} would be built from observations already released (release_inputs)")

    def keep_indicator_points(self, facts: pl.LazyFrame | None) -> None:
        """Read the per-indicator points from ``facts`` from now on (:meth:`indicator_facts` as written: a
        Parquet scan), so the ledger and the archive do not each build them; None: build them again."""
        self._per_indicator = facts


def compute(assessment: Assessment) -> Result:
    """Score a validated year."""
    a = assessment
    rows, roster = _scoring_rows(a.observations), a.units.lazy()
    # kept with the unit and leaf as Enums (as the observations): 32 bytes a row less, 1.5 GB at 1M units
    ids = observation_schema(a.catalogue, a.settings, a.units)
    points = (
        leaf_points(rows, a.catalogue, a.settings, roster)
        .with_columns(pl.col(c).cast(ids[c]) for c in ("unit", "indicator"))
        .collect()
    )
    lf = score_points(as_rows(points), rows, roster, a.catalogue, a.settings)
    units = publishable(lf, a.catalogue, a.settings).collect()
    return Result(a, units, make_manifest(a, units), narrowed(points))


def narrowed(points: pl.DataFrame) -> pl.DataFrame:
    """``points`` with :data:`NARROWED` in the narrowest integer type that holds their values."""
    return points.with_columns(points[c].shrink_dtype() for c in NARROWED)
