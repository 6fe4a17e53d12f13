"""A validated year's observations: ids kept as Enums (a quarter of their memory as text), given to the
engine as text."""

from __future__ import annotations

import polars as pl

from scoring.spec.year import as_rows, observation_schema, written_text
from scoring.testing import example_year


def test_a_years_observations_keep_their_ids_as_enums_of_the_roster_the_classes_and_the_leaves() -> None:
    a = example_year().assessment()
    obs = a.observations
    assert dict(obs.schema) == observation_schema(a.catalogue, a.settings, a.units)
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
