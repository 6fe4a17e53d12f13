"""A validated year's observations: ids kept as Enums (a quarter of their memory as text), given to the
engine as text."""

from __future__ import annotations

import polars as pl

from scoring.spec.year import as_rows, observation_schema, source_type, written_text
from scoring.testing import example_year


def test_a_years_observations_keep_their_ids_as_enums_of_the_roster_the_classes_and_the_leaves() -> None:
    a = example_year().assessment()
    obs = a.observations
    files = ["assessments.csv"]  # the example year's one input file
    assert dict(obs.schema) == observation_schema(a.catalogue, a.settings, a.units, files)
    assert obs.schema["source"] == pl.Enum(files)
    assert obs.schema["unit"] == pl.Enum(a.units["code"])
    assert obs.schema["class"] == pl.Enum(a.settings.class_ids)
    assert obs.schema["indicator"] == pl.Enum([n.id for n in a.catalogue.leaves])
    rows = as_rows(obs).collect()
    assert [rows.schema[c] for c in ("unit", "class", "indicator")] == [pl.String] * 3
    assert (
        rows.select("unit", "indicator").rows()
        == obs.select(pl.col("unit", "indicator").cast(pl.String)).rows()
    )


def test_the_engine_takes_each_value_as_written_its_text_or_the_decimals_own() -> None:
    """A decimal of a Parquet file is kept without its text: what reads the text (a grade looked up by its
    text, the ledger's 输入) takes it back as the number's own; a text that was kept (不适用, an
    integer's "3", 95%) is as written."""
    obs = pl.DataFrame(
        {"value": [0.5, None, 3.0, 0.95, -0.0, None], "text": [None, "不适用", "3", "95%", None, None]}
    )
    assert as_rows(obs).select(written_text()).collect()["text"].to_list() == [
        "0.5",
        "不适用",
        "3",
        "95%",
        "-0.0",
        None,
    ]


def test_the_files_rows_came_from_are_an_enum_in_the_order_of_their_names() -> None:
    # a byte a row (text took 16 once the files were several); sorted, so rows sorted by their file are
    # sorted by its name, as they were by the text
    files = ["乙.csv", "data/2021/b.parquet", "甲.xlsx", "data/2021/a.parquet", "乙.csv"]
    kind = source_type(files)
    assert kind == pl.Enum(["data/2021/a.parquet", "data/2021/b.parquet", "乙.csv", "甲.xlsx"])
    rows = pl.Series(files).cast(kind)
    assert rows.to_physical().dtype == pl.UInt8
    assert rows.sort().cast(pl.String).to_list() == sorted(files)
