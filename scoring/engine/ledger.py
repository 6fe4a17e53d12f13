"""The ledger: every credit and deduction, per unit and leaf, with the rule, the input, the points, the
rubric's wording, the assessor's note (失分原因) and the evidence link. Built lazily, only when asked for,
so it costs nothing on the ranking path."""

from __future__ import annotations

import functools

import polars as pl

from scoring.engine.accounts import account_lines
from scoring.engine.points import NARROWED, leaf_points
from scoring.spec.catalogue import Catalogue
from scoring.spec.expr import index_type, marked, place_among, placed
from scoring.spec.settings import Settings
from scoring.spec.year import as_rows, written_text

LEDGER_LEAF_COLUMNS = (
    "indicator",
    "rule",
    "M",
    "role",
    "level1",
    "uncapped",
    "bounded",
    "path",
    "name",
    "rubric",
    "level1_points",
)
"""The columns of the catalogue's leaf frame each row of the ledger carries."""

_OUTCOME = ("l1", "veto_bit", "points", "major", "status", "lost")
FACT_COLUMNS = ("unit", "class", "indicator", "M", "role", *_OUTCOME)
"""The per-indicator points without the texts they share with their unit or leaf (:func:`indicator_facts`):
what is stored, and streamed between the stages of a run; :func:`widen` adds the texts."""

POINT_COLUMNS = ("unit", "unit_name", "class", *LEDGER_LEAF_COLUMNS, *_OUTCOME)
"""The columns of :func:`indicator_points`, in order."""


def _leaf_info(catalogue: Catalogue, class_ids: list[str]) -> pl.LazyFrame:
    # the leaf's texts repeat on every unit's row: categorical, so each is stored once
    texts = ("rule", "role", "path", "name", "rubric", "level1")
    return (
        catalogue.leaf_frame(class_ids)
        .lazy()
        .select(*LEDGER_LEAF_COLUMNS, *(f"applies_{c}" for c in class_ids))
        .with_columns(pl.col(c).cast(pl.Categorical) for c in texts)
    )


def pair_key(units: pl.Series, leaves: pl.Series, schema: pl.Schema | None = None) -> pl.Expr:
    """A row's (unit, indicator) as one integer: the unit's place in ``units`` (the roster's codes) times
    the number of leaves, plus the indicator's place in ``leaves``; null for a unit or indicator not in
    them (below :func:`pair_count`). A table of units × leaves is then read by place, with no join of
    millions of rows on the two texts; computing it is one lookup per row in tables of the roster's and
    the catalogue's size. ``schema``: the frame's, when its ids may be Enums (then read by their physical
    index, without the text)."""
    unit = pl.Enum(units.cast(pl.String).unique(maintain_order=True).drop_nulls())
    leaf = pl.Enum(leaves.cast(pl.String).unique(maintain_order=True).drop_nulls())
    given: dict[str, pl.DataType] = dict(schema or {})
    width = max(len(leaf.categories), 1)
    t = index_type(len(unit.categories) * width)  # four bytes a row while the pairs fit in them
    return (
        place_among("unit", unit, given.get("unit"), t) * width
        + place_among("indicator", leaf, given.get("indicator"), t)
    ).alias("pair")


def pair_count(units: pl.Series, leaves: pl.Series) -> int:
    """How many integers :func:`pair_key` of these ``units`` and ``leaves`` can give (0 to this, less one)."""
    return units.cast(pl.String).drop_nulls().n_unique() * max(
        leaves.cast(pl.String).drop_nulls().n_unique(), 1
    )


def _like_roster(observations: pl.LazyFrame, units: pl.LazyFrame) -> pl.LazyFrame:
    """The observations with their ids typed as the roster's codes, for what joins them with the roster or
    groups them: as text when the codes are text (a run's observations keep Enum ids, read by place
    elsewhere), as they are otherwise (a library caller's Enums of its own roster)."""
    return as_rows(observations) if units.collect_schema()["code"] == pl.String else observations


