"""Fuzzing the shipped year's inputs: hypothesis mutates cells, rows, encodings, columns and the data folder,
and for every case ``score compute`` either succeeds or stops with a message that names the file and the
row, column or value — never a traceback, never a result file left behind by a refused run. Mutations that
must not change a result (rows or columns reordered, another encoding, a stray file that is not an input)
give the published result exactly.

A few dozen examples run with the suite;
``ZWGK_FUZZ_EXAMPLES=2000 python -m pytest tests/reading/test_fuzz.py`` runs more (docs/reliability.md)."""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from scoring.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("ZWGK_FUZZ_EXAMPLES", "40"))
runner = CliRunner()
SOURCE = (ROOT / "data" / "2021" / "assessments.csv").read_text(encoding="utf-8-sig")
HEADER, *ROWS = list(csv.reader(io.StringIO(SOURCE)))

VALUES = st.sampled_from(
    [
        "",
        "NaN",
        "inf",
        "-inf",
        "-5",
        "1e308",
        "930",
        "120%",
        "２０",
        "是",
        "否",
        "不适用",
        "2012-01-05",
        "2222-01-05",
        "=SUM(A1)",
        "abc",
        "0.000000000001",
        "9" * 40,
        "\x00",
        "“引号”",
        "1,5",
    ]
)


# the value column most often: it is where an assessor's entry goes
COLUMNS = st.sampled_from([HEADER.index("value")] * len(HEADER) + list(range(len(HEADER))))


def _write(folder: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    (folder / "assessments.csv").write_bytes(out.getvalue().encode(encoding, errors="replace"))


def _year(tmp: Path) -> Path:
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(ROOT / "indicators" / "2021", tmp / "indicators" / "2021")
    shutil.copytree(ROOT / "data" / "2021", tmp / "data" / "2021")
    return tmp / "data" / "2021"


def _compute(root: Path) -> tuple[int, str, Path]:
    out = root / "out" / "r.xlsx"
    args = ["compute", "--year", "2021", "--indicators", str(root / "indicators" / "2021")]
    args += ["--data", str(root / "data" / "2021"), "--no-archive", "--out", str(out)]
    done = runner.invoke(app, args)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise AssertionError(f"a traceback, not a message: {done.exception!r}\n{done.output}")
    return done.exit_code, done.output, out


PUBLISHED: dict[str, bytes] = {}


def _published(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if "r" not in PUBLISHED:
        root = tmp_path_factory.mktemp("published")
        _year(root)
        code, output, out = _compute(root)
        assert code == 0, output
        PUBLISHED["r"] = out.with_suffix(".parquet").read_bytes()
    return PUBLISHED["r"]


def _results(path: Path) -> list[tuple[object, ...]]:
    import polars as pl

    frame = pl.read_parquet(path).select("unit", "total", "rank", "grade")
    return sorted(frame.rows(), key=lambda r: str(r[0]))


def _refused_well(code: int, output: str, out: Path) -> None:
    assert code in (0, 1), output
    assert "Traceback" not in output and "Error" not in output.split("\n")[0], output
    if code == 1:
        assert "assessments.csv" in output or ".csv" in output or "settings" in output, output
        assert any(mark in output for mark in ("行", "列", "值", "单元格", "文件")), output
        assert not out.exists()  # a refused run leaves no result file


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, len(ROWS) - 1), st.integers(0, len(HEADER) - 1), VALUES),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_cells_score_or_stop_with_a_located_message(
    tmp_path: Path, edits: list[tuple[int, int, str]]
) -> None:
    data = _year(tmp_path / "y")
    rows = [list(r) for r in ROWS]
    for r, c, value in edits:
        rows[r][c] = value
    _write(data, HEADER, rows)
    _refused_well(*_compute(tmp_path / "y"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["delete", "duplicate", "truncate", "empty_file", "extra_field", "open_quote"]),
    st.integers(0, len(ROWS) - 1),
    st.integers(1, 50),
)
def test_damaged_files_score_or_stop_with_a_located_message(
    tmp_path: Path, damage: str, at: int, count: int
) -> None:
    data = _year(tmp_path / "y")
    rows = [list(r) for r in ROWS]
    if damage == "delete":
        del rows[at : at + count]
    elif damage == "duplicate":
        rows[at:at] = [list(r) for r in rows[at : at + count]]
    elif damage == "extra_field":
        rows[at].append("多余")
    if damage in ("delete", "duplicate", "extra_field"):
        _write(data, HEADER, rows)
    elif damage == "truncate":
        raw = (data / "assessments.csv").read_bytes()
        (data / "assessments.csv").write_bytes(raw[: len(raw) * at // max(len(ROWS), 1)])
    elif damage == "empty_file":
        (data / "assessments.csv").write_bytes(b"")
    else:  # an unbalanced quote
        rows[at][6] = '"未闭合的引号'
        text = "\n".join(",".join(r) for r in [HEADER, *rows])
        (data / "assessments.csv").write_text(text, encoding="utf-8")
    _refused_well(*_compute(tmp_path / "y"))


@settings(
    max_examples=max(EXAMPLES // 4, 5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(["shuffle_rows", "shuffle_columns", "gb18030", "utf-8", "stray_file"]),
    st.integers(0, 2**32 - 1),
)
def test_what_must_not_change_a_result_does_not(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, change: str, seed: int
) -> None:
    published = _published(tmp_path_factory)
    data = _year(tmp_path / "y")
    rnd = random.Random(seed)
    rows = [list(r) for r in ROWS]
    header = list(HEADER)
    if change == "shuffle_rows":
        rnd.shuffle(rows)
        _write(data, header, rows)
    elif change == "shuffle_columns":
        order = list(range(len(header)))
        rnd.shuffle(order)
        _write(data, [header[i] for i in order], [[r[i] for i in order] for r in rows])
    elif change in ("gb18030", "utf-8"):
        _write(data, header, rows, change)
    else:  # a note left in the data folder is not an input
        (data / "说明.txt").write_text("这是备注，不是评分数据", encoding="utf-8")
    code, output, out = _compute(tmp_path / "y")
    assert code == 0, output
    reference = tmp_path / "published.parquet"
    reference.write_bytes(published)
    assert _results(out.with_suffix(".parquet")) == _results(reference)
