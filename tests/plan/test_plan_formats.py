"""Plan documents as offices hold them: text that lost its line breaks, Word files (automatic numbering,
tables), decomposition tables in Excel; durations and recurrences; elided unit prefixes; 按职责分工负责
sentences; the roster's codes. Every fixture is built here (the Word and Excel files with python-docx and
xlsxwriter), from excerpts of real plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
import xlsxwriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from scoring.plan.deadlines import find_durations, find_recurrences
from scoring.plan.extract import Plan, parse_plan, read_plan
from scoring.plan.model import report_lines
from scoring.plan.roster import Roster, read_roster
from scoring.plan.table import grid_from_values, header_row
from scoring.plan.text import split_lines, split_run_on
from scoring.plan.units import expand_elided, find_note

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = sorted(FIXTURES.glob("*.txt"))
ROSTER_2021 = Path(__file__).parents[2] / "data" / "2021" / "units.csv"


def messages(plan: Plan) -> list[str]:
    return [str(w) for w in plan.warnings]


def facts(plan: Plan) -> list[tuple[object, ...]]:
    return [
        (it.label, it.section, it.heading, it.text, it.lead_units, it.responsible_units, it.deadlines)
        for it in plan.items
    ]


# ---------------------------------------------------------------------------------- lost line breaks


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem[:3])
def test_each_shipped_plan_as_one_line_gives_the_same_items(path: Path) -> None:
    one_line = "".join(ln.text for ln in split_lines(path.read_text(encoding="utf-8")))
    assert "\n" not in one_line
    plan = parse_plan(one_line)
    assert facts(plan) == facts(read_plan(path))
    assert plan.notes == ["有 1 行原文没有换行（如从网页复制），已按“一、”“（一）”“1.”等编号分段"]


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem[:3])
def test_shipped_plans_keep_their_lines(path: Path) -> None:
    lines = split_lines(path.read_text(encoding="utf-8"))
    assert split_run_on(lines) == (lines, 0, None)


def test_one_line_with_responsibility_sentences_and_signature() -> None:
    text = (
        "关于印发某市2022年政务公开工作要点的通知各县（市、区）人民政府：现印发给你们。某市人民政府办公室"
        "2022年3月1日某市2022年政务公开工作要点一、推进决策公开（一）做好决策预公开1.做好重大行政决策预公开，"
        "2周内完成意见征集。责任单位：市政府办、市司法局。2.决策事项目录每季度更新。牵头单位：市司法局；"
        "责任单位：各县（市、区）人民政府。二、加强政策解读3.政策文件印发后3个工作日内发布解读。"
        "省工信厅、财政厅、生态环境厅等按职责分工负责。附件下载>>相关链接>>"
    )
    plan = parse_plan(text)
    assert [it.label for it in plan.items] == ["1", "2", "3"]
    assert (plan.title, plan.issuer, plan.year) == ("某市2022年政务公开工作要点", "某市人民政府办公室", 2022)
    one, two, three = plan.items
    assert one.heading == "（一）做好决策预公开" and one.section == "一、推进决策公开"
    assert one.text == "做好重大行政决策预公开，2周内完成意见征集。"
    assert one.responsible_units == ["市政府办", "市司法局"] and one.durations == ["P2W"]
    assert two.lead_units == ["市司法局"] and two.responsible_units == ["各县（市、区）人民政府"]
    assert two.recurrences == ["R/P3M"]
    assert three.text == "政策文件印发后3个工作日内发布解读。"
    assert three.responsible_units == ["省工信厅", "财政厅", "生态环境厅"]
    assert three.responsible_full == ["省工信厅", "省财政厅", "省生态环境厅"]
    assert three.deadlines == ["3个工作日内"] and three.durations == []
    assert "“财政厅”补全为“省财政厅”（按同一列举首个单位“省工信厅”的级别）" in three.notes
    assert any("按工作日计" in n for n in three.notes)
    assert messages(plan) == []


def test_numbers_inside_a_long_line_that_do_not_continue_the_numbering_stay() -> None:
    line = (
        "1.全面贯彻党的十九大和十九届二中、三中、四中全会精神，落实《条例》第二十条（一）项。"
        "2020年第1、2季度完成。3.5亿元资金公开。"
    )
    lines = split_lines(line)
    assert split_run_on(lines) == (lines, 0, None)


def test_one_line_with_numbering_restarting_under_each_section() -> None:
    plan = parse_plan(
        "某县2021年政务公开工作要点一、加强政策解读1.做好解读。（县政府办）2.回应关切。（县融媒体中心）"
        "二、强化平台建设1.网站改版。（县政府办）2.新媒体。（县政府办）"
    )
    assert [(it.label, it.text, it.units) for it in plan.items] == [
        ("一.1", "做好解读。", ["县政府办"]),
        ("一.2", "回应关切。", ["县融媒体中心"]),
        ("二.1", "网站改版。", ["县政府办"]),
        ("二.2", "新媒体。", ["县政府办"]),
    ]


def test_one_line_whose_items_are_the_sub_sections() -> None:
    plan = parse_plan(
        "一、加强政策解读（一）做好政策解读。各部门要做好解读。（牵头单位：县政府办，责任单位：县直各部门）"
        "（二）加强回应关切。及时回应社会关切。（县政府办、县融媒体中心）二、强化平台建设"
        "（一）加强政府网站建设。2021年6月底前完成改版。（责任单位：各乡镇人民政府）"
    )
    assert [(it.label, it.units) for it in plan.items] == [
        ("一（一）", ["县政府办", "县直各部门"]),
        ("一（二）", ["县政府办", "县融媒体中心"]),
        ("二（一）", ["各乡镇人民政府"]),
    ]
    assert plan.items[2].deadlines == ["2021-06-30"]


def test_sub_points_inside_an_item_of_a_text_with_line_breaks_stay_in_it() -> None:
    plan = parse_plan(
        "某县2021年政务公开工作要点\n一、加强政策解读\n"
        "1.做好以下工作。（一）解读文件；（二）回应关切。（县政府办）\n2.加强回应。（县政府办）\n"
    )
    assert [(it.label, it.text) for it in plan.items] == [
        ("1", "做好以下工作。（一）解读文件；（二）回应关切。"),
        ("2", "加强回应。"),
    ]
    assert plan.notes == []


# ------------------------------------------------------------------------------------- responsibility


def test_duty_sentence_needs_unit_names() -> None:
    note = find_note("加快推进工业领域信息公开，省工信厅牵头，财政厅、生态环境厅按职责分工负责。")
    assert note is not None
    assert (note.units.lead, note.units.responsible) == (["省工信厅"], ["财政厅", "生态环境厅"])
    assert note.before == "加快推进工业领域信息公开。"
    assert find_note("各部门要按职责分工负责。") is None
    assert find_note("做好公开工作，有关单位要认真按职责分工负责。") is None


def test_elided_prefixes() -> None:
    full, notes = expand_elided(["省工信厅", "财政厅", "生态环境厅", "各市州人民政府", "省政府办公厅"])
    assert full == ["省工信厅", "省财政厅", "省生态环境厅", "各市州人民政府", "省政府办公厅"]
    assert notes == [
        "“财政厅”补全为“省财政厅”（按同一列举首个单位“省工信厅”的级别）",
        "“生态环境厅”补全为“省生态环境厅”（按同一列举首个单位“省工信厅”的级别）",
    ]
    assert expand_elided(["县发改委", "自然资源局", "乡村振兴局", "各乡镇人民政府", "片区管委会"])[0] == [
        "县发改委",
        "县自然资源局",
        "县乡村振兴局",
        "各乡镇人民政府",
        "片区管委会",
    ]
    assert expand_elided(["市政府办公厅", "市场监管局"])[0] == [
        "市政府办公厅",
        "市市场监管局",
    ]  # 市场 is no level
    assert expand_elided(["市政府办公厅", "市市场监管局"])[1] == []
    assert expand_elided(["区政府办", "区委编办", "区直各行政机关"])[1] == []


def test_shipped_plans_keep_names_as_written_and_add_full_names() -> None:
    luntai = read_plan(FIXTURES / "004_e762bc6c38b9abe6.txt")
    one = luntai.item("1")
    assert (one.lead_units, one.responsible_units) == (["县发改委"], ["自然资源局", "住建局"])
    assert (one.lead_full, one.responsible_full) == (["县发改委"], ["县自然资源局", "县住建局"])
    assert len(one.notes) == 2


# ------------------------------------------------------------------------------------ time limits


@pytest.mark.parametrize(
    ("text", "durations"),
    [
        ("2周内完成", ["P2W"]),
        ("6个月内整改到位", ["P6M"]),
        ("征求意见时间不少于1个月", ["P1M"]),
        ("一个月内", ["P1M"]),
        ("半年内", ["P6M"]),
        ("24小时内回应", ["PT24H"]),
        ("15日内答复，30天内办结", ["P15D", "P30D"]),
        ("2个工作日内", []),  # no ISO 8601 form: kept as written in the deadlines
        ("6月内", []),  # a month of the year
        ("2021年6月底前", []),
        ("近3年", []),
    ],
)
def test_durations(text: str, durations: list[str]) -> None:
    assert find_durations(text)[0] == durations


def test_duration_notes() -> None:
    assert find_durations("征求意见不少于1个月")[1] == ["“不少于1个月”是最短期限（P1M）"]
    assert find_durations("2个工作日内")[1] == [
        "“2个工作日内”按工作日计，没有对应的 ISO 8601 写法，时限保留原文"
    ]


@pytest.mark.parametrize(
    ("text", "recurrences"),
    [
        ("每季度更新", ["R/P3M"]),
        ("每月报送，每年公开", ["R/P1M", "R/P1Y"]),
        ("每半年通报一次", ["R/P6M"]),
        ("每2个月", ["R/P2M"]),
        ("每周", ["R/P1W"]),
        ("按季度公开", ["R/P3M"]),
        ("2021年第三季度末", []),
        ("定期公开", []),
    ],
)
def test_recurrences(text: str, recurrences: list[str]) -> None:
    assert find_recurrences(text) == recurrences


# ------------------------------------------------------------------------------------------ Word


def _numbered(document: docx.document.Document, text: str, num_id: int, level: int) -> None:
    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _chinese_list(document: docx.document.Document) -> int:
    """A list 一、 / （一） in the document's numbering part, as Word writes one; its numId."""
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="（%2）"/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def test_word_paragraphs_with_automatic_numbering(tmp_path: Path) -> None:
    document = docx.Document()
    cn = _chinese_list(document)
    document.add_paragraph("某市2022年政务公开工作要点")
    _numbered(document, "推进决策公开", cn, 0)
    _numbered(document, "做好决策预公开", cn, 1)
    document.add_paragraph(
        "做好重大决策预公开。（牵头单位：市政府办，责任单位：市发改委、财政局）", style="List Number"
    )
    document.add_paragraph("决策事项目录每季度更新，7月底前完成清理。（市司法局）", style="List Number")
    _numbered(document, "加强政策解读", cn, 0)
    document.add_paragraph(
        "政策文件印发后3个工作日内解读。市政府办、市发改委等按职责分工负责。", style="List Number"
    )
    document.add_paragraph("某市人民政府办公室")
    document.add_paragraph("2022年3月1日")
    path = tmp_path / "要点.docx"
    document.save(str(path))
    plan = read_plan(path)
    assert (plan.form, plan.title, plan.issuer, plan.year) == (
        "word",
        "某市2022年政务公开工作要点",
        "某市人民政府办公室",
        2022,
    )
    assert [(it.label, it.section, it.heading) for it in plan.items] == [
        ("1", "一、推进决策公开", "（一）做好决策预公开"),
        ("2", "一、推进决策公开", "（一）做好决策预公开"),
        ("3", "二、加强政策解读", None),
    ]
    one, two, three = plan.items
    assert (one.lead_units, one.responsible_full) == (["市政府办"], ["市发改委", "市财政局"])
    assert two.deadlines == ["2022-07-31"] and two.recurrences == ["R/P3M"]
    assert three.responsible_units == ["市政府办", "市发改委"] and three.line == 7
    assert messages(plan) == []
    assert (
        report_lines(plan)[0] == "要点.docx（Word 文档）：找到 3 个事项，写明责任单位的 3 个，写明时限的 2 个"
    )