def _in_roster(column: str, roster: pl.Enum, given: pl.DataType) -> pl.Expr:
    """``column`` (text or an Enum) as the ``roster``'s Enum: as it is when it is that Enum already; a code
    not on the roster is null (its rows join no unit)."""
    return pl.col(column) if given == roster else pl.col(column).cast(pl.String).cast(roster, strict=False)


GRID_ROWS = 100_000
"""About this many rows of units × leaves at a time: the streaming engine takes an in-memory frame in pieces
of 100,000 rows, and a piece of units crossed with the leaves was one piece of units × leaves (6.5M rows at
65 leaves: the whole per-indicator table of 100,000 units held at once, 400 MB)."""


ACCOUNT_ROWS = 5_000_000
"""About this many leaves' points (units × leaves) in one part of the ledger's account lines (see
``build_ledger``): the aggregations behind the lines hold several copies of their part's rows."""


def _in_parts(units: pl.LazyFrame, height: int, leaves: int) -> pl.LazyFrame:
    """``units`` (of ``height`` rows) as consecutive slices of ``GRID_ROWS // leaves`` units, in order, so
    that crossing them with ``leaves`` leaves streams in pieces of about :data:`GRID_ROWS` rows."""
    step = max(1, GRID_ROWS // max(leaves, 1))
    if height <= step:
        return units
    return pl.concat([units.slice(start, step) for start in range(0, height, step)])


def indicator_facts(
    observations: pl.LazyFrame,
    units: pl.LazyFrame,
    catalogue: Catalogue,
    settings: Settings,
    points: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """One row per unit × applicable leaf (``FACT_COLUMNS``): points, points lost and status (已评分 /
    未评分 / 不适用), without the unit's and the leaf's texts (:func:`widen` adds them).

    ``points``: the leaves' points from :func:`leaf_points` when already computed (``NARROWED`` may be held
    narrower than Int64). The observations' and the points' unit and indicator may be text or the Enums of
    the validated observations (read by place)."""
    class_ids = settings.class_ids
    leaves = catalogue.leaf_frame(class_ids)
    applies = pl.lit(False)
    for c in class_ids:
        applies = applies | ((pl.col("class") == c) & pl.col(f"applies_{c}"))
    codes = units.select("code").collect().to_series()
    pair_of = functools.partial(pair_key, codes, leaves["indicator"])  # of a frame whose schema is given
    pair = pair_of()
    grid = (
        _in_parts(units.select(pl.col("code").alias("unit"), "class"), codes.len(), leaves.height)
        .join(
            leaves.lazy().select(
                "indicator", "M", pl.col("role").cast(pl.Categorical), *(f"applies_{c}" for c in class_ids)
            ),
            how="cross",
            maintain_order="left_right",  # unit by unit in the roster's order, each its leaves in order
        )
        .filter(applies)
        .drop(f"applies_{c}" for c in class_ids)
        .with_columns(pair)
    )
    # Each (unit, leaf) has its own place in a table of units × leaves (the pair key), so the leaves'
    # points and the rows' marks are put at their places and read back by the grid's rows: no hash join
    # of millions of rows on either side.
    size = pair_count(codes, leaves["indicator"])
    pts = (
        leaf_points(_like_roster(observations, units), catalogue, settings, units)
        if points is None
        else points
    )
    # every (unit, leaf) with a row, and whether one of its rows is 不适用: a bit a place, found first (the
    # rows' places go before the points' tables are made: not both at once)
    schema = observations.collect_schema()
    given = (
        observations.select(pair_of(schema), pl.col("na") if "na" in schema else pl.lit(False).alias("na"))
        .filter(pl.col("pair").is_not_null())
        .collect()
    )
    rows = given["pair"]
    marks = {"has_rows": marked(rows, size), "is_na": marked(rows.filter(given["na"].fill_null(False)), size)}
    del given, rows
    scored = (
        pts.select(pair_of(pts.collect_schema()), "l1", "veto_bit", "points", "major")
        .filter(pl.col("pair").is_not_null())
        .collect()
    )
    # each table in the narrowest type that holds its values, read back in the points' own (Int64 for a
    # column the points may hold narrow): a leaf's section and veto bit, and 重大扣分 (almost always 0), fit
    # in a byte (3 × 7 bytes less for each of the 65M places of a million units)
    types: dict[str, pl.DataType] = {c: pl.Int64() if c in NARROWED else t for c, t in scored.schema.items()}
    narrow = {
        c: placed(scored["pair"], scored[c].shrink_dtype(), size)
        for c in ("l1", "veto_bit", "points", "major")
    }
    del scored
    out = grid.with_columns(
        *(pl.lit(v).gather(pl.col("pair")).cast(types[c]).alias(c) for c, v in narrow.items()),
        *(pl.lit(v).gather(pl.col("pair")).alias(c) for c, v in marks.items()),
    ).with_columns(
        pl.when(pl.col("is_na").fill_null(False))
        .then(pl.lit("不适用"))
        .when(pl.col("points").is_null() & ~pl.col("has_rows").fill_null(False))
        .then(pl.lit("未评分"))
        .otherwise(pl.lit("已评分"))
        .alias("status"),
        pl.col("points").fill_null(0),
        pl.col("major").fill_null(0),
    )
    lost = (
        pl.when(pl.col("status") == "不适用")
        .then(0)
        .when(pl.col("role") == "base")
        .then(pl.col("M") - pl.col("points") - pl.col("major"))
        .otherwise(0)
    )
    return out.with_columns(lost.cast(pl.Int64).alias("lost")).select(FACT_COLUMNS)


def widen(
    facts: pl.LazyFrame, units: pl.LazyFrame, catalogue: Catalogue, settings: Settings, *, pair: bool = False
) -> pl.LazyFrame:
    """:func:`indicator_facts` (or some of their rows) with the unit's name and the leaf's texts
    (``POINT_COLUMNS``), each read at the unit's place in the roster and the leaf's in the catalogue;
    ``pair``: with the two places as :func:`pair_key` of the roster's codes and the leaves gives them."""
    class_ids = settings.class_ids
    info = _leaf_info(catalogue, class_ids).drop("M", "role", *(f"applies_{c}" for c in class_ids)).collect()
    roster = (
        units.select(pl.col("code").cast(pl.String), "name")
        .drop_nulls("code")
        .unique("code", keep="first", maintain_order=True)
        .collect()
    )

    t = index_type(roster.height * max(info.height, 1))
    unit_at, leaf_at = (
        place_among("unit", pl.Enum(roster["code"]), dtype=t),
        place_among("indicator", pl.Enum(info["indicator"]), dtype=t),
    )
    places = [(unit_at * max(info.height, 1) + leaf_at).alias("pair")] if pair else []
    return facts.with_columns(
        pl.lit(roster["name"]).gather(unit_at).alias("unit_name"),
        *(pl.lit(info[c]).gather(leaf_at).alias(c) for c in info.columns if c != "indicator"),
        *places,
    ).select(*POINT_COLUMNS, *(["pair"] if pair else []))


def indicator_points(
    observations: pl.LazyFrame,
    units: pl.LazyFrame,
    catalogue: Catalogue,
    settings: Settings,
    points: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """One row per unit × applicable leaf: points, points lost and status (已评分 / 未评分 / 不适用), with
    the unit's name and the leaf's texts (``POINT_COLUMNS``).

    ``points``: the leaves' points from :func:`leaf_points` when already computed."""
    facts = indicator_facts(observations, units, catalogue, settings, points)
    return widen(facts, units, catalogue, settings)


def build_ledger(
    observations: pl.LazyFrame,
    units: pl.LazyFrame,
    catalogue: Catalogue,
    settings: Settings,
    points: pl.LazyFrame | None = None,
    facts: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Rows where points were lost, credited (bonus), deducted (penalty) or a veto was triggered, and the
    account lines that lead from them to the total (:mod:`scoring.engine.accounts`); ``change`` is each
    line's signed effect on the total, so the unit's maximum plus its lines' changes is its total
    (``points``: as for :func:`indicator_points`; ``facts``: :func:`indicator_facts` of these inputs when
    already computed)."""
    schema = observations.collect_schema()
    codes = units.select("code").collect().to_series()  # the roster's codes: the lines' places and order
    ids = observations  # the unit and indicator as given (text or Enums): read by place below
    observations = _like_roster(observations, units)  # typed as the roster's where they are joined
    if points is None:
        points = leaf_points(observations, catalogue, settings, units)
    if facts is None:
        facts = indicator_facts(ids, units, catalogue, settings, points)
    texts = [c for c in ("note", "evidence", "text", "key") if c in schema]
    text = written_text() if "text" in texts else pl.col("value").cast(pl.String)
    given = (
        pl.when(pl.col("key").is_not_null()).then(pl.format("{}：{}", pl.col("key"), text)).otherwise(text)
    )
    columns = [
        (given if "key" in texts else text).alias("input"),
        pl.col("note") if "note" in texts else pl.lit(None, pl.String).alias("note"),
        pl.col("evidence") if "evidence" in texts else pl.lit(None, pl.String).alias("evidence"),
    ]
    if any(c in schema for c in ("key", "period", "channel")):
        detail = observations.group_by("unit", "indicator").agg(
            columns[0].drop_nulls().str.join("；"),
            columns[1].drop_nulls().unique(maintain_order=True).str.join("；"),
            columns[2].drop_nulls().unique(maintain_order=True).str.join(" "),
        )

        def with_detail(lines: pl.LazyFrame) -> pl.LazyFrame:
            return lines.join(detail, on=["unit", "indicator"], how="left", maintain_order="left")

    else:  # one row per unit and leaf: each line reads its leaf's row at the row's place (no hash join)
        leaf_ids = catalogue.leaf_frame()["indicator"]
        # the rows' own columns as they are (no copy of the observations), the input's text made per line
        raw = [c for c in ("value", *texts) if c in schema]
        rows = ids.select(pair_key(codes, leaf_ids, schema), *raw).collect()
        valid = rows["pair"].is_not_null()
        at_rows = pl.int_range(rows.height, dtype=pl.UInt32, eager=True)
        row_of = placed(rows["pair"].filter(valid), at_rows.filter(valid), pair_count(codes, leaf_ids))

        def with_detail(lines: pl.LazyFrame) -> pl.LazyFrame:
            at = pl.lit(row_of).gather(pl.col("pair"))  # the lines' places, as widen found them
            return (
                lines.with_columns(pl.lit(rows[c]).gather(at).alias(c) for c in raw)
                .with_columns(columns)
                .drop(c for c in raw if c not in ("note", "evidence"))
            )

    kind = (  # a bonus leaf's major deduction (a deducting rule there, 不设上限) is no credit
        pl.when((pl.col("role") == "bonus") & (pl.col("major") >= 0))
        .then(pl.lit("加分"))
        .when(pl.col("role") == "penalty")
        .then(pl.lit("扣分项"))
        .when(pl.col("role") == "veto")
        .then(pl.lit("一票否决"))
        .when(pl.col("major") < 0)
        .then(pl.lit("重大扣分"))
        .otherwise(pl.lit("失分"))
    )
    keep = (
        ((pl.col("role") == "base") & (pl.col("lost") != 0))
        | (pl.col("role").is_in(["bonus", "penalty"]) & ((pl.col("points") != 0) | (pl.col("major") != 0)))
        | ((pl.col("role") == "veto") & (pl.col("points") > 0))
    )
    change = (  # a major deduction (uncapped) counts beside the points, whatever the section
        pl.when(pl.col("role") == "bonus")
        .then(pl.col("points") + pl.col("major"))
        .when(pl.col("role") == "penalty")
        .then(-pl.col("points") + pl.col("major"))
        .when(pl.col("role") == "veto")
        .then(None)
        .otherwise(-pl.col("lost"))
    )
    leaves = (
        with_detail(widen(facts.filter(keep), units, catalogue, settings, pair=True))
        .with_columns(
            kind.alias("kind"),
            pl.when(pl.col("status") == "未评分")
            .then(pl.lit("未评分（按0分计）"))
            .otherwise(pl.col("note"))
            .alias("note"),
        )
        .select(
            "unit",
            "unit_name",
            "class",
            "indicator",
            "name",
            "path",
            "rule",
            "kind",
            "input",
            "M",
            "points",
            "lost",
            "rubric",
            "note",
            "evidence",
            "status",
            change.cast(pl.Int64).alias("change"),
        )
    )
    na = (observations.filter(pl.col("na")) if "na" in schema else observations.head(0)).select(
        "unit", "indicator"
    )
    roster = pl.Enum(codes.cast(pl.String).unique(maintain_order=True).drop_nulls())
    # the account lines aggregate every unit's points again: by the roster's Enum ids, not by their texts
    code_type = units.collect_schema()["code"]
    by_id = units.with_columns(_in_roster("code", roster, code_type))
    by_id_points = points.with_columns(
        _in_roster("unit", roster, points.collect_schema()["unit"]), pl.col("indicator").cast(pl.String)
    )
    by_id_na = na.with_columns(_in_roster("unit", roster, na.collect_schema()["unit"]))
    names = by_id.select(pl.col("code").alias("unit"), pl.col("name").alias("unit_name"), "class")

    def accounts_of(start: int, count: int) -> pl.LazyFrame:
        """The account lines of the roster's units ``start`` to ``start + count``: a unit's lines read only
        its own points, so the units are taken in parts and each part's aggregations are held alone."""
        def part(column: str) -> pl.Expr:
            return pl.col(column).to_physical().is_between(start, start + count, closed="left")

        return (
            account_lines(
                by_id_points.filter(part("unit")),
                by_id_na.filter(part("unit")),
                by_id.filter(part("code")),
                catalogue,
                settings,
            )
            .join(names.filter(part("unit")), on="unit")
            # in the roster's order, then by part and kind: the same inputs give the same ledger, line by line
            .sort(pl.col("unit").to_physical(), "indicator", "kind", "change")
        )

    step = max(1, ACCOUNT_ROWS // max(len(catalogue.leaves), 1))
    bonus_side = pl.col("kind").is_in(["加分封顶", "加分门槛"])
    penalty_side = pl.col("kind") == "扣分封顶"
    unit_text = pl.col("unit").cast(pl.String)
    parts = range(0, max(len(roster.categories), 1), step)
    lines = pl.concat([accounts_of(start, step) for start in parts]).select(
        (unit_text if code_type == pl.String else unit_text.cast(code_type)).alias("unit"),
        "unit_name",
        "class",
        "indicator",
        "name",
        pl.col("name").alias("path"),
        pl.lit(None, pl.String).alias("rule"),
        "kind",
        pl.lit(None, pl.String).alias("input"),
        pl.lit(None, pl.Int64).alias("M"),
        pl.when(bonus_side)
        .then(pl.col("change"))
        .when(penalty_side)
        .then(-pl.col("change"))
        .otherwise(0)
        .cast(pl.Int64)
        .alias("points"),
        pl.when(bonus_side | penalty_side).then(0).otherwise(-pl.col("change")).cast(pl.Int64).alias("lost"),
        "rubric",
        pl.lit(None, pl.String).alias("note"),
        pl.lit(None, pl.String).alias("evidence"),
        pl.lit("核算").alias("status"),
        "change",
    )
    return pl.concat([leaves, lines], how="diagonal_relaxed")
