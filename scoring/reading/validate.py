"""Validation of the roster and the assessment inputs, and their normalisation into typed observations.

Structure is checked with pandera (columns present, no unknown columns, required values, uniqueness),
run on DataFrames so the data checks run, not only the schema. Content is checked with polars
expressions over all rows at once: unknown unit or indicator, inputs for an indicator that does not
apply, keys, values outside the rule's domain, duplicates across files. Every failure becomes an
``Issue`` naming the file, the row as the user sees it, the column, the value and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

from scoring.errors import Issue
from scoring.reading.coverage import missing_rows
from scoring.reading.domains import (
    NORMALISED_SCHEMA,
    normalisation_notes,
    normalise_text,
    normalised_cells,
    read_written,
    typed_values_lazy,
    value_checks,
)
from scoring.reading.findings import MAX_ISSUES_PER_CHECK, duplicates, issues_from, missing_extra_rows
from scoring.spec.catalogue import Catalogue
from scoring.spec.expr import first_match, index_type
from scoring.spec.rules import MODIFIER_KEYS
from scoring.spec.settings import Settings
from scoring.spec.year import observation_schema, source_type, written_text

AS_WRITTEN = ("unit_as_written", "__indicator_as_written", "written")
"""The unit, indicator and value of an input row as written in its file."""

UNIT_COLUMNS = {"code": True, "name": True, "class": True}
INPUT_COLUMNS = {
    "unit": True,
    "indicator": True,
    "key": False,
    "value": True,
    "period": False,
    "channel": False,
    "note": False,
    "evidence": False,
}
# Chinese headers an office may use instead of ours
ALIASES = {
    "单位代码": "code",
    "代码": "code",
    "单位名称": "name",
    "名称": "name",
    "类别": "class",
    "单位类别": "class",
    "单位": "unit",
    "指标": "indicator",
    "指标编号": "indicator",
    "子项": "key",
    "值": "value",
    "数值": "value",
    "考核期": "period",
    "渠道": "channel",
    "失分原因": "note",
    "备注": "note",
    "佐证链接": "evidence",
    "佐证材料": "evidence",
    "编号": "id",
    "上级": "parent",
    "分值": "points",
    "规则": "rule",
    "参数": "params",
    "适用": "applies_to",
    "适用类别": "applies_to",
    "工作要点": "plan_items",
    "评分标准": "rubric",
}


def canonical_columns(df: pl.DataFrame) -> pl.DataFrame:
    return df.rename({c: ALIASES[c] for c in df.columns if c in ALIASES and ALIASES[c] not in df.columns})


def _schema(columns: dict[str, bool], unique: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                pl.String,
                required=required,
                nullable=not required or name in ("value",),
                unique=name in unique,
            )
            for name, required in columns.items()
        }
        | {
            "__row__": pa.Column(pl.UInt32, required=False),
            "__cell__": pa.Column(pl.String, required=False, nullable=True),
        },
        strict=True,
    )


def check_structure(
    df: pl.DataFrame, columns: dict[str, bool], file: str, unique: tuple[str, ...] = ()
) -> list[Issue]:
    """pandera's structural checks (columns, required values, uniqueness) as Issues."""
    schema = _schema(columns, unique)
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(df.with_columns(_as_text(df, c, c in unique) for c in df.columns), lazy=True)
        except pa.errors.SchemaErrors as e:
            return _failures(e.failure_cases, df, file, list(columns))
    return []


def _as_text(df: pl.DataFrame, column: str, values: bool) -> pl.Expr:
    """``column`` as pandera checks it, as text: its values where they are checked (``values``: unique),
    else only where it is empty (a number or a Categorical is not copied as text for that: a constant
    where there is no empty cell, as most columns of millions of rows)."""
    col, dtype = pl.col(column), df.schema[column]
    if column == "__row__" or dtype == pl.String:
        return col
    if values:
        return col.cast(pl.String)
    nulls = df[column].null_count()
    if nulls == 0 or nulls == df.height:
        return pl.lit("" if nulls == 0 else None, pl.String).alias(column)
    return pl.when(col.is_not_null()).then(pl.lit("")).alias(column)


def check_columns(df: pl.DataFrame, columns: dict[str, bool], file: str) -> list[Issue]:
    """The column-level findings of :func:`check_structure`: a required column missing, an unknown one."""
    return [i for i in check_structure(df, columns, file) if i.row == 1]


