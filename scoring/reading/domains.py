"""What an entered value is, by its rule kind's input domain (:data:`scoring.spec.rulekind.DOMAINS`): the
text as typed parsed into a number, and every value checked against its domain and the range its kind
declares for the leaf. All rows at once, as polars expressions: no per-row Python.

- Only finite numbers: ``NaN``, ``inf`` and the like are refused, never read as numbers.
- A count is whole and ≥ 0; a ratio within 0–1 (or 0%–100%); a percentage within 0–100.
- A number within the bounds its kind declares (``InputDomain.bounds``: an imported score within
  0..its ``scale``, points within [lo, hi]); a date within ``[inputs] date_window`` years of the year.
- A value outside the range its kind says is usual (``InputDomain.usual``) is legal, and noted by cell.
- Hand-entry forms (全角数字, 3分, 95%, √) are normalised and listed in one note per file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from scoring.errors import Issue
from scoring.spec.expr import first_match
from scoring.spec.rules import MODIFIER_KEYS
from scoring.spec.settings import Settings

NA_MARKERS = ["不适用", "N/A", "n/a", "NA", "na", "/", "—", "－"]
TRUE_WORDS = ["是", "√", "✓", "✔", "1", "yes", "y", "true", "有", "Y", "YES", "TRUE"]
FALSE_WORDS = ["否", "×", "✗", "✘", "0", "no", "n", "false", "无", "N", "NO", "FALSE"]
UNIT_SUFFIXES = r"(分|条|次|项|个|件|篇|期|天)$"
NOT_FINITE = r"(?i)^[+-]?(nan|inf|infinity)%?$"
EPOCH = dt.date(1970, 1, 1)
FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "．": ".",
    "％": "%",
    "－": "-",
    "／": "/",
    "：": ":",
}


def normalise_text(col: pl.Expr) -> pl.Expr:
    """Text as read: full-width digits and signs made half-width, spaces around it stripped."""
    return col.str.replace_many(FULLWIDTH).str.strip_chars()


def number_of(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The finite number a text gives (unit words such as 分 and a percent sign dropped; null when it
    is none) and whether it was written as a percentage."""
    t = text.str.replace(UNIT_SUFFIXES, "").str.strip_chars()
    parsed = t.str.strip_suffix("%").cast(pl.Float64, strict=False)
    return pl.when(parsed.is_finite()).then(parsed), t.str.ends_with("%")


def read_written(rows: pl.LazyFrame, written: pl.Series) -> pl.LazyFrame:
    """``rows`` with, for each row's ``written`` value (``written``: that column), ``text``
    (:func:`normalise_text`), ``__number`` and ``__pct`` (:func:`number_of`) and ``na`` (marked 不适用).
    A value in plain digits, as a program writes it (every number of a Parquet file or a spreadsheet),
    is its own text and number; only the other spellings, the hand-typed forms, go through normalisation
    and parsing, once per distinct spelling."""
    direct = pl.col("__direct")
    rows = rows.with_columns(pl.col("written").cast(pl.Float64, strict=False).alias("__direct"))
    plain = {
        "text": pl.col("written").cast(pl.String),  # a number of a Parquet file: as read_table wrote it
        "__number": pl.when(direct.is_finite()).then(direct),
        "__pct": pl.lit(False),
        "na": pl.lit(False),
    }
    odd = (
        written.to_frame("written")
        .filter(pl.col("written").is_not_null() & pl.col("written").cast(pl.Float64, strict=False).is_null())
        .unique(maintain_order=True)
    )
    if odd.is_empty():
        return rows.with_columns(
            pl.when(direct.is_not_null()).then(v).alias(c) for c, v in plain.items()
        ).drop("__direct")
    text = normalise_text(pl.col("written"))
    number, pct = number_of(text)
    table = odd.with_columns(
        text.alias("text"), number.alias("__number"), pct.alias("__pct"), text.is_in(NA_MARKERS).alias("na")
    )
    at = pl.col("__at")
    return (
        rows.with_columns(
            pl.when(direct.is_null())
            .then(pl.col("written"))
            .cast(pl.Enum(table["written"]))
            .to_physical()
            .alias("__at")
        )
        .with_columns(
            pl.when(direct.is_not_null()).then(v).otherwise(pl.lit(table[c]).gather(at)).alias(c)
            for c, v in plain.items()
        )
        .drop("__direct", "__at")
    )


