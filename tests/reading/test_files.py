"""Reading files: the encodings Excel writes, the first row as the header, and a file that cannot be read
refused with its name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.errors import InputError
from scoring.reading.files import csv_problems, read_table

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


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("latin-1", "Contrôle par Hélène"), ("cp1252", "Müller – Prüfung bestanden"), ("cp1252", "Señor Peña")],
)
def test_a_western_file_is_refused_not_read_as_gb18030(tmp_path: Path, encoding: str, note: str) -> None:
    """Latin-1 / CP1252 bytes decode as GB18030 too, as mojibake (Contr鬺e par H閘鑞e): refused, named."""
    path = tmp_path / "inputs.csv"
    path.write_bytes((HEADER.strip() + ",note\n" + "T01,A1,1," + note + "\n").encode(encoding))
    with pytest.raises(InputError) as caught:
        read_table(path, "inputs.csv")
    message = str(caught.value)
    if message.startswith("inputs.csv：无法识别的文件编码"):  # not even GB18030 (– is 0x96 in CP1252)
        assert "应是按西文编码 cp1252 保存的" in message
    else:
        assert message.startswith("inputs.csv：文件编码不是 UTF-8 或 GB18030，按 GB18030 读出的是乱码")
        assert "另存为“CSV UTF-8（逗号分隔）”" in message


@pytest.mark.parametrize(
    "text",
    [
        "T01,甲镇,town\n",  # short: reads as cleanly either way, GB18030 wins the tie
        "T01,轮台县人民政府办公室（县政务公开办）,town\nT02,Excel表格test数据ok,dept\n",
        "T01,补贴政策,是\nT02,网站A栏目未更新,否\n",
    ],
)
def test_real_gb18030_still_reads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(("code,name,class\n" + text).encode("gb18030"))
    frame, used = read_table(path, "units.csv")
    assert used == "gb18030" and frame["name"][0] == text.split(",")[1]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a,b,c\n1,2,3\n4,5,6,7\n", "第3行有 4 个字段，比表头的 3 列多 1 个"),
        ("a,b,c\n1,2,3\n4,5,6,7", "第3行有 4 个字段，比表头的 3 列多 1 个"),  # no line end at the end
        ('a,b,c\n1,2,3\n4,"5,6\n8,9,10\n', "第3行第2列以英文双引号开头，但直到文件末尾都没有配对的结束引号"),
        ('a,b,c\n1,2,3\n4,5"x,6\n', "第3行第2列中间有英文双引号"),
        ('a,b,c\n1,2,3\n4,"5"x,6\n', "第3行第2列的结束引号后还有内容“x”"),
        # a quoted field over two lines is one row: the row after it is row 3, line 4 of the file
        ('a,b,c\n1,"x\ny",3\n5,6,7,8\n', "第3行（文件第4行）有 4 个字段"),
    ],
)
def test_a_broken_csv_names_the_row_in_chinese(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "inputs.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, "inputs.csv")
    message = str(caught.value)
    assert message.startswith("inputs.csv：不是有效的 CSV 文件：") and says in message
    assert not re.search(r"[A-Za-z]{3,}", message.replace("CSV", "").replace("inputs.csv", ""))


def test_several_broken_rows_are_all_counted(tmp_path: Path) -> None:
    path = tmp_path / "inputs.csv"
    path.write_text("a,b\n" + "1,2,3\n" * 8, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, "inputs.csv")
    message = str(caught.value)
    assert "第2行" in message and "第6行" in message and "第7行" not in message and "另有 3 处" in message


def test_a_well_formed_csv_has_no_problems() -> None:
    assert csv_problems('a,b\n"x, ""y""",2\r\n"multi\nline",3\n\n') == []


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_table_read_in_many_chunks_comes_as_one_chunk_per_column(tmp_path: Path, suffix: str) -> None:
    # checking adds columns to the rows as read; on a frame of many chunks that copies every column,
    # and the copy would sit beside the rows as read for the whole check
    import polars as pl

    path = tmp_path / f"assessments{suffix}"
    n = 100_000
    rows = pl.DataFrame({"unit": [f"U{i}" for i in range(n)], "indicator": "A1", "value": list(range(n))})
    if suffix == ".parquet":
        rows.write_parquet(path, row_group_size=n // 10)
        assert pl.read_parquet(path)["unit"].n_chunks() > 1
    else:
        rows.write_csv(path)
        assert pl.read_csv(path)["unit"].n_chunks() > 1
    df, _ = read_table(path, path.name)
    assert all(df[c].n_chunks() == 1 for c in df.columns)
    assert df["value"].to_list() == [str(i) for i in range(n)] and df["__row__"][0] == 2


def test_a_parquet_files_numbers_stay_numbers_when_asked(tmp_path: Path) -> None:
    import polars as pl

    path = tmp_path / "assessments.parquet"
    pl.DataFrame(
        {"unit": [1, 2], "indicator": ["A1", "A2"], "value": [0.5, 3.0], "ok": [True, None]}
    ).write_parquet(path)
    typed, _ = read_table(path, path.name, numbers=True)
    assert dict(typed.schema) == {
        "__row__": pl.UInt32,
        "unit": pl.Int64,  # read_inputs makes every column but the value text
        "indicator": pl.Categorical,  # each distinct text once
        "value": pl.Float64,
        "ok": pl.Categorical,  # not a number: its text
    }
    text, _ = read_table(path, path.name)
    assert text["value"].to_list() == ["0.5", "3.0"] and text["unit"].to_list() == ["1", "2"]
    assert typed["ok"].to_list() == text["ok"].to_list() == ["true", None]
    assert typed["indicator"].to_list() == text["indicator"].to_list() == ["A1", "A2"]
