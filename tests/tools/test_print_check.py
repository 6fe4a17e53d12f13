"""The print check's pure functions (tools/page_checks.py) on small synthetic inputs: pages given as
plain text lines and boxes, cells as plain data, and the clipped-cell check on tiny workbooks written with
xlsxwriter. Nothing here needs LibreOffice, poppler or a PDF library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlsxwriter

from tools.page_checks import (
    MIN_FILL,
    Box,
    Cell,
    Clip,
    PageContent,
    PageReport,
    SheetCells,
    SheetInfo,
    TextLine,
    check_page,
    clipped_cells,
    col_letter,
    content_box,
    display_width,
    fill_fraction,
    fold,
    format_table,
    is_ranking_sheet,
    is_running,
    locate,
    narrow_marks,
    page_ranges,
    page_sheets,
    printable_box,
    running_pattern,
    smallest_size,
    summary,
)
from tools.print_check import read_workbook

A4 = (841.89, 595.3)  # landscape, points
MARGINS = (0.4, 0.4, 0.7, 0.7)  # the workbook's: left, right, top, bottom (inches)
SHEETS = ["封面", "乡镇", "县直部门", "图表"]
HEADER = "2021年度考核结果"


def line(text: str, x0: float, y0: float, x1: float, y1: float, size: float = 11.0) -> TextLine:
    return TextLine(text, Box(x0, y0, x1, y1), size)


def patterns() -> list[re.Pattern[str]]:
    found = [running_pattern(s, SHEETS) for s in (HEADER, "&A", "第 &P 页 / 共 &N 页")]
    return [p for p in found if p is not None]


def page(lines: list[TextLine], shapes: tuple[Box, ...] = (), number: int = 1) -> PageContent:
    return PageContent(number, A4[0], A4[1], tuple(lines), shapes)


def running_lines(sheet: str = "乡镇", n: int = 2, size: float = 8.4) -> list[TextLine]:
    """The header (title left, sheet name right) and footer as LibreOffice prints them (scaled with the
    sheet, like its cells)."""
    return [
        line(HEADER, 29, 564, 175, 572, size),
        line(sheet, 796, 564, 813, 572, size),
        line(f"第 {n} 页 / 共 30 页", 388, 24, 454, 32, size),
    ]


# ------------------------------------------------------------------------------------------ text


def test_display_width_counts_cjk_and_full_width_as_two() -> None:
    assert display_width("abc") == 3
    assert display_width("乡镇") == 4
    assert display_width("（并列）") == 8
    assert display_width("6（并列）") == 9


def test_col_letter() -> None:
    assert [col_letter(c) for c in (1, 2, 26, 27, 52, 53, 703)] == ["A", "B", "Z", "AA", "AZ", "BA", "AAA"]


def test_running_pattern_expands_excel_codes() -> None:
    footer = running_pattern("第 &P 页 / 共 &N 页", SHEETS)
    assert footer is not None
    assert footer.fullmatch("第2页/共30页")
    assert not footer.fullmatch("第二页/共30页")
    sheet = running_pattern("&A", SHEETS)
    assert sheet is not None
    assert sheet.fullmatch("县直部门")
    assert not sheet.fullmatch("扣分明细")
    styled = running_pattern('&"黑体,Bold"&12标题 && 说明&K0000FF', SHEETS)
    assert styled is not None
    assert styled.fullmatch("标题&说明")
    assert running_pattern('&"Arial"&10', SHEETS) is None


def test_running_lines_are_found_only_near_the_edges() -> None:
    ps = patterns()
    header, name, footer = running_lines()
    assert is_running(header, A4[1], ps)
    assert is_running(name, A4[1], ps)
    assert is_running(footer, A4[1], ps)
    # the same text in the middle of the page is body text (a unit named like a sheet, say)
    assert not is_running(line("乡镇", 100, 300, 120, 310), A4[1], ps)
    # body text near the edge that is not a header section
    assert not is_running(line("合计", 100, 560, 120, 570), A4[1], ps)


def test_page_sheets_follow_the_sheet_name_and_carry_it_on() -> None:
    texts = [[HEADER, "封面", "第 1 页 / 共 5 页"], [HEADER, "乡镇"], [HEADER], ["县直部门"], []]
    assert page_sheets(texts, SHEETS) == ["封面", "乡镇", "乡镇", "县直部门", "县直部门"]
    assert page_sheets([[], [HEADER]], SHEETS) == [None, None]


# ------------------------------------------------------------------------------------------ page checks


def test_smallest_size_ignores_blank_lines() -> None:
    assert (
        smallest_size([line("a", 0, 0, 1, 1, 9.5), line(" ", 0, 0, 1, 1, 3), line("b", 0, 0, 1, 1, 5.3)])
        == 5.3
    )
    assert smallest_size([]) is None


def test_narrow_marks() -> None:
    lines = [
        line("1 轮台镇 ### 优秀", 0, 0, 1, 1),
        line("########", 0, 0, 1, 1),
        line("#", 0, 0, 1, 1),
        line("编号#1 C# 第3号", 0, 0, 1, 1),  # a # inside text is no mark
        line("A##B####", 0, 0, 1, 1),
    ]
    assert narrow_marks(lines) == ["###", "########", "#", "A##B####"]
    assert narrow_marks([line("102.88 96.90", 0, 0, 1, 1)]) == []


def test_printable_box_and_fill() -> None:
    box = printable_box(A4[0], A4[1], MARGINS)
    assert box == pytest.approx(Box(28.8, 50.4, A4[0] - 28.8, A4[1] - 50.4))
    assert fill_fraction(None, box) == 0
    assert fill_fraction(box, box) == pytest.approx(1.0)
    top_half = Box(box.x0, (box.y0 + box.y1) / 2, box.x1, box.y1)
    assert fill_fraction(top_half, box) == pytest.approx(0.5)
    # content beyond the margins counts only inside them
    # at most 1; content is cut to the page (not to the margins, which LibreOffice's body may reach into)
    whole = Box(0, 0, A4[0], A4[1])
    assert fill_fraction(whole, box) == 1.0
    assert fill_fraction(Box(0, 0, 10, 10), box, whole) == pytest.approx(100 / box.area)
    assert fill_fraction(Box(-10, -10, -1, -1), box, whole) == 0
    assert fill_fraction(Box(0, 0, 10, 10), Box(0, 0, 0, 0)) == 0


def test_content_box_joins_text_and_shapes() -> None:
    lines = [line("a", 100, 400, 200, 410), line("  ", 0, 0, 800, 10)]
    assert content_box(lines, [Box(50, 300, 60, 450)]) == Box(50, 300, 200, 450)
    assert content_box([], []) is None


def sheet_info(name: str = "乡镇", ranking: bool = True) -> SheetInfo:
    return SheetInfo(name, ranking, MARGINS, (HEADER, "&A", "第 &P 页 / 共 &N 页"))


def test_check_page_fails_small_print_on_a_ranking_page_and_an_empty_page() -> None:
    # a table in the top fifth of the page at 5.3 pt, as LibreOffice prints a 48% fit-to-page sheet
    body = [
        line("2021年度考核结果（乡镇）", 337, 546, 505, 554, 7.7),
        line("1 轮台镇 102.88", 41, 446, 813, 516, 5.31),
    ]
    grid = (Box(32, 446, 810, 542),)
    report = check_page("2021", page(running_lines() + body, grid, 2), sheet_info(), patterns())
    assert report.sheet == "乡镇"
    assert report.ranking
    assert report.smallest == pytest.approx(5.31)
    assert report.fill == pytest.approx(
        (813.09 - 32) * (546 + 8 - 446) / ((841.89 - 57.6) * (595.3 - 100.8)), rel=1e-3
    )
    assert report.problems == ["排名页字号5.3pt<9pt", "填充22%<33%"]


def test_check_page_leaves_the_running_header_out_of_the_fill() -> None:
    # only the header and footer: the page is empty, though they span it from top to bottom
    report = check_page("b", page(running_lines()), sheet_info("图表", ranking=False), patterns())
    assert report.fill == 0
    assert report.smallest == pytest.approx(8.4)
    assert report.problems == ["填充0%<33%"]  # small print is allowed off the ranking pages


def test_check_page_passes_a_full_page_with_readable_print() -> None:
    body = [line("排名 单位 总分", 30, 60, 810, 540, 9.5)]
    report = check_page("b", page(running_lines(n=3, size=9.5) + body), sheet_info(), patterns())
    assert report.fill > MIN_FILL
    assert report.problems == []


@pytest.mark.parametrize(
    ("size", "ok"), [(9.0, True), (8.998, True), (8.96, True), (8.94, False), (5.3, False)]
)
def test_ranking_print_is_compared_to_a_tenth_of_a_point(size: float, ok: bool) -> None:
    body = [line("排名 单位 总分", 30, 60, 810, 540, size)]
    report = check_page("b", page(running_lines(size=9.5) + body), sheet_info(), patterns())
    assert report.problems == ([] if ok else [f"排名页字号{size:.1f}pt<9pt"])


def test_check_page_reports_narrow_marks_and_an_unknown_sheet() -> None:
    body = [line("### ###", 30, 60, 810, 540, 9.5)]
    report = check_page("b", page(body), None, patterns())
    assert report.sheet is None
    assert not report.ranking
    assert report.problems == ["###×2"]


# ------------------------------------------------------------------------------------------ clipped cells


def sheet(cells: list[Cell], occupied: set[tuple[int, int]] | None = None, **kw: object) -> SheetCells:
    occ = {(c.row, c.col) for c in cells} | (occupied or set())
    widths = {1: 10.0, 2: 10.0, 3: 10.0, 4: 10.0}
    return SheetCells("s", tuple(cells), frozenset(occ), widths, last_col=4, **kw)  # type: ignore[arg-type]


def refs(clips: list[Clip]) -> list[str]:
    return [c.ref for c in clips]


def test_text_within_its_column_is_not_clipped() -> None:
    assert clipped_cells(sheet([Cell(1, 1, "12345678"), Cell(1, 2, "乡镇乡镇"), Cell(1, 3, "x" * 10)])) == []


def test_text_runs_into_empty_neighbours_and_is_cut_by_a_full_one() -> None:
    long = "很长的单位名称很长的名称"  # width 24
    assert clipped_cells(sheet([Cell(1, 1, long)])) == []  # B1, C1 empty: it runs over them
    assert refs(clipped_cells(sheet([Cell(1, 1, long), Cell(1, 3, "x")]))) == ["A1"]  # only B1: 20 < 24
    assert refs(clipped_cells(sheet([Cell(1, 1, long)], occupied={(1, 2)}))) == ["A1"]  # a number in B1
    clip = clipped_cells(sheet([Cell(1, 1, long), Cell(1, 2, "y")]))[0]
    assert (clip.sheet, clip.ref, clip.text, clip.need, clip.room) == ("s", "A1", long, 24, 10)


def test_overflow_stops_at_the_last_used_column() -> None:
    assert refs(clipped_cells(sheet([Cell(1, 4, "x" * 11)]))) == ["D1"]


def test_direction_follows_alignment() -> None:
    long = "x" * 15
    right = Cell(1, 2, long, align="right")
    assert clipped_cells(sheet([right])) == []  # runs left into A1
    assert refs(clipped_cells(sheet([right, Cell(1, 1, "a")]))) == ["B1"]
    centred = Cell(1, 2, long, align="center")
    assert clipped_cells(sheet([centred])) == []  # 2.5 each way into A1 and C1
    assert refs(clipped_cells(sheet([centred, Cell(1, 3, "c")]))) == ["B1"]  # cut on the right
    assert refs(clipped_cells(sheet([centred, Cell(1, 1, "a")]))) == ["B1"]  # cut on the left


def test_wrapped_shrunk_rotated_and_filled_cells_are_never_clipped() -> None:
    long = "很长的单位名称很长的名称"
    cells = [
        Cell(1, 1, long, wrap=True),
        Cell(2, 1, long, shrink=True),
        Cell(3, 1, long, rotation=90),
        Cell(4, 1, long, align="fill"),
        Cell(5, 1, long, align="justify"),
    ]
    full = {(r, 2) for r in range(1, 6)}
    assert clipped_cells(sheet(cells, occupied=full)) == []


def test_font_size_indent_and_lines_count() -> None:
    assert clipped_cells(sheet([Cell(1, 1, "x" * 10, size=11), Cell(1, 2, "y")])) == []
    assert refs(clipped_cells(sheet([Cell(1, 1, "x" * 10, size=16), Cell(1, 2, "y")]))) == ["A1"]  # 14.5
    assert clipped_cells(sheet([Cell(1, 1, "x" * 12, size=9), Cell(1, 2, "y")])) == []  # 9.8
    assert refs(clipped_cells(sheet([Cell(1, 1, "x" * 9, indent=1), Cell(1, 2, "y")]))) == ["A1"]  # 11
    assert clipped_cells(sheet([Cell(1, 1, "x" * 9 + "\n" + "x" * 9), Cell(1, 2, "y")])) == []  # longest line


def test_merged_text_keeps_to_its_range() -> None:
    title = Cell(1, 1, "x" * 25)
    merged = ((1, 1, 1, 2),)  # A1:B1, 20 wide
    assert refs(clipped_cells(sheet([title], merged=merged))) == ["A1"]  # C1 empty, but merged text stays
    assert clipped_cells(sheet([Cell(1, 1, "x" * 20)], merged=merged)) == []
    # a cell inside a merged range is neither checked nor room to run into
    inside = sheet([Cell(1, 3, "x" * 15)], occupied={(1, 4)}, merged=((1, 3, 1, 4),))
    assert clipped_cells(inside) == []


def test_default_width_applies_to_unlisted_columns() -> None:
    cells = (Cell(1, 7, "x" * 9), Cell(1, 8, "y"))
    s = SheetCells("s", cells, frozenset({(1, 7), (1, 8)}), {}, (), 8, 8.43)
    assert refs(clipped_cells(s)) == ["G1"]


def write_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("乡镇")
    ws.merge_range(0, 0, 0, 3, "", wb.add_format({"align": "center"}))
    ws.write_string(0, 0, "2021年度考核结果（乡镇）", wb.add_format({"font_size": 16, "align": "center"}))
    ws.write_string(1, 0, "排名")
    ws.write_string(1, 1, "单位")
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 3, 10)
    ws.write_number(2, 0, 1)
    ws.write_string(2, 1, "铁热克巴扎乡人民政府")  # 20 wide in 8, C3 holds a number: clipped
    ws.write_number(2, 2, 98.5)
    ws.write_string(3, 1, "阿克萨来乡人民政府", wb.add_format({"text_wrap": True}))  # wraps: fine
    ws.write_string(4, 1, "野云沟乡政府")  # 12 wide, runs into the empty C5 and D5: fine
    ws.write_blank(4, 2, None, wb.add_format({"border": 1}))  # a formatted blank is still empty
    ws.write_string(5, 2, "说明文字很长很长很长很长")  # 24 wide from C6: D6 and the sheet end: clipped
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.set_header("&L2021年度考核结果&R&A")
    ws.set_footer("&C第 &P 页 / 共 &N 页")
    cover = wb.add_worksheet("封面")
    cover.write_string(0, 0, "封面")
    wb.close()
    return path


def test_ranking_sheets_are_found_by_their_header() -> None:
    assert is_ranking_sheet(["2021年度考核结果（乡镇）", "排名"])
    assert is_ranking_sheet(["标题", "折算得分＝得分合计÷适用满分×100", " 排名 ", 1, 2])  # a note above it
    assert not is_ranking_sheet(["2021年度考核结果（扣分明细）", "单位", "排名"[:1]])
    assert not is_ranking_sheet(["标题", None, None, None, None, None, "排名"])  # too far down: a data cell
    assert not is_ranking_sheet([])


def test_read_workbook_finds_clipped_cells_and_page_setup(tmp_path: Path) -> None:
    infos, sheets = read_workbook(write_book(tmp_path / "tiny.xlsx"))
    assert [(i.name, i.ranking) for i in infos] == [("乡镇", True), ("封面", False)]
    assert infos[0].margins == pytest.approx(MARGINS)
    assert infos[0].running == ("2021年度考核结果", "&A", "第 &P 页 / 共 &N 页")
    clips = clipped_cells(sheets[0])
    assert [(c.ref, c.text) for c in clips] == [
        ("B3", "铁热克巴扎乡人民政府"),
        ("C6", "说明文字很长很长很长很长"),
    ]
    assert clips[0].need == 20
    assert clips[0].room == pytest.approx(8.7, abs=0.1)  # Excel's stored width: 8 plus padding
    assert clipped_cells(sheets[1]) == []


# ------------------------------------------------------------------------------------------ the report


def test_locate_finds_the_page_that_prints_part_of_the_text() -> None:
    texts = {2: "排名 单位", 3: "1 铁热克巴 98.50", 4: "铁热克巴扎乡人民政府"}
    assert locate("铁热克巴扎乡人民政府", texts) == 3  # clipped: only a part is printed
    assert locate("镇（街道、场、片区）", {1: "镇（街道、场、片区", 2: "x"}) == 1
    assert locate("不在任何页", texts) is None
    assert locate("", texts) is None


def report(page: int, problems: list[str], fill: float = 0.5, book: str = "2021") -> PageReport:
    return PageReport(book, page, "县直部门", True, 5.31, fill, problems)


def test_format_table_keeps_to_80_columns() -> None:
    many = [f"截断B{i}" for i in range(10, 40)]
    reports = [
        report(2, ["排名页字号5.3pt<9pt", "填充20%<33%"], 0.2),
        report(3, many),
        PageReport("a-very-long-workbook-name", 123, "乡镇（街道、场、片区）很长", False, None, 1.0),
    ]
    text = format_table(reports)
    assert all(display_width(ln) <= 80 for ln in text.splitlines())
    lines = text.splitlines()
    assert lines[2].split()[:5] == ["2021", "2", "县直部门*", "5.3", "20%"]
    assert lines[2].endswith("排名页字号5.3pt<9pt；填充20%<33%")
    assert "截断B39" in text  # wrapped onto more lines, not lost
    assert lines[-1].split()[3:] == ["—", "100%", "—"]


def test_summary_fails_on_any_problem_and_passes_a_clean_run() -> None:
    text, ok = summary([report(1, [])], [])
    assert ok
    assert text.endswith("结论：通过")
    small = report(2, ["排名页字号5.3pt<9pt", "填充20%<33%"], 0.2)
    text, ok = summary([small, report(3, ["###×1"])], [])
    assert not ok
    assert "排名页字号小于 9 pt：1 页（2021 第2页）" in text
    assert "填充不足 33%：1 页（2021 第2页）" in text
    assert "### 标记（数字列太窄）：1 页（2021 第3页）" in text
    clip = Clip("封面", "A20", "乡镇（街道、场、片区）", 22, 14.7)
    text, ok = summary([report(1, [])], [("2020", clip, 1)])
    assert not ok
    assert "2020 封面!A20（第1页） “乡镇（街道、场、片区）” 22 > 14.7" in text


# ---------------------------------------------------------------------------------------- the generated year


def test_split_parts_makes_more_level1_parts_with_the_same_leaves_and_points() -> None:
    import polars as pl

    from benchmarks.year import split_parts

    def row(id_: str, parent: str = "", points: str = "", role: str = "", rule: str = "") -> dict[str, str]:
        return {"id": id_, "parent": parent, "name": id_, "points": points, "role": role, "rule": rule}

    rows = pl.DataFrame(
        [
            row("C1", points="15", role="base"),
            row("C2", points="5", role="base"),
            row("BONUS", points="5", role="bonus"),
            *(row(f"I{i}", "C1", "2.5", rule="binary") for i in range(1, 7)),
            row("I7", "C2", "4.5", rule="binary"),
            row("I8", "C2", "0.5", rule="binary"),
            row("B1", "BONUS", "5", rule="count_capped"),
        ]
    )
    assert split_parts(rows, 2).equals(rows)
    out = split_parts(rows, 5)  # C1 into 3 parts, C2 into 2
    level1 = out.filter(pl.col("parent") == "")
    assert level1.select("id", "name", "points", "role").rows() == [
        ("C1-1", "类别C1之1", "5", "base"),
        ("C1-2", "类别C1之2", "5", "base"),
        ("C1-3", "类别C1之3", "5", "base"),
        ("C2-1", "类别C2之1", "4.5", "base"),
        ("C2-2", "类别C2之2", "0.5", "base"),
        ("BONUS", "BONUS", "5", "bonus"),
    ]
    leaves = out.filter(pl.col("parent") != "")
    assert leaves.select("id", "parent").rows() == [
        ("I1", "C1-1"), ("I2", "C1-1"), ("I3", "C1-2"), ("I4", "C1-2"), ("I5", "C1-3"), ("I6", "C1-3"),
        ("I7", "C2-1"), ("I8", "C2-2"), ("B1", "BONUS"),
    ]  # fmt: skip
    assert leaves.drop("parent").equals(rows.filter(pl.col("parent") != "").drop("parent"))
    with pytest.raises(ValueError, match="between 2 and 8"):
        split_parts(rows, 9)
    with pytest.raises(ValueError, match="between 2 and 8"):
        split_parts(rows, 1)
    with pytest.raises(ValueError, match="C2 has 2 indicators, fewer than the 4 parts"):
        split_parts(rows, 8)


def test_page_ranges_and_fold() -> None:
    assert page_ranges([7, 2, 3, 4, 4]) == "2-4,7"
    assert page_ranges([5]) == "5"
    assert page_ranges([]) == ""
    text = "排名页字号小于 9 pt：" + "；".join(f"book{i} 第2-19页" for i in range(8))
    folded = fold(text)
    assert "".join(part.removeprefix("    ") for part in folded) == text
    assert len(folded) > 1
    assert all(display_width(part) <= 80 for part in folded)
    assert fold("短") == ["短"]


def test_summary_lists_many_pages_as_ranges_within_80_columns() -> None:
    reports = [report(n, ["排名页字号8.2pt<9pt"], book=f"book-{b}") for b in range(6) for n in range(2, 20)]
    text, ok = summary(reports, [])
    assert not ok
    assert "book-0 第2-19页" in text
    assert all(display_width(line) <= 80 for line in text.splitlines())


def test_the_last_page_of_a_long_table_is_not_a_layout_fault() -> None:
    from tools.page_checks import PageReport, summary

    pages = [
        PageReport("b", 1, "封面", False, 10.0, 0.2),  # a one-page sheet: its fill counts
        PageReport("b", 2, "扣分明细", False, 9.0, 0.9),
        PageReport("b", 3, "扣分明细", False, 9.0, 0.1),  # where the long table ends: not counted
    ]
    text, ok = summary(pages, [])
    assert not ok and "填充不足 33%：1 页（b 第1页）" in text
    text, ok = summary(pages[1:], [])
    assert ok, text
