"""The terminal in the office's language: every command's help whole at 80 columns and in Chinese, usage
errors in Chinese, tables by rich (wrapped as Chinese is written, no colour when piped), ``--format
csv|json`` that programs read back, ``validate`` naming every normalised cell, ``--version``."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import typer
from rich.cells import cell_len
from typer import _click
from typer._click.exceptions import UsageError
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.testing import CliRunner

from scoring.cli import app as framework, render
from scoring.cli.app import Command, Group, metavar
from scoring.cli.main import app, version_text
from scoring.spec.formats import CATALOGUE_FORMAT

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
AT_80 = {"COLUMNS": "80"}
ENGLISH = (
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Missing",
    "No such",
    "Show this message",
    "Error",
    "Try ",
    "Invalid value",
    "Got unexpected",
    "required",
    "default",
    "Aborted",
    "<bool>",
    "<int",
    "<path>",
    "list[",
)


def commands(
    group: _click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], _click.Command]]:
    yield path, group
    if isinstance(group, TyperGroup):
        for name in group.list_commands(_click.Context(group)):
            sub = group.get_command(_click.Context(group), name)
            assert sub is not None
            yield from commands(sub, (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def from_cell(line: str, start: int) -> str:
    """``line`` from its ``start``-th terminal cell on."""
    used = 0
    for i, ch in enumerate(line):
        if used >= start:
            return line[i:]
        used += cell_len(ch)
    return ""


def flat(text: str) -> str:
    """The text without whitespace and the panels' borders, so wrapped lines join up again."""
    return re.sub(r"[\s│╭╮╰╯─]", "", text)


@pytest.fixture
def year_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "indicators", tmp_path / "indicators")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- help -----------------------------------------------------------------------------------------------


def test_every_command_is_said_in_chinese() -> None:
    for path, command in ALL:
        assert isinstance(command, Group if isinstance(command, TyperGroup) else Command), path


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "score")
def test_help_is_whole_at_80_columns_and_chinese(path: tuple[str, ...]) -> None:
    command = dict(ALL)[path]
    done = runner.invoke(app, [*path, "--help"], env=AT_80)
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "…" not in out and "..." not in out
    for word in ENGLISH:
        assert word not in out, (word, out)
    for param in command.params:
        help_text = getattr(param, "help", None) or ""
        assert flat(help_text) in flat(out), (param.name, out)
        if isinstance(param, TyperOption):
            assert all(opt in out for opt in param.opts)
            word = metavar(param)
            assert not re.search(r"[A-Za-z]", word), (param.name, word)  # 年度, 文件, 编号: words
        if isinstance(param, TyperOption) and param.is_flag:
            assert word == ""
        if isinstance(param, TyperArgument):
            assert metavar(param) in out
    assert "用法：score" in out and "显示本帮助并退出" in out


def test_help_texts_wrap_beside_chinese_not_inside_numbers() -> None:
    done = runner.invoke(app, ["compute", "--help"], env={"COLUMNS": "60"})
    lines = done.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 60
    assert not any(
        re.search(r"\d$", line.rstrip(" │")) and re.match(r"[│ ]*\d", nxt)
        for line, nxt in itertools.pairwise(lines)
    )


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["compute"], "缺少选项 --year / -y（考核年度，如 2021）"),
        (["compute", "--yr", "2021"], "没有选项 --yr；是否指 --year？"),
        (["compute", "-y", "abc"], "--year / -y 的值“abc”无效：应为整数"),
        (["compute", "-y", "2021", "--ledger-rows", "-1"], "--ledger-rows 的值“-1”无效：应不小于 0"),
        (["compute", "-y"], "选项 -y 后须给出值"),
        (["compute", "-y", "2021", "--force=3"], "选项 --force 是开关，不带值"),
        (["compute", "-y", "2021", "extra"], "多余的参数：extra"),
        (["compte"], "没有命令 compte；是否指 compute、compare？"),
        (["show", "abc"], "编号 的值“abc”无效：应为整数"),
        (["show"], "缺少参数 编号"),
        (["plan", "extract"], "缺少参数 工作要点文件"),
        (["history", "--format", "xml"], "--format 的值“xml”无效：应为 text、csv、json"),
    ],
)
def test_usage_errors_are_chinese(args: list[str], said: str) -> None:
    done = runner.invoke(app, args, env=AT_80)
    assert done.exit_code == 2
    assert said in done.stderr
    for word in ENGLISH:
        assert word not in done.output, (word, done.output)