def test_word_decomposition_table(tmp_path: Path) -> None:
    """A Word file with the notice in paragraphs and the plan as a table: the units before the
    requirement, sections as merged rows, a lead cell merged down, an empty lead cell, a gap 27 → 29."""
    document = docx.Document()
    document.add_paragraph("某县2022年政务公开重点任务分解表")
    table = document.add_table(rows=1, cols=5)
    for cell, name in zip(
        table.rows[0].cells, ["序号", "工作任务", "牵头单位", "配合单位", "工作要求"], strict=True
    ):
        cell.text = name
    rows = [
        ("一、深化政务公开",),
        ("26", "做好规划公开", "县发改委", "自然资源局、住建局", "主动公开“十四五”规划纲要，6个月内完成。"),
        ("27", "推进决策公开", "县司法局", "县直各部门", "重大行政决策事项目录每季度更新。"),
        ("二、优化政务服务",),
        ("29", "政策解读", "", "各乡镇人民政府", "政策文件印发后2周内发布解读。"),
        ("30", "依申请公开", "县政府办", "", "规范答复文书。年底前完成。"),
        ("31", "平台建设", "", "", "网站集约化。"),
    ]
    for values in rows:
        cells = table.add_row().cells
        if len(values) == 1:
            merged = cells[0].merge(cells[4])
            merged.text = values[0]
        else:
            for cell, v in zip(cells, values, strict=True):
                cell.text = v
    table.cell(6, 2).merge(table.cell(7, 2))  # 县政府办 leads 30 and 31
    table.cell(6, 2).text = "县政府办"
    document.add_paragraph("县政务公开办")
    path = tmp_path / "分解表.docx"
    document.save(str(path))
    plan = read_plan(path)
    assert plan.form == "table" and plan.year == 2022
    assert [it.label for it in plan.items] == ["26", "27", "29", "30", "31"]  # never renumbered
    assert [it.section for it in plan.items] == ["一、深化政务公开"] * 2 + ["二、优化政务服务"] * 3
    first = plan.item("26")
    assert first.text == "做好规划公开。主动公开“十四五”规划纲要，6个月内完成。"
    assert (first.lead_units, first.responsible_full) == (["县发改委"], ["县自然资源局", "县住建局"])
    assert (
        first.durations == ["P6M"] and first.units_text == "牵头单位：县发改委；配合单位：自然资源局、住建局"
    )
    assert plan.item("27").recurrences == ["R/P3M"]
    assert (plan.item("29").lead_units, plan.item("29").durations) == ([], ["P2W"])
    assert plan.item("30").deadlines == ["2022-12-31"]
    assert plan.item("31").lead_units == ["县政府办"]  # the merged cell is carried down
    assert messages(plan) == [  # an excerpt: the table starts at 26
        "第4行，事项 26：事项编号从 26 开始",
        "第7行，事项 29：事项编号不连续：27 之后是 29（缺 28）",
    ]
    assert plan.item("26").line == 4  # the title paragraph is line 1, the header row line 2
    assert "表头在第2行" in plan.notes[0] and "“配合单位”作责任单位" in plan.notes[0]