def _failures(cases: pl.DataFrame, df: pl.DataFrame, file: str, expected: list[str]) -> list[Issue]:
    issues = []
    rows = df["__row__"].to_list() if "__row__" in df.columns else []
    for c in cases.to_dicts():
        check, column, value = c["check"], c["column"], c["failure_case"]
        idx = c["index"]
        row = rows[idx] if idx is not None and idx < len(rows) else None
        if check == "column_in_dataframe":
            issues.append(Issue(file, 1, value, None, "缺少必需的列", f"{value}|column_present", "structure"))
        elif check == "column_in_schema":
            issues.append(
                Issue(
                    file,
                    1,
                    value,
                    None,
                    f"未知的列（可用：{'、'.join(expected)}）",
                    f"{value}|column_known",
                    "structure",
                )
            )
        elif check == "not_nullable":
            issues.append(Issue(file, row, column, None, "不能为空", f"{column}|required", "structure"))
        elif check == "field_uniqueness":
            issues.append(Issue(file, row, column, value, "不能重复", f"{column}|unique", "structure"))
        elif "dtype" in check:
            issues.append(Issue(file, None, column, value, "类型不对", f"{column}|dtype", "structure"))
        else:
            issues.append(Issue(file, row, column, value, check, f"{column}|{check}", "structure"))
    return issues


def check_roster(df: pl.DataFrame, settings: Settings, file: str) -> tuple[pl.DataFrame | None, list[Issue]]:
    df = canonical_columns(df)
    issues = check_structure(df, UNIT_COLUMNS, file, unique=("code",))
    if any(i.family == "structure" and i.row == 1 for i in issues):
        return None, issues
    bad = df.filter(pl.col("class").is_not_null() & ~pl.col("class").is_in(settings.class_ids))
    issues += [
        Issue(
            file,
            r["__row__"],
            "class",
            r["class"],
            f"单位类别应为 {'、'.join(settings.class_ids)} 之一",
            f"{r['code']}|class_known",
        )
        for r in bad.to_dicts()
    ]
    names = df.filter(pl.col("name").is_not_null() & pl.col("name").is_duplicated())
    issues += [
        Issue(file, r["__row__"], "name", r["name"], "单位名称不能重复", f"{r['code']}|name_unique")
        for r in names.to_dicts()
    ]
    if df.is_empty():
        issues.append(Issue(file, None, None, None, "名单中没有单位", "units|not_empty", "structure"))
    return df.select("code", "name", "class"), issues


class Inputs(NamedTuple):
    """The assessors' files read: typed observations, every problem found in them, and every value that
    was normalised from a hand-entry form (file, row, column, before, after)."""

    observations: pl.DataFrame
    issues: list[Issue]
    normalised: pl.DataFrame


def normalise_inputs(
    frames: list[tuple[str, pl.DataFrame]], catalogue: Catalogue, settings: Settings, roster: pl.DataFrame
) -> tuple[pl.DataFrame, list[Issue]]:
    """Typed observations from the assessors' files, and every problem found in them."""
    read = read_inputs(frames, catalogue, settings, roster)
    return read.observations, read.issues