@dataclass(frozen=True)
class ValueCheck:
    """One check of the typed values: the rows it flags (among the rows of a known unit and an applicable
    leaf), what was expected of them, its code, and whether a flagged row is an error or a note."""

    mask: pl.Expr
    expected: str | pl.Expr
    code: str
    severity: str = "error"


MAX_COUNT = 1_000_000
"""The largest count accepted: a million occurrences is no assessor's entry, and a count times its
amount stays within exact 64-bit points."""
MAX_NUMBER = 1_000_000_000
"""The largest measure accepted (a rate, a score, a ranked quantity): beyond it a number is a typing
error, and the engine's single pass (which reads every row's value as each kind of input at once) stays
within 64-bit integers."""


def typed_values(df: pl.DataFrame, used: set[str]) -> pl.DataFrame:
    """``df`` (``text``, ``key``, the leaf's ``domain`` and ``choices``) with ``value`` (Float64: the
    number, 1/0 for a condition, days since 1970 for a date; null when the text is not of the domain or
    not a finite number), ``na`` (marked 不适用) and ``domain`` (``bool`` for the 不得分 / 及格封顶 rows).
    ``used``: the domains the catalogue has, so only their branches are computed."""
    return typed_values_lazy(df.lazy(), used).collect(engine="streaming")


def typed_values_lazy(rows: pl.LazyFrame, used: set[str]) -> pl.LazyFrame:
    """:func:`typed_values` as a step of a lazy query, so that validation reads its rows once; with
    ``__number``, ``__pct`` and ``na`` given (:func:`read_written`), the text is not parsed again."""
    is_na = pl.col("na")
    modifier = pl.col("key").is_in(list(MODIFIER_KEYS))
    domain = pl.when(modifier).then(pl.lit("bool")).otherwise(pl.col("domain"))
    num, is_pct = pl.col("__number"), pl.col("__pct")
    truth = (
        pl.when(pl.col("text").is_in(TRUE_WORDS))
        .then(1.0)
        .when(pl.col("text").is_in(FALSE_WORDS))
        .then(0.0)
        .when(num.is_in([0.0, 1.0]))  # 1.0 / 0.0, as a spreadsheet or Parquet file gives numbers
        .then(num)
        .otherwise(None)
    )
    # a branch only for the domains this catalogue uses (each is computed for every row), on the streaming
    # engine: a national run has millions of rows, and eager polars is several times slower here
    branches: list[tuple[pl.Expr, pl.Expr]] = [(is_na, pl.lit(None, pl.Float64)), (domain == "bool", truth)]
    if "count" in used:
        branches.append((domain == "count", pl.when(~is_pct).then(num)))
    if "ratio" in used:
        branches.append((domain == "ratio", pl.when(is_pct).then(num / 100).otherwise(num)))
    if "percent" in used:
        branches.append((domain == "percent", num))
    if used & {"number", "points"}:
        branches.append((domain.is_in(["number", "points"]), pl.when(~is_pct).then(num)))
    if "date" in used:
        branches.append((domain == "date", parse_date(pl.col("text"))))
    if "category" in used:
        branches.append(
            (domain == "category", pl.when(pl.col("choices").list.contains(pl.col("text"))).then(1.0))
        )
    if "__number" not in rows.collect_schema():  # NaN and ±inf are no numbers
        number, pct = number_of(pl.col("text"))
        rows = rows.with_columns(
            number.alias("__number"), pct.alias("__pct"), pl.col("text").is_in(NA_MARKERS).alias("na")
        )
    return rows.with_columns(
        first_match(branches, pl.lit(None, pl.Float64)).alias("value"),
        domain.alias("domain"),
    ).drop("__number", "__pct")