# ------------------------------------------------------------------------------------------- Excel


def _workbook(path: Path) -> None:
    """A decomposition table as offices send it: a title row, the columns in their own order (units
    before the task), sections as merged rows, numbers running on across sections with a gap, an item
    over two rows under a merged number, dates as Excel dates, a note under the table."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("任务分解")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 5, "轮台县2022年政务公开工作任务分解表")
    ws.write_row(1, 0, ["序号", "责任单位", "牵头单位", "工作任务", "工作要求", "完成时限"])
    ws.merge_range(2, 0, 2, 5, "一、紧扣“十四五”开好局起好步，深化政务公开")
    ws.write_row(3, 0, [1, "自然资源局、住建局", "县发改委", "做好各类规划主动公开", "公开规划纲要。"])
    ws.write_datetime(3, 5, dt.datetime(2022, 6, 30), date)
    ws.write_row(4, 0, [2, "", "县政府办", "做好决策公开", "目录动态更新。", "每季度"])
    ws.merge_range(5, 0, 5, 5, "二、紧扣法治政府建设，加强政务公开")
    ws.merge_range(6, 0, 7, 0, 3)
    ws.write_row(
        6, 1, ["县直各部门\n县财政局", "县司法局", "规章规范性文件公开", "集中公开现行有效的规范性文件。"]
    )
    ws.write_row(7, 1, ["", "", "", "2周内完成清理。"])
    ws.write_row(8, 0, [5, "各乡镇人民政府", "", "基层公开", "7月底前完成标准目录。", "长期坚持"])
    ws.write(10, 0, "注：本表由县政务公开办负责解释。")
    wb.close()


def test_excel_decomposition_table(tmp_path: Path) -> None:
    path = tmp_path / "分解表.xlsx"
    _workbook(path)
    plan = read_plan(path)
    assert (plan.form, plan.title, plan.year) == ("table", "轮台县2022年政务公开工作任务分解表", 2022)
    assert [it.label for it in plan.items] == ["1", "2", "3", "5"]
    one, two, three, five = plan.items
    assert one.section == "一、紧扣“十四五”开好局起好步，深化政务公开"
    assert (one.lead_units, one.responsible_units) == (["县发改委"], ["自然资源局", "住建局"])
    assert one.deadlines == ["2022-06-30"] and one.line == 4
    assert two.recurrences == ["R/P3M"] and two.deadlines == []
    assert three.text == "规章规范性文件公开。集中公开现行有效的规范性文件。2周内完成清理。"
    assert three.responsible_units == ["县直各部门", "县财政局"] and three.durations == ["P2W"]
    assert five.lead_units == [] and five.deadlines == ["2022-07-31", "长期坚持"]
    assert messages(plan) == ["第9行，事项 5：事项编号不连续：3 之后是 5（缺 4）"]
    assert [(u.line, u.text) for u in plan.unplaced] == [(11, "注：本表由县政务公开办负责解释。")]
    report = report_lines(plan)
    assert report[0] == "分解表.xlsx（任务分解表）：找到 4 个事项，写明责任单位的 4 个，写明时限的 4 个"
    assert "    第11行：注：本表由县政务公开办负责解释。" in report


def test_table_numbering_restarting_under_sections_is_qualified() -> None:
    grid = grid_from_values(
        [
            ["序号", "工作任务", "责任单位"],
            ["一", "深化政务公开", ""],
            ["1", "规划公开", "县发改委"],
            ["2", "决策公开", "县政府办"],
            ["二", "优化服务", ""],
            ["1", "政策解读", "县政府办"],
        ]
    )
    from scoring.plan.extract import plan_from_tables

    plan = plan_from_tables([grid], None)
    assert [it.label for it in plan.items] == ["一.1", "一.2", "二.1"]
    assert plan.items[2].section == "二、优化服务"
    assert any("重新从 1 开始" in m for m in messages(plan))


def test_table_without_numbers_and_two_header_rows() -> None:
    grid = grid_from_values(
        [
            ["工作事项", "具体内容", "责任分工", "", "完成时间"],
            ["", "", "牵头单位", "配合单位", ""],
            ["规划公开", "公开规划纲要", "县发改委", "县自然资源局", "2022年底前"],
            ["决策公开", "目录每月更新", "县政府办", "", ""],
        ]
    )
    assert header_row(grid) == 0
    from scoring.plan.extract import plan_from_tables

    plan = plan_from_tables([grid], None)
    assert [(it.label, it.lead_units, it.responsible_units) for it in plan.items] == [
        ("1", ["县发改委"], ["县自然资源局"]),
        ("2", ["县政府办"], []),
    ]
    assert plan.items[1].recurrences == ["R/P1M"]
    assert messages(plan) == ["第3行：表格没有序号列，事项按表中顺序记为 1–2"]


def test_sheet_without_a_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write_row(0, 0, ["甲", "乙"])
    wb.close()
    plan = read_plan(path)
    assert plan.items == [] and "没有找到任务分解表的表头" in messages(plan)[0]


@pytest.mark.parametrize("suffix", [".xls", ".doc", ".wps", ".et"])
def test_old_office_formats_are_refused_with_what_to_do(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValueError, match="请先另存为"):
        read_plan(path)


def test_broken_xlsx_is_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"不是有效的 \.xlsx"):
        read_plan(tmp_path / "bad.xlsx")


# ------------------------------------------------------------------------------------------ roster


def test_roster_maps_names_and_short_names() -> None:
    roster = read_roster(ROSTER_2021)
    assert roster.places == ["轮台县"]
    assert {
        n: roster.code(n).code
        for n in (
            "县发改委",
            "县自然资源局",
            "县市监局",
            "县政府办",
            "县人民政府办公室",
            "县税务局",
            "卫健委",
            "轮台镇",
        )
    } == {
        "县发改委": "D02",
        "县自然资源局": "D03",
        "县市监局": "D05",
        "县政府办": "D01",
        "县人民政府办公室": "D01",
        "县税务局": "D13",
        "卫健委": "D11",
        "轮台镇": "T01",
    }
    assert roster.code("各乡镇人民政府").reason == "泛指多个单位，未对应名册中的某一个单位"
    assert roster.code("县委网信办").reason == "在units.csv中找不到"


def test_roster_short_names_column_and_ambiguous_keys() -> None:
    roster = Roster(
        [
            ("D01", "某市人民政府办公室", ["市府办"]),
            ("D02", "某市教育局", []),
            ("D03", "某市财政局", []),
            ("D04", "某县财政局", []),
            ("D05", "某县卫生健康委员会", []),
        ]
    )
    assert roster.places == ["某市", "某县"]
    assert roster.code("市府办").code == "D01" and roster.code("市政府办").code == "D01"
    assert roster.code("市教育局").code == "D02" and roster.code("县卫健委").code == "D05"
    assert roster.code("县财政局").code is None  # the level word is not the place: both are 财政局
    assert roster.code("财政局").reason == "可对应名册中多个单位（D03、D04），未对应"


def test_plan_with_a_roster_lists_codes_and_what_it_could_not_map() -> None:
    plan = read_plan(FIXTURES / "004_e762bc6c38b9abe6.txt", read_roster(ROSTER_2021))
    assert plan.item("1").unit_codes == ["D02", "D03", "D04"]
    assert plan.item("18").unit_codes == []
    assert "各乡镇人民政府" in plan.unmapped and "县发改委" not in plan.unmapped
    assert plan.mapped == 20
    assert "“各乡镇人民政府”泛指多个单位，未对应名册中的某一个单位" in plan.item("18").notes
    assert any(line.startswith("    未能对应：") for line in report_lines(plan))


def test_word_table_broken_over_pages_is_one_table(tmp_path: Path) -> None:
    """The table goes on after a page break as a second table, once without its header and once with
    the header repeated; the numbering runs on."""
    document = docx.Document()
    document.add_paragraph("某县2021年政务公开工作任务分工")
    header = ["序号", "工作任务", "责任单位"]
    parts = [
        [header, ["1", "规划公开", "县发改委"], ["2", "决策公开", "县政府办"]],
        [["3", "政策解读", "县司法局"]],
        [header, ["4", "数据开放", "县政务服务中心"]],
    ]
    for rows in parts:
        table = document.add_table(rows=0, cols=3)
        for values in rows:
            for cell, v in zip(table.add_row().cells, values, strict=True):
                cell.text = v
        document.add_paragraph("")
    path = tmp_path / "分工.docx"
    document.save(str(path))
    plan = read_plan(path)
    assert [(it.label, it.responsible_units) for it in plan.items] == [
        ("1", ["县发改委"]),
        ("2", ["县政府办"]),
        ("3", ["县司法局"]),
        ("4", ["县政务服务中心"]),
    ]
    assert [it.line for it in plan.items] == [3, 4, 6, 9]
    assert messages(plan) == []


def test_the_report_lists_every_text_outside_the_items() -> None:
    gaochang = read_plan(FIXTURES / "000_18955a963105cee7.txt")
    assert [u.line for u in gaochang.unplaced] == [485]
    assert gaochang.unplaced[0].text.startswith("各乡（镇、场、街道、片区）、各部门贯彻落实本工作要点")
    luntai = read_plan(FIXTURES / "004_e762bc6c38b9abe6.txt")
    assert [u.line for u in luntai.unplaced] == [112]
    assert luntai.unplaced[0].text.startswith("六、工作要求各乡镇人民政府")
    report = report_lines(luntai)
    assert report[:2] == [
        "004_e762bc6c38b9abe6.txt（文本）：找到 34 个事项，写明责任单位的 32 个，写明时限的 1 个",
        "  未能归入事项的文字（1 处）：",
    ]
    clean = parse_plan("一、任务\n1.做好解读。（县政府办）\n")
    assert report_lines(clean)[1] == "  事项之外没有遗留的文字（开头和落款按文件信息读取）"


def test_table_numbers_as_offices_write_them() -> None:
    from scoring.plan.extract import plan_from_tables

    grid = grid_from_values(
        [
            ["序号", "重点任务", "牵头单位", "责任单位"],
            ["（1）", "规划公开", "县发改委", ""],
            ["2.", "决策公开", "县政府办", ""],
            ["2.1", "目录公开", "", "县司法局"],
            ["15", "数据开放", "", "县政务服务中心"],
            ["", "", "", "县财政局"],
            ["", "预算公开", "县财政局", ""],
        ]
    )
    plan = plan_from_tables([grid], None)
    assert [it.label for it in plan.items] == ["1", "2", "2.1", "15", "行7"]
    assert messages(plan) == [
        "第5行，事项 15：事项编号不连续：2 之后是 15（缺 3–14）",
        "第7行，事项 行7：这一行没有序号，记为“行7”",
    ]
    assert [(u.line, u.text) for u in plan.unplaced] == [(6, "县财政局")]