def test_an_unknown_message_is_still_introduced_in_chinese() -> None:
    assert framework.message_of(UsageError("Something new")) == "命令行有误：Something new"


def test_no_arguments_shows_the_help() -> None:
    done = runner.invoke(app, [], env=AT_80)
    assert done.exit_code == 0 and "用法：score" in done.stdout


def test_version() -> None:
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.stdout.strip() == version_text()
    assert f"指标体系格式 {CATALOGUE_FORMAT}" in done.stdout and re.search(r"\d+\.\d+", done.stdout)


# --- tables ---------------------------------------------------------------------------------------------


def test_explain_wraps_long_texts_at_80_columns(year_dir: Path) -> None:
    done = runner.invoke(app, ["explain", "-y", "2021", "-u", "轮台镇"], env=AT_80)
    assert done.exit_code == 0, done.output
    assert max(cell_len(line) for line in done.stdout.splitlines()) <= 80
    assert "…" not in done.stdout
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "评分标准" in line)
    start = cell_len(header[: header.index("评分标准")])
    first = next(i for i, line in enumerate(lines) if line.startswith("C1.1"))
    block = [lines[first], *itertools.takewhile(lambda line: line.startswith(" "), lines[first + 1 :])]
    rubric = "".join(from_cell(line, start).strip() for line in block)
    assert rubric == (
        "以县人民政府办公室（电子政务）对政府网站集约化平台和新疆政务服务网事项办理情况的年度检查得分"
        "（百分制）为准，按“检查得分÷100×3”折算。"
    )  # whole, wrapped over lines in its column


def test_piped_tables_keep_a_row_on_a_line(year_dir: Path) -> None:
    done = runner.invoke(app, ["explain", "-y", "2021", "-u", "轮台镇"])
    row = next(line for line in done.stdout.splitlines() if line.startswith("C1.1"))
    assert "按“检查得分÷100×3”折算。" in row


@pytest.mark.parametrize("command", [["explain", "-y", "2021", "-u", "轮台镇"], ["validate", "-y", "2021"]])
def test_format_csv_round_trips_through_polars(year_dir: Path, command: list[str]) -> None:
    as_csv = runner.invoke(app, [*command, "--format", "csv"])
    as_json = runner.invoke(app, [*command, "--format", "json"])
    assert as_csv.exit_code == 0 and as_json.exit_code == 0, as_csv.output
    assert as_csv.stdout.startswith("\ufeff")  # Excel reads the Chinese as it is
    frame = pl.read_csv(io.BytesIO(as_csv.stdout.encode("utf-8")), infer_schema=False)
    records = json.loads(as_json.stdout)
    assert frame.height == len(records) > 0
    assert frame.columns == list(records[0])
    expected = [{k: None if v in (None, "") else str(v) for k, v in r.items()} for r in records]
    assert frame.to_dicts() == expected
    assert "总分" not in as_csv.stdout and "总分" not in as_json.stdout  # the sentences go to stderr


def test_no_ansi_codes_when_piped(year_dir: Path) -> None:
    for args in (
        ["explain", "-y", "2021", "-u", "轮台镇"],
        ["validate", "-y", "2021"],
        ["compute", "--help"],
    ):
        done = runner.invoke(app, args, env=AT_80)
        assert "\x1b[" not in done.output, args


def test_colour_only_on_a_terminal_and_never_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in render.table(["编号", "分值"], [("A1", 1)], right=(1,))
    monkeypatch.setenv("NO_COLOR", "1")
    coloured = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])[;m]")
    assert not coloured.search(render.render(render.Wrapped("错误", style="red")))
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in render.table(["编号", "分值"], [("A1", 1)])  # not a terminal