def parse_date(text: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 of a date written 2021-10-18, 2021/10/18, 2021.10.18 or 2021年10月18日."""
    t = text.str.replace_all(r"[年月/.]", "-").str.replace_all("日", "").str.strip_chars("-")
    d = t.str.to_date("%Y-%m-%d", strict=False)
    return (d - pl.lit(EPOCH)).dt.total_days().cast(pl.Float64)


def number_text(x: pl.Expr) -> pl.Expr:
    """A bound as people write it: 100, 2.5 (not 100.0)."""
    return pl.when(x == x.round(0)).then(x.cast(pl.Int64).cast(pl.String)).otherwise(x.cast(pl.String))


def date_window(settings: Settings) -> tuple[dt.date, dt.date]:
    """The dates an input may have: ``[inputs] date_window`` whole years before and after the year."""
    w = settings.date_window
    return dt.date(settings.year - w, 1, 1), dt.date(settings.year + w, 12, 31)


def by_leaf(leaves: pl.DataFrame, column: str) -> pl.Expr:
    """A leaf column looked up by the row's indicator, computed where an expression needs it (a check's
    mask, a message) rather than joined onto every row."""
    known = leaves.filter(pl.col(column).is_not_null())
    return pl.col("indicator").replace_strict(
        known["indicator"], known[column], default=None, return_dtype=leaves.schema[column]
    )


def value_checks(settings: Settings, leaves: pl.DataFrame) -> list[ValueCheck]:
    """Every check of a typed value (see :func:`typed_values`) against its domain and the range declared
    for its leaf (``leaves``: the catalogue's leaf frame). The rows carry their leaf's ``lo``, ``hi``,
    ``usual_lo`` and ``usual_hi``."""
    present = pl.col("text").is_not_null()
    is_na = pl.col("na")
    v, domain = pl.col("value"), pl.col("domain")
    unparsed = present & ~is_na & v.is_null()
    expected = (
        pl.when(
            pl.col("text").str.contains(NOT_FINITE)
            & domain.is_in(["count", "number", "points", "ratio", "percent"])
        )
        .then(pl.lit("应为有限的数值（NaN、inf 等不是数值，不能作为评分）"))
        .when(domain == "bool")
        .then(pl.lit("应为 是/否（或 √/×、1/0）"))
        .when(domain == "count")
        .then(pl.lit("应为非负整数（次数、条数）"))
        .when(domain == "ratio")
        .then(pl.lit("应为0–1之间的比例或百分数（如 0.92 或 92%）"))
        .when(domain == "percent")
        .then(pl.lit("应为百分数（0–100，如 95 或 95%）"))
        .when(domain == "date")
        .then(pl.lit("应为日期（如 2021-10-18），未完成留空"))
        .when(domain == "category")
        .then(pl.format("应为以下等级之一：{}", pl.col("choices").list.join("、")))
        .otherwise(pl.lit("应为数值"))
    )
    lo, hi = pl.col("lo"), pl.col("hi")
    first, last = date_window(settings)
    days = [float((d - EPOCH).days) for d in (first, last)]
    what = by_leaf(leaves.filter(pl.col("what") != ""), "what")
    what = pl.when(what.is_not_null()).then(pl.format("（{}）", what)).otherwise(pl.lit(""))
    # the leaf's usual range, carried on each row (a lookup of the indicator on every row costs more than
    # all the other checks together)
    usual_lo, usual_hi = pl.col("usual_lo"), pl.col("usual_hi")
    return [
        ValueCheck(unparsed, expected, "value_domain"),
        ValueCheck(
            (domain == "count") & v.is_not_null() & ((v < 0) | (v != v.floor())),
            "应为非负整数（次数、条数）",
            "value_count",
        ),
        # beyond any count an assessor records, and beyond what exact points can multiply (10⁻¹² points
        # in 64 bits): found by the fuzz suite (1e308 as a count crashed the engine)
        ValueCheck(
            (domain == "count") & v.is_not_null() & (v > MAX_COUNT),
            f"数量过大（超过 {MAX_COUNT}），请核对是否填错",
            "value_count_huge",
        ),
        ValueCheck(
            (domain == "number") & v.is_not_null() & (v.abs() > MAX_NUMBER),
            f"数值过大（绝对值超过 {MAX_NUMBER:,}），请核对是否填错",
            "value_number_huge",
        ),
        ValueCheck(
            (domain == "ratio") & v.is_not_null() & ((v < 0) | (v > 1)),
            "比例应在0到1之间（或0%–100%）",
            "value_ratio_range",
        ),
        ValueCheck(
            (domain == "percent") & v.is_not_null() & ((v < 0) | (v > 100)),
            "百分数应在0到100之间",
            "value_percent_range",
        ),
        # points outside the leaf's range are refused, and so is any number outside the bounds its kind
        # declares (another body's score beyond its scale: the rule would clip it to full marks)
        ValueCheck(
            (domain == "points") & ((v < lo) | (v > hi)),
            pl.format("评分应在 {} 到 {} 分之间", number_text(lo), number_text(hi)),
            "value_points_range",
        ),
        ValueCheck(
            domain.is_in(["number", "count", "ratio", "percent"]) & ((v < lo) | (v > hi)),
            pl.when(hi.is_null())
            .then(pl.format("应不小于 {}{}", number_text(lo), what))
            .when(lo.is_null())
            .then(pl.format("应不大于 {}{}", number_text(hi), what))
            .otherwise(pl.format("应在 {} 到 {} 之间{}", number_text(lo), number_text(hi), what)),
            "value_range",
        ),
        ValueCheck(
            (domain == "date") & ((v < days[0]) | (v > days[1])),
            f"日期应在 {first.isoformat()} 至 {last.isoformat()} 之间（{settings.year}年度前后"
            f"{settings.date_window}年，settings.toml [inputs] date_window），年份是否写错？",
            "value_date_window",
        ),
        ValueCheck(
            (usual_lo.is_not_null() | usual_hi.is_not_null())
            & domain.is_in(["number", "count", "ratio", "percent"])
            & ((v < usual_lo) | (v > usual_hi)),
            pl.format(
                "超出此项通常的范围（{}），已按所填数值计分；请核对是否填错",
                pl.when(usual_hi.is_null())
                .then(pl.format("不小于 {}", number_text(usual_lo)))
                .otherwise(pl.format("{} 到 {}", number_text(usual_lo), number_text(usual_hi))),
            ),
            "value_unusual",
            "note",
        ),
    ]


def canonical_text(value: pl.Expr, domain: pl.Expr) -> pl.Expr:
    """A typed value as the program writes it: 是/否, 2021-10-18, 3, 0.95."""
    day = (pl.lit(EPOCH) + pl.duration(days=value.fill_null(0).cast(pl.Int64))).dt.strftime("%Y-%m-%d")
    return (
        pl.when(domain == "bool")
        .then(pl.when(value == 1).then(pl.lit("是")).otherwise(pl.lit("否")))
        .when(domain == "date")
        .then(day)
        .when(domain == "category")
        .then(pl.col("text"))
        .otherwise(number_text(value))
    )


NORMALISED_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "before": pl.String,
    "after": pl.String,
}


def normalised_cells(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Every value written in a hand-entry form that was normalised (``df``: the rows with a typed value,
    ``written`` as it stood in the file): file, row, column (a template's cell: ``value（乡镇!F12）``), the
    value before and after."""
    canonical = (
        (
            # digits as a program writes them (a Parquet or spreadsheet number may come as 4.07e-07)
            pl.col("text").str.contains(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
            & pl.col("domain").is_in(["count", "number", "points", "ratio", "percent"])
        )
        | (pl.col("domain") == "category")
        # yes/no as the program writes it, or as 1/0 (a number column of a Parquet file or spreadsheet)
        | ((pl.col("domain") == "bool") & pl.col("text").str.contains(r"^(是|否|[01](\.0+)?)$"))
        | ((pl.col("domain") == "date") & pl.col("text").str.contains(r"^\d{4}-\d{2}-\d{2}$"))
    )
    # full-width digits and signs (３, ９５％) were made half-width before the text was read
    widened = pl.col("written").str.strip_chars() != pl.col("text")
    changed = df.lazy().filter(~canonical | widened)
    return (
        changed.sort("source", "__row__")
        .select(
            pl.col("source").cast(pl.String).alias("file"),
            pl.col("__row__").cast(pl.Int64).alias("row"),
            pl.when(pl.col("__cell__").is_not_null())
            .then(pl.format("value（{}）", pl.col("__cell__")))
            .otherwise(pl.lit("value"))
            .alias("column"),
            pl.col("written").alias("before"),
            canonical_text(pl.col("value"), pl.col("domain")).alias("after"),
        )
        .collect()
    )


def normalisation_notes(cells: pl.DataFrame) -> list[Issue]:
    """One note per file for the normalised values (``cells``: :func:`normalised_cells`), so nothing is
    changed silently; ``score validate`` lists every cell."""
    if cells.is_empty():
        return []
    counts = cells.group_by("file").agg(pl.len(), pl.col("before").unique(maintain_order=True).head(5))
    return [
        Issue(
            r["file"],
            None,
            "value",
            "、".join(r["before"]),
            f"{r['len']} 个值按手工录入习惯规范化（全角数字、“分”、百分号、√/×等）",
            "inputs|normalised",
            severity="note",
        )
        for r in counts.sort("file").to_dicts()
    ]