def read_inputs(
    frames: list[tuple[str, pl.DataFrame]],
    catalogue: Catalogue,
    settings: Settings,
    roster: pl.DataFrame,
    files: Iterable[str] = (),
) -> Inputs:
    """Typed observations from the assessors' files, every problem found in them and every normalised
    value. ``files``: the names of all the year's input files (the rows' ``source`` is an Enum of them and
    of those of ``frames``: the reviewed rows and the self-scores, read apart, are put together)."""
    issues: list[Issue] = []
    parts = []
    sources = source_type([*files, *(file for file, _ in frames)])
    for file, df in frames:
        df = canonical_columns(df)
        # numbers of a Parquet file stay numbers for the value (read as numbers anyway), text elsewhere; the
        # structure check needs no copy of them as text (a value may be empty: only its column is checked)
        numeric = [c for c, t in df.schema.items() if t.is_numeric() and c != "__row__"]
        df = df.with_columns(pl.col(c).cast(pl.String) for c in numeric if c != "value")
        # the unit and indicator as Categorical (each spelling once: a code repeats on every row of its unit
        # or leaf), the other texts as text
        ids = [c for c in ("unit", "indicator") if c in df.columns]
        df = df.with_columns(
            *(pl.col(c).cast(pl.Categorical) for c in ids),
            *(
                pl.col(c).cast(pl.String)
                for c, t in df.schema.items()
                if t == pl.Categorical and c not in ids
            ),
        )
        structure = check_structure(df, INPUT_COLUMNS, file)
        issues += structure
        if any(i.row == 1 for i in structure):
            continue
        if df.is_empty():
            issues.append(
                Issue(file, None, None, None, "文件中没有评分数据", "inputs|not_empty", "structure")
            )
            continue
        missing = [c for c in INPUT_COLUMNS if c not in df.columns]
        df = df.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)
        cell = pl.col("__cell__") if "__cell__" in df.columns else pl.lit(None, pl.String).alias("__cell__")
        source = pl.lit(file, pl.String).cast(sources).alias("source")  # a byte a row, not the text
        parts.append(df.select(*INPUT_COLUMNS, "__row__", cell).with_columns(source))
    schema = observation_schema(catalogue, settings, roster, sources.categories)
    if not parts:
        return Inputs(pl.DataFrame(schema=schema), issues, pl.DataFrame(schema=NORMALISED_SCHEMA))
    if len({part.schema["value"] for part in parts}) > 1:  # each value as its own file wrote it ("3", "3.5")
        parts = [part.with_columns(pl.col("value").cast(pl.String)) for part in parts]
    # each row's number stays as the file was read (no copy: an Int64 one cost 460 MB at a million units);
    # each row's place, to read back what the collected rows leave out
    raw = pl.concat(parts, how="vertical_relaxed").with_row_index("__input_at")

    # Every check is a boolean column of one lazy query over all rows, collected once; the rows a check
    # flags (almost always none) are then read back for its messages. Units and indicators are
    # normalised and looked up once per distinct spelling (a few thousand), not once per row.
    leaf_info = catalogue.leaf_frame(settings.class_ids).select(
        "indicator",
        "rule",
        "domain",
        "keyed",
        "allowed_keys",
        "choices",
        "lo",
        "hi",
        "usual_lo",
        "usual_hi",
        pl.col("ceiling").is_not_null(),
        pl.col("applies").list.len().eq(0).alias("__applies_all"),
        *(pl.col(f"applies_{c}").alias(f"__applies_{i}") for i, c in enumerate(settings.class_ids)),
    )
    non_leaf = {n.id for n in catalogue.nodes if not n.is_leaf}
    indicators = (
        raw.get_column("indicator")
        .unique()
        .cast(pl.String)
        .to_frame("__indicator_as_written")
        .with_columns(normalise_text(pl.col("__indicator_as_written")).alias("indicator"))
        .join(leaf_info.with_row_index("__leaf"), on="indicator", how="left")
    )
    rows = (
        raw.lazy()
        .rename({"unit": "unit_as_written", "indicator": "__indicator_as_written"})
        .with_columns(
            pl.col("value").alias("written"),
            normalise_text(pl.col("key")).alias("key"),
        )
    )
    leaf_columns = [
        c for c in indicators.columns if c not in ("__indicator_as_written", "indicator", "__leaf")
    ]
    rows = read_written(rows, raw.get_column("value"))
    places = roster.unique("code", keep="first", maintain_order=True)  # each code's place: its first row
    unit_map = _unit_map(raw.get_column("unit"), roster, places)
    rows = _lookup(rows, "unit_as_written", unit_map)
    rows = _lookup(rows, "__indicator_as_written", indicators)
    # keys a leaf takes beside its own rows (a unit's quota, 定额), as its rule kind declares them
    extra_keys = {
        (n.id, key): required
        for n in catalogue.leaves
        if n.kind is not None
        for key, required in n.kind.extra_keys(n.params).items()
    }
    extra_text: dict[str, str] = {}
    for leaf_id, key in extra_keys:
        extra_text[leaf_id] = f"{extra_text[leaf_id]}、{key}" if leaf_id in extra_text else key
    is_extra: pl.Expr = pl.lit(False)
    if extra_keys:
        table = pl.DataFrame(
            [(i, k) for i, k in extra_keys], schema={"indicator": pl.String, "key": pl.String}, orient="row"
        )
        rows = rows.join(
            table.with_columns(pl.lit(True).alias("__extra__")).lazy(),
            on=["indicator", "key"],
            how="left",
            maintain_order="left",
        )
        is_extra = pl.col("__extra__").fill_null(False)
    # values per domain, each checked against its domain and the range its kind declares (reading.domains)
    rows = typed_values_lazy(rows, set(leaf_info["domain"]))

    known_unit = pl.col("class").is_not_null()
    known_leaf = pl.col("rule").is_not_null()
    applies = first_match(
        [(pl.col("class") == c, pl.col(f"__applies_{i}")) for i, c in enumerate(settings.class_ids)],
        pl.col("__applies_all"),
    )
    ok_row = pl.col("__ok")
    is_na = pl.col("na")  # the text is 不适用 or the like (reading.domains.read_written)
    is_modifier = pl.col("key").is_in(list(MODIFIER_KEYS))
    key_required = pl.col("keyed") & ~is_modifier & ~is_na
    present = pl.col("text").is_not_null()
    checks = [
        _Check(~known_unit, "unit", "unit_as_written", "单位代码或名称不在名单（units.csv）中", "unit_known"),
        _Check(
            pl.col("indicator").is_in(list(non_leaf)),
            "indicator",
            "indicator",
            "只能对末级指标评分（此为上级指标）",
            "indicator_is_leaf",
        ),
        _Check(
            ~known_leaf & ~pl.col("indicator").is_in(list(non_leaf)),
            "indicator",
            "indicator",
            "指标编号不在本年度指标体系中",
            "indicator_known",
        ),
        _Check(
            known_unit & known_leaf & ~pl.col("__applies"),
            "indicator",
            "indicator",
            pl.format("该指标不适用于本单位类别（{}）", pl.col("class")),
            "indicator_applies",
        ),
        # keys
        _Check(
            ok_row & key_required & pl.col("key").is_null(),
            "key",
            "key",
            pl.format(
                "规则 {} 需要填写子项（key）：{}", pl.col("rule"), pl.col("allowed_keys").list.join("、")
            ),
            "key_required",
        ),
        _Check(
            ok_row
            & key_required
            & pl.col("key").is_not_null()
            & ~pl.col("allowed_keys").list.contains(pl.col("key")),
            "key",
            "key",
            pl.format("子项应为：{}", pl.col("allowed_keys").list.join("、")),
            "key_known",
        ),
        _Check(
            ok_row & ~pl.col("keyed") & pl.col("key").is_not_null() & ~is_modifier & ~is_extra,
            "key",
            "key",
            pl.when(pl.col("indicator").is_in(list(extra_text)))
            .then(
                pl.format(
                    "子项（key）应留空，或为 {} / 不得分 / 及格封顶",
                    pl.col("indicator").replace_strict(extra_text, default=""),
                )
            )
            .otherwise(pl.lit("此规则不需要子项（key），或应为 不得分 / 及格封顶")),
            "key_unexpected",
        ),
        _Check(
            ok_row & (pl.col("key") == "及格封顶") & ~pl.col("ceiling"),
            "key",
            "key",
            "使用“及格封顶”须在指标参数中给出 ceiling",
            "ceiling_missing",
        ),
        *(
            _Check(ok_row & c.mask, "value", "text", c.expected, c.code, c.severity)
            for c in value_checks(settings, catalogue.leaf_frame())
        ),
    ]
    if extra_keys:
        checks.append(
            _Check(
                ok_row & is_extra & (is_na | (pl.col("value") < 1)),
                "value",
                "text",
                pl.format("子项“{}”应为不小于1的整数（本单位的规定数量，不能为0或不适用）", pl.col("key")),
                "extra_key_value",
            )
        )
    before_extra_rows = len(checks)
    checks += [
        _Check(
            ok_row & ~present & (pl.col("domain") != "date"),
            "value",
            "text",
            "不能为空（不适用的填“不适用”）",
            "value_required",
        ),
        *_period_channel_checks(settings),
    ]

    decimal = raw.schema["value"] == pl.Float64
    # the same number, and the same zero (1/-0.0 is -inf): its text is the value's cast to text
    same = (pl.col("value") == pl.col("written")) & (1.0 / pl.col("value") == 1.0 / pl.col("written"))
    own_text = same if decimal else pl.lit(False)

    # the one pass over the rows: every check's flag, the rows that score, and the (unit, leaf) pair as one
    # integer for finding repeats (four bytes while the roster × the leaves fit in them)
    pair_type = index_type(places.height * leaf_info.height)
    df = (
        rows.with_columns(applies.alias("__applies"))
        .with_columns((known_unit & known_leaf & pl.col("__applies")).alias("__ok"))
        .with_columns(
            *(c.mask.alias(f"__check{i}") for i, c in enumerate(checks)),
            pl.when(known_unit & known_leaf)
            .then(pl.col("__unit").cast(pair_type) * leaf_info.height + pl.col("__leaf").cast(pair_type))
            .alias("__pair"),
        )
        # a decimal number of a Parquet file is its own text (read_written): the collected rows and the
        # observations keep no copy of it (spec.year.written_text gives it back)
        .with_columns(pl.when(own_text).then(None).otherwise(pl.col("text")).alias("text"))
        # the leaf's own columns (its rule, domain, ranges, choices…) are the same on all its rows, and the
        # unit's, the indicator's and the value's texts are the file's or the roster's: they stay out of
        # the collected rows (most of their memory) and are read back where needed (restore)
        .drop(*leaf_columns, *AS_WRITTEN, "unit", "class", "indicator")
        .collect(engine="streaming")
    )
    as_written = raw.select(
        pl.col("unit").alias("unit_as_written"),
        pl.col("indicator").alias("__indicator_as_written"),
        pl.col("value").alias("written"),
    )

    def restore(frame: pl.DataFrame) -> pl.DataFrame:
        """Some of the collected rows (those a check flags, almost always none) with all they had in the
        query: the unit, indicator and value as written, the unit and class as read, the leaf's columns."""
        back = frame.drop("__unit", "__leaf").with_columns(
            *(pl.lit(as_written[c]).gather(pl.col("__input_at")).alias(c) for c in AS_WRITTEN),
            written_text().alias("text"),
        )
        return _lookup(
            _lookup(back.lazy(), "unit_as_written", unit_map), "__indicator_as_written", indicators
        ).collect()

    hits = df.select(pl.col(f"__check{i}").any() for i in range(len(checks))).row(0)
    for i, (check, hit) in enumerate(zip(checks, hits, strict=True)):
        if i == before_extra_rows and extra_keys:
            extra_leaves = pl.col("__leaf").is_in(
                [i for i, leaf in enumerate(leaf_info["indicator"]) if any(leaf == e for e, _ in extra_keys)]
            )
            issues += missing_extra_rows(
                restore(df.filter(ok_row & extra_leaves)), extra_keys, is_extra, is_modifier | is_na
            )
        if hit:
            bad = restore(df.filter(pl.col(f"__check{i}")))
            issues += issues_from(
                bad, "source", check.column, check.value_col, check.expected, check.code, check.severity
            )

    issues += duplicates(df, restore, places.height, leaf_info.height)

    # a scored row's unit, class and indicator, read at the unit's place in the roster and the leaf's in
    # the catalogue (as Enums, no text on the way)
    unit_of = pl.lit(places["code"].cast(schema["unit"])).gather(pl.col("__unit"))
    class_of = pl.lit(places["class"].cast(schema["class"])).gather(pl.col("__unit"))
    leaf_of = pl.lit(leaf_info["indicator"].cast(schema["indicator"])).gather(pl.col("__leaf"))
    if settings.missing == "error":
        have = (
            df.lazy()
            .filter(pl.col("__pair").is_not_null())
            .select(unit_of.alias("unit"), leaf_of.alias("indicator"))
        )
        issues += missing_rows(
            have.unique().with_columns(pl.col("unit", "indicator").cast(pl.String)).collect(),
            catalogue,
            roster,
            MAX_ISSUES_PER_CHECK,
        )

    # lazily: filtering the eager frame first would copy every one of its columns
    obs = (
        df.lazy()
        .filter(ok_row)
        .select(
            unit_of.alias("unit"),
            class_of.alias("class"),
            leaf_of.alias("indicator"),
            pl.col("key"),
            pl.col("value").cast(pl.Float64),
            pl.col("na").fill_null(False),
            pl.col("period"),
            pl.col("channel"),
            pl.col("note"),
            pl.col("evidence"),
            pl.col("source"),
            pl.col("__row__").cast(schema["row"]).alias("row"),
            pl.col("text"),
        )
        .collect()
    )
    # the values normalised from a hand-entry form, in one query over the typed rows
    typed = df.lazy().filter(ok_row & present & ~is_na & pl.col("value").is_not_null())
    cells = normalised_cells(
        typed.select(
            "text",
            # a number as read is its own text (read_written): no copy of the values as text
            pl.col("text").alias("written")
            if as_written["written"].dtype.is_numeric()
            else pl.lit(as_written["written"]).gather(pl.col("__input_at")).alias("written"),
            "value",
            "source",
            "__row__",
            "__cell__",
            pl.lit(leaf_info["domain"]).gather(pl.col("__leaf")).alias("domain"),
        )
    )
    return Inputs(obs, issues + normalisation_notes(cells), cells)


