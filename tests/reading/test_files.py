"""Reading files: the encodings Excel writes, the first row as the header, and a file that cannot be read
refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import InputError
from scoring.reading.files import read_table

HEADER = "unit,indicator,value\n"
ROWS = "T01,A1,是\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "inputs.csv"
    path.write_bytes((HEADER + ROWS).encode(encoding))
    frame, used = read_table(path, "inputs.csv")
    assert frame.columns == ["__row__", "unit", "indicator", "value"]
    assert frame.row(0) == (2, "T01", "A1", "是")  # rows as the user sees them: the header is row 1
    assert used is not None


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.csv"):
        read_table(tmp_path / "missing.csv", "missing.csv")