@pytest.mark.parametrize(
    "text",
    [
        "全年向县政务公开办报送政务公开信息的基准数为24条；超过基准数25%的加0.5分，超过50%的加1分，超过100%的加2分。",
        "评分数据文件（.csv/.xlsx/.parquet，可多次指定；默认数据目录下除 units、aliases 外的全部文件）",
        "results/<本年度>/<本年度>年度与<对比年度>年度考核结果对比.xlsx",
    ],
)
@pytest.mark.parametrize("width", [8, 16, 23, 40])
def test_chinese_wraps_beside_characters_never_inside_a_number(text: str, width: int) -> None:
    breaks = render.divide(text, width)
    pieces = [text[a:b] for a, b in itertools.pairwise([0, *breaks, len(text)])]
    assert "".join(pieces) == text
    for piece in pieces:
        assert cell_len(piece.rstrip()) <= width
    for b in breaks:
        before, after = text[b - 1], text[b]
        assert not (before.isdigit() and (after.isdigit() or after in ".%")), (text[:b], text[b:])
        assert after not in render.NO_BREAK_BEFORE or cell_len(text[b:].split(" ")[0]) > width


# --- validate -------------------------------------------------------------------------------------------


def test_validate_lists_every_normalised_cell(year_dir: Path) -> None:
    done = runner.invoke(app, ["validate", "-y", "2021", "--format", "json"])
    assert done.exit_code == 0, done.output
    cells = [r for r in json.loads(done.stdout) if r["代码"] == "规范化"]
    raw = pl.read_csv(year_dir / "data" / "2021" / "assessments.csv", infer_schema=False)
    percent = raw.with_row_index("row", offset=2).filter(pl.col("value").str.ends_with("%"))
    assert sorted(r["行"] for r in cells) == percent["row"].to_list()
    first = next(r for r in cells if r["值"] == "50%")
    assert (
        first["文件"] == "data/2021/assessments.csv"
        and first["列"] == "value"
        and first["说明"].endswith(" 0.5")
    )


def test_validate_writes_the_whole_list_when_it_is_long(year_dir: Path) -> None:
    path = year_dir / "data" / "2021" / "assessments.csv"
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    # ５２ in full-width digits: every two-digit value (46 of them; 60 normalised cells with the 14 percents)
    changed = 0
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if re.fullmatch(r"\d{2}", cells[3]):
            cells[3] = "".join(chr(ord(c) + 0xFEE0) for c in cells[3])
            lines[i] = ",".join(cells)
            changed += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = runner.invoke(app, ["validate", "-y", "2021"], env=AT_80)
    assert shown.exit_code == 0, shown.output
    assert "用 --out 文件名.csv 写出完整清单" in shown.stdout
    out = year_dir / "说明.csv"
    written = runner.invoke(app, ["validate", "-y", "2021", "--out", str(out)], env=AT_80)
    assert written.exit_code == 0, written.output
    listed = pl.read_csv(out, infer_schema=False)
    full_width = listed.filter(pl.col("值").str.contains("[０-９]"))
    assert full_width.height == changed == 46 and listed.height == 60
    assert (full_width["代码"] == "规范化").all()


# --- progress -------------------------------------------------------------------------------------------


def test_progress_is_quiet_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    heard = []
    with render.Stages(delay=0) as stages:
        render.progress("读取 1,000 行")
        heard.append(stages.stage)
    assert heard == ["读取 1,000 行"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("args", [["--help"], ["compute", "--help"]], ids=["score", "compute"])
def test_readme_shows_the_help_as_printed_at_80_columns(args: list[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    done = runner.invoke(app, args, env=AT_80)
    shown = [line.rstrip() for line in done.stdout.splitlines() if line.strip()]
    assert all(line in readme for line in shown), [line for line in shown if line not in readme]


def test_the_catalogue_page_names_the_format_version() -> None:
    page = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert f"**catalogue format {CATALOGUE_FORMAT}**" in page


def test_validate_failing_gives_its_errors_as_csv_and_to_a_file(year_dir: Path) -> None:
    path = year_dir / "data" / "2021" / "assessments.csv"
    text = path.read_text(encoding="utf-8-sig").replace("T01,C1.1,,97.5,", "T01,C1.1,,九十,", 1)
    path.write_text(text, encoding="utf-8")
    out = year_dir / "错误.csv"
    done = runner.invoke(app, ["validate", "-y", "2021", "--format", "csv", "--out", str(out)])
    assert done.exit_code == 1
    errors = pl.read_csv(io.BytesIO(done.stdout.encode("utf-8")), infer_schema=False)
    assert errors.filter(pl.col("值") == "九十").height == 1
    assert pl.read_csv(out, infer_schema=False).equals(errors)
    assert "校验未通过" in done.stderr