class _Check(NamedTuple):
    """One check of the input rows: the rows it flags, the column it names, the column whose value it
    shows, what was expected, its code and severity."""

    mask: pl.Expr
    column: str
    value_col: str
    expected: str | pl.Expr
    code: str
    severity: str = "error"


def _unit_map(written: pl.Series, roster: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """Each unit as written in the inputs (``unit_as_written``, once per distinct spelling) with its code
    (``unit``), ``class`` and ``__unit`` (the code's place among ``places``, the roster's first row of
    each code): by code, or by exact name, the text normalised first (全角 digits, spaces). Null ``class``
    for a unit not in the roster."""
    by_name = roster.select(pl.col("name").alias("unit"), pl.col("code").alias("code_by_name"))
    return (
        written.unique()
        .cast(pl.String)
        .to_frame("unit_as_written")
        .with_columns(normalise_text(pl.col("unit_as_written")).alias("unit"))
        .join(roster.select(pl.col("code").alias("unit"), "class"), on="unit", how="left")
        .join(by_name, on="unit", how="left")
        .with_columns(
            pl.coalesce(
                "class", pl.col("code_by_name").replace_strict(roster["code"], roster["class"], default=None)
            ).alias("class"),
            pl.coalesce(
                pl.when(pl.col("class").is_not_null() & pl.col("code_by_name").is_null()).then(
                    pl.col("unit")
                ),
                "code_by_name",
            ).alias("unit"),
        )
        .join(places.select(pl.col("code").alias("unit")).with_row_index("__unit"), on="unit", how="left")
        .select("unit_as_written", "unit", "class", "__unit")
    )


def _lookup(rows: pl.LazyFrame, written: str, table: pl.DataFrame) -> pl.LazyFrame:
    """``rows`` with the other columns of ``table`` (one row per distinct value of its first column), by
    each row's ``written`` value: a gather by position, which keeps the rows' order and costs far less
    than a join of millions of rows. Null where the value is null."""
    key = table.columns[0]
    table = table.filter(pl.col(key).is_not_null()).unique(key, keep="first", maintain_order=True)
    at = f"__at_{written}"  # the position, computed once for all the columns
    return (
        rows.with_columns(pl.col(written).cast(pl.Enum(table[key])).to_physical().alias(at))
        .with_columns(pl.lit(table[c]).gather(pl.col(at)).alias(c) for c in table.columns[1:])
        .drop(at)
    )


def _period_channel_checks(settings: Settings) -> list[_Check]:
    """The period and channel of each row against the year's declared periods and channels."""
    periods = [k for k, _ in settings.period_weights]
    channels = [k for k, _ in settings.channel_weights]
    out = []
    if periods:
        out.append(
            _Check(
                pl.col("period").is_null() | ~pl.col("period").is_in(periods),
                "period",
                "period",
                f"考核期应为 {'、'.join(periods)} 之一",
                "period_known",
            )
        )
    elif settings.period_method is None:
        out.append(
            _Check(
                pl.col("period").is_not_null(),
                "period",
                "period",
                "本年度未按期考核（settings.toml 无 [periods]），应留空",
                "period_unexpected",
            )
        )
    if channels:
        out.append(
            _Check(
                pl.col("channel").is_null() | ~pl.col("channel").is_in(channels),
                "channel",
                "channel",
                f"评分渠道应为 {'、'.join(channels)} 之一",
                "channel_known",
            )
        )
    else:
        out.append(
            _Check(
                pl.col("channel").is_not_null(),
                "channel",
                "channel",
                "本年度未声明评分渠道（settings.toml 无 [channels]），应留空",
                "channel_unexpected",
            )
        )
    return out
