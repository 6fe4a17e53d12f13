"""The results' digest (``spec.manifest.results_digest``): the same bytes as the lines made one at a time, so
the digest of every archived run and manifest still matches."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from scoring.spec import manifest
from scoring.spec.manifest import RESULT_COLUMNS, results_digest


def plain_digest(units: pl.DataFrame) -> str:
    """The digest as it was first written: each unit's line made and hashed one at a time."""
    cols = [c for c in RESULT_COLUMNS if c in units.columns]
    table = units.select(pl.col(c).cast(pl.String) for c in cols).sort("unit")
    h = hashlib.sha256()
    h.update("|".join(cols).encode())
    for row in table.iter_rows():
        h.update("\x1f".join("" if v is None else v for v in row).encode())
        h.update(b"\n")
    return h.hexdigest()


PINNED = pl.DataFrame(
    {
        "unit": ["T02", "T01", "D01"],
        "class": ["town", "town", "dept"],
        "total_num": pl.Series([95_500_000_000_000, 0, None], dtype=pl.Int128),
        "total_den": pl.Series([1, 1, 1], dtype=pl.Int128),
        "total_printed": [9550, 0, None],
        "rank": [1, 2, None],
        "grade": ["优秀", "不合格", None],
        "veto": [False, True, None],
    }
)


def test_the_digest_of_a_known_table_is_the_one_published_runs_carry() -> None:
    # computed by the first, row-by-row digest: a change of the bytes hashed would change every run's
    assert results_digest(PINNED) == "0fb5aae960854e96bf47672be1cb34516cded2b44a8d9e0f7d6de120164119b4"


# texts as hand-typed names and grades may hold them: the separators, quotes, line breaks, CJK
TEXT = st.text(alphabet=st.sampled_from(["a", "甲", "\x1f", "\n", "\r", '"', ",", " ", "|"]), max_size=4)


@st.composite
def units(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 9))
    codes = draw(st.lists(TEXT, min_size=n, max_size=n, unique=True))
    optional = st.none() | st.integers(-(10**30), 10**30)
    frame = pl.DataFrame(
        {
            "unit": codes,
            "class": draw(st.lists(st.none() | TEXT, min_size=n, max_size=n)),
            "total_num": pl.Series(draw(st.lists(optional, min_size=n, max_size=n)), dtype=pl.Int128),
            "total_den": pl.Series(draw(st.lists(optional, min_size=n, max_size=n)), dtype=pl.Int128),
            "total_printed": pl.Series(
                draw(st.lists(st.none() | st.integers(0, 10**6), min_size=n, max_size=n)), dtype=pl.Int64
            ),
            "rank": pl.Series(
                draw(st.lists(st.none() | st.integers(1, 99), min_size=n, max_size=n)), dtype=pl.Int64
            ),
            "grade": draw(st.lists(st.none() | TEXT, min_size=n, max_size=n)),
            "veto": pl.Series(
                draw(st.lists(st.none() | st.booleans(), min_size=n, max_size=n)), dtype=pl.Boolean
            ),
        }
    )
    dropped = draw(st.lists(st.sampled_from(["class", "rank", "grade", "veto"]), unique=True))
    return frame.drop(dropped)


@pytest.mark.parametrize("part", [1, 2, 3, manifest.DIGEST_ROWS])
@settings(max_examples=60, deadline=None)
@given(table=units())
def test_the_digest_equals_the_lines_hashed_one_at_a_time(table: pl.DataFrame, part: int) -> None:
    with pytest.MonkeyPatch.context() as mp:  # units hashed a part at a time, parts of 1 to all
        mp.setattr(manifest, "DIGEST_ROWS", part)
        assert results_digest(table) == plain_digest(table)
