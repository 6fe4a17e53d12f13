"""Every plan shape the parser handles, from small synthetic texts: sub-sections as items, units without
牵头, role suffixes, brackets split by page breaks or mixed widths, plans with no units, Markdown marks,
number gaps, restarted numbering, deadlines, encodings and Word files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from scoring.plan.deadlines import find_deadlines
from scoring.plan.extract import Plan, parse_plan, read_plan
from scoring.plan.text import cn_number, read_plan_text, split_lines, wrap_width
from scoring.plan.units import expand_prefixes, find_note, parse_note, split_including, unit_class


def messages(plan: Plan) -> list[str]:
    return [str(w) for w in plan.warnings]


def hard_wrap(paragraphs: list[str], width: int = 20, page_every: int = 0) -> str:
    """Paragraphs as PDF text: cut every ``width`` characters, blank lines between lines, and every
    ``page_every`` lines a page footer ``- n -`` with the next line starting with a space."""
    out: list[str] = []
    count = 0
    page = 1
    for p in paragraphs:
        for i in range(0, len(p), width):
            line = p[i : i + width]
            if page_every and count and count % page_every == 0:
                page += 1
                out += [f"- {page} -", ""]
                line = " " + line
            out += [line, ""]
            count += 1
    return "\n".join(out)


# ------------------------------------------------------------------------------------------- structure


def test_subsections_are_items_when_there_are_no_numbered_items() -> None:
    plan = parse_plan(
        "某县2021年政务公开工作要点\n"
        "一、加强政策解读\n"
        "（一）做好政策解读。各部门要做好解读。（牵头单位：县政府办，责任单位：县直各部门）\n"
        "（二）加强回应关切。及时回应社会关切。（县政府办、县融媒体中心）\n"
        "二、强化平台建设\n"
        "(一)加强政府网站建设。2021年6月底前完成改版。（责任单位：各乡镇人民政府）\n"
    )
    assert [it.label for it in plan.items] == ["一（一）", "一（二）", "二（一）"]
    assert all(it.kind == "subsection" for it in plan.items)
    first = plan.items[0]
    assert first.section == "一、加强政策解读"
    assert first.heading == "（一）做好政策解读"
    assert first.text == "做好政策解读。各部门要做好解读。"
    assert first.lead_units == ["县政府办"] and first.responsible_units == ["县直各部门"]
    assert plan.items[1].lead_units == ["县政府办"] and plan.items[1].responsible_units == ["县融媒体中心"]
    assert plan.items[2].heading == "(一)加强政府网站建设"
    assert plan.items[2].deadlines == ["2021-06-30"]
    assert plan.year == 2021
    assert messages(plan) == []


def test_sections_are_items_when_there_is_nothing_below_them() -> None:
    plan = parse_plan(
        "一、加强政策解读。各部门要做好政策解读。（牵头单位：县政府办）\n"
        "二、强化平台建设。加强网站建设。\n")
    assert [(it.label, it.kind, it.section) for it in plan.items] == [
        ("一", "section", "一、加强政策解读"), ("二", "section", "二、强化平台建设")]
    assert plan.items[0].text == "加强政策解读。各部门要做好政策解读。"
    assert messages(plan) == ["第2行，事项 二：没有写明责任单位"]


def test_general_requirements_section_is_not_an_item() -> None:
    plan = parse_plan(
        "一、总体要求\n"
        "（一）指导思想。坚持以人民为中心。\n"
        "二、重点任务\n"
        "（一）做好解读。加强解读。\n")
    assert [it.label for it in plan.items] == ["二（一）"]
    assert any("“一、总体要求”视为说明性内容" in m for m in messages(plan))


def test_items_directly_under_sections_and_before_any_section() -> None:
    plan = parse_plan("1.做好政策解读。（县政府办）\n2.加强回应关切。（县政府办）\n")
    assert [it.label for it in plan.items] == ["1", "2"]
    assert plan.items[0].section is None and plan.items[0].heading is None


def test_number_gap_is_reported_and_the_item_kept() -> None:
    plan = parse_plan(
        "一、重点任务\n"
        "1.做好政策解读。（县政府办）\n"
        "2.加强回应关切。（县政府办）\n"
        "4.加强网站建设。（县政府办）\n")
    assert [it.label for it in plan.items] == ["1", "2", "4"]
    assert messages(plan) == ["第4行：事项编号不连续：2 之后是 4（缺 3）"]


def test_numbering_restarting_under_each_section_gets_qualified_labels() -> None:
    plan = parse_plan(
        "一、加强政策解读\n（一）做好解读\n1.做好政策解读。（县政府办）\n2.加强回应关切。（县政府办）\n"
        "二、强化平台建设\n1.加强网站建设。（县政府办）\n"
    )
    assert [it.label for it in plan.items] == ["一（一）.1", "一（一）.2", "二.1"]
    assert any("重新从 1 开始" in m for m in messages(plan))


def test_wrapped_line_starting_with_a_number_is_not_an_item() -> None:
    plan = parse_plan(hard_wrap([
        "一、加强政策解读",
        "1.做好政策解读，全年发布解读材料不少于十二篇，其中图解不少于两篇，视频解读不少于一篇，"
        "年度预算安排不少于2.5万元，重点做好各项政策措施的宣传工作。（县政府办）",
        "2.加强回应关切，及时回应社会关切，做好舆情监测与处置，建立健全回应机制并定期开展评估。（县政府办）",
    ]))
    assert [it.label for it in plan.items] == ["1", "2"]
    assert "2.5万元" in plan.items[0].text


def test_decimal_after_number_is_not_an_item_marker() -> None:
    plan = parse_plan("一、任务\n1.做好政策解读，\n2.5万元用于宣传。（县政府办）\n2.加强回应。（县政府办）\n")
    assert [it.label for it in plan.items] == ["1", "2"]
    assert plan.items[0].text == "做好政策解读，2.5万元用于宣传。"


def test_subheading_without_numbered_items_in_a_numbered_plan_becomes_an_item() -> None:
    plan = parse_plan(
        "一、任务\n"
        "（一）解读\n"
        "1.做好解读。（县政府办）\n"
        "（二）加强考核评估。年底开展考核。（县政府办）\n")
    assert [it.label for it in plan.items] == ["1", "一（二）"]
    assert any("小标题下没有编号事项" in m for m in messages(plan))


def test_units_on_the_subheading_are_inherited_by_its_items() -> None:
    plan = parse_plan(
        "一、任务\n"
        "（一）做好解读（牵头单位：县政府办，责任单位：县直各部门）\n"
        "1.做好解读。\n"
        "2.加强回应。\n")
    assert plan.items[0].heading == "（一）做好解读"
    assert [it.lead_units for it in plan.items] == [["县政府办"], ["县政府办"]]
    assert [it.responsible_units for it in plan.items] == [["县直各部门"], ["县直各部门"]]
    assert messages(plan) == []


def test_closing_paragraph_and_signature_are_not_part_of_the_last_item() -> None:
    plan = parse_plan(
        "一、任务\n1.做好解读。（县政府办）\n2.加强回应。（县政府办）\n"
        "各乡镇、各部门要把落实情况纳入年度报告。\n某县人民政府办公室\n2021年3月1日\n"
    )
    assert plan.items[-1].text == "加强回应。"
    assert plan.issuer == "某县人民政府办公室"
    assert any("其后的文字未归入任何事项" in m for m in messages(plan))


def test_no_items_at_all_is_reported() -> None:
    plan = parse_plan("关于做好政务公开工作的通知\n请各单位认真落实。\n")
    assert plan.items == []
    assert any("没有找到工作事项" in m for m in messages(plan))


# ------------------------------------------------------------------------------------------------ units


def test_plan_that_names_no_units_gets_one_warning() -> None:
    plan = parse_plan("一、任务\n1.做好政策解读。\n2.加强回应关切。\n3.加强网站建设。\n")
    assert len(plan.items) == 3
    assert all(it.units == [] for it in plan.items)
    assert messages(plan) == ["全文没有写明责任单位（牵头单位、责任单位）"]


def test_units_without_the_word_lead() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。（县发改委、自然资源局、住建局）\n"
        "2.加强回应。（责任单位：县政府办、县直各部门）\n")
    assert plan.items[0].lead_units == ["县发改委"]
    assert plan.items[0].responsible_units == ["自然资源局", "住建局"]
    assert plan.items[1].lead_units == []
    assert plan.items[1].responsible_units == ["县政府办", "县直各部门"]


def test_role_suffix_form() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。（市政府办、市司法局牵头；各县、市、区人民政府，市直有关部门按照职责分工负责）\n")
    it = plan.items[0]
    assert it.lead_units == ["市政府办", "市司法局"]
    assert it.responsible_units == ["各县、市、区人民政府", "市直有关部门"]


def test_parenthesis_split_by_a_page_break_in_hard_wrapped_text() -> None:
    paragraphs = [
        "2021年某区政务公开工作要点",
        "一、认真贯彻落实党的十九届四中全会精神，加强用权公开",
        "1.区各行政机关要全面梳理本机关依法行使的行政权力和依法承担的公共服务职责，按照职权法定、权责一致的要求，"
        "编制完善权责清单。（牵头单位：区政府办，责任部门：区委编办、区直各行政机关）",
        "2.政府信息公开工作主管部门要加强统筹指导，逐步整理形成本级政府和本系统制度文件汇编，集中统一对外公开。"
        "（责任部门：区政府办、各乡<镇>人民政府、场、街道办事处）",
        "3.强化网络安全责任，抓好政府网站安全防护。2021年底前，区政府门户网站支持互联网协议第6版。（牵头单位：区电子政务办）",
    ]
    text = hard_wrap(paragraphs, width=20, page_every=3)
    assert "- 3 -" in text
    lines = split_lines(text)
    assert wrap_width(lines) == 40
    plan = parse_plan(text)
    assert [it.label for it in plan.items] == ["1", "2", "3"]
    assert plan.items[0].section == "一、认真贯彻落实党的十九届四中全会精神，加强用权公开"
    assert plan.items[0].lead_units == ["区政府办"]
    assert plan.items[0].responsible_units == ["区委编办", "区直各行政机关"]
    assert plan.items[1].responsible_units == ["区政府办", "各乡（镇）人民政府", "场", "街道办事处"]
    assert plan.items[2].deadlines == ["2021-12-31"]
    assert plan.items[2].text == (
        "强化网络安全责任，抓好政府网站安全防护。2021年底前，区政府门户网站支持互联网协议第6版。")
    assert messages(plan) == []


def test_parenthesis_split_over_lines_in_paragraph_text() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。（牵头单位：县政府办，\n"
        "\n"
        "- 2 -\n"
        "\n"
        "责任单位：县直各部门）\n"
        "2.加强回应。（县政府办）\n")
    assert plan.items[0].text == "做好解读。"
    assert plan.items[0].lead_units == ["县政府办"]
    assert plan.items[0].responsible_units == ["县直各部门"]


@pytest.mark.parametrize(
    "note",
    ["（牵头单位：县政府办，责任单位：县直各部门)", "(牵头单位:县政府办,责任单位:县直各部门）",
     "〔牵头单位:县政府办,责任单位:县直各部门〕", "【牵头单位：县政府办；责任单位：县直各部门】",
     "[牵头单位：县政府办，责任单位：县直各部门]"],
)
def test_mixed_full_and_half_width_brackets(note: str) -> None:
    plan = parse_plan(f"一、任务\n1.做好解读。{note}\n")
    assert plan.items[0].text == "做好解读。"
    assert (plan.items[0].lead_units, plan.items[0].responsible_units) == (["县政府办"], ["县直各部门"])


def test_unclosed_bracket_is_read_and_reported() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。（牵头单位：县政府办，责任单位：各乡（镇）人民政府\n"
        "2.加强回应。（县政府办）\n")
    assert plan.items[0].lead_units == ["县政府办"]
    assert plan.items[0].responsible_units == ["各乡（镇）人民政府"]
    assert any("括号不完整" in m for m in messages(plan))


def test_units_without_brackets_on_their_own_line() -> None:
    plan = parse_plan(
        "一、任务\n"
        "（一）优化政府网站。\n"
        "责任单位：县政府办、各乡镇人民政府\n"
        "（二）加强回应。牵头单位：县政府办；责任单位：县直各部门\n")
    assert [(it.lead_units, it.responsible_units) for it in plan.items] == [
        ([], ["县政府办", "各乡镇人民政府"]), (["县政府办"], ["县直各部门"])]
    assert [it.text for it in plan.items] == ["优化政府网站。", "加强回应。"]
    assert messages(plan) == []


def test_trailing_non_unit_parenthesis_is_kept_in_the_text() -> None:
    plan = parse_plan(
        "一、任务\n"
        "1.做好解读。（责任单位：县政府办）（2021年底前完成）\n"
        "2.做好公开（国办公开办函〔2019〕61号）\n")
    assert plan.items[0].text == "做好解读。（2021年底前完成）"
    assert plan.items[0].responsible_units == ["县政府办"]
    assert plan.items[0].deadlines == ["2021-12-31"]
    assert plan.items[1].units == []
    assert plan.items[1].text == "做好公开（国办公开办函〔2019〕61号）"


@pytest.mark.parametrize(
    ("inner", "lead", "responsible"),
    [
        ("牵头单位：区政府办，责任部门：区委编办、区直各行政机关", ["区政府办"],
         ["区委编办", "区直各行政机关"]),
        ("牵头单位:市政府办公厅,责任单位:市属各相关部门", ["市政府办公厅"], ["市属各相关部门"]),
        ("县发改委、自然资源局、住建局", ["县发改委"], ["自然资源局", "住建局"]),
        ("县市监局", ["县市监局"], []),
        ("区政府办牵头，区直各部门配合", ["区政府办"], ["区直各部门"]),
        ("由县政府办牵头负责，各乡镇人民政府具体落实", ["县政府办"], ["各乡镇人民政府"]),
        ("主责单位：县委宣传部；配合单位：县融媒体中心", ["县委宣传部"], ["县融媒体中心"]),
        ("责任单位：各乡（镇、场、街道、片区）、各部门", [], ["各乡（镇、场、街道、片区）", "各部门"]),
        ("县政府办、县财政局，2021年12月底前完成", ["县政府办"], ["县财政局"]),
    ],
)
def test_parse_note(inner: str, lead: list[str], responsible: list[str]) -> None:
    units = parse_note(inner)
    assert units is not None
    assert (units.lead, units.responsible) == (lead, responsible)


@pytest.mark.parametrize(
    "inner",
    ["2020年底前完成", "国办公开办函〔2019〕61号", "以下简称“一网通办”", "含图解、视频", "含各乡镇", ""],
)
def test_parse_note_rejects_non_units(inner: str) -> None:
    assert parse_note(inner) is None


def test_find_note_ignores_text_after_a_closed_note() -> None:
    assert find_note("做好解读。〔责任单位:县政府办〕各部门要纳入年度报告。") is None
    note = find_note("做好解读。〔责任单位:县政府办〕")
    assert note is not None and note.before == "做好解读。" and note.units.responsible == ["县政府办"]


def test_unit_classes() -> None:
    assert unit_class("各乡（镇）人民政府") == "town"
    assert unit_class("各乡镇人民政府") == "town"
    assert unit_class("街道办事处") == "town"
    assert unit_class("县发改委") == "dept"
    assert unit_class("县人民政府各部门") == "dept"
    assert unit_class("区直各相关部门") == "dept"
    assert unit_class("县乡村振兴局") == "dept"
    assert unit_class("各区(县)人民政府") is None
    assert unit_class("片区管委会") is None
    assert unit_class("场") is None


def test_prefixes_and_including() -> None:
    assert expand_prefixes(["县发改委", "自然资源局", "住建局"]) == ["县发改委", "县自然资源局", "县住建局"]
    assert expand_prefixes(["县人民政府办公室", "发改委", "市监局", "县直各部门", "各乡镇人民政府"]) == [
        "县人民政府办公室", "县发改委", "县市监局", "县直各部门", "各乡镇人民政府"]
    assert expand_prefixes(["区政府有关部门", "各乡<镇>人民政府", "片区管委会"]) == [
        "区政府有关部门", "各乡（镇）人民政府", "片区管委会"]
    assert expand_prefixes(["市政府办公厅", "市市场监管局", "各区(县)人民政府"]) == [
        "市政府办公厅", "市市场监管局", "各区（县）人民政府"]
    assert split_including(["市司法局等市属各相关部门", "各政务服务单位等相关部门"]) == [
        "市司法局", "市属各相关部门", "各政务服务单位等相关部门"]


# ------------------------------------------------------------------------------------- headings, Markdown


def test_markdown_marks_in_headings_and_items() -> None:
    plan = parse_plan(
        "# 某县2021年政务公开工作要点\n\n"
        "## 一、加强政策解读\n\n"
        "**（一）做好政策解读**\n\n"
        "1\\. **各部门**要做好解读。（牵头单位：县政府办）\n\n"
        "### 二、强化平台建设\n\n"
        "- 2. 加强网站建设。（县政府办）\n"
    )
    assert plan.title == "某县2021年政务公开工作要点"
    assert [it.label for it in plan.items] == ["1", "2"]
    assert plan.items[0].section == "一、加强政策解读"
    assert plan.items[0].heading == "（一）做好政策解读"
    assert plan.items[0].text == "各部门要做好解读。"
    assert plan.items[1].section == "二、强化平台建设"


def test_heading_broken_over_two_lines_in_hard_wrapped_text() -> None:
    text = hard_wrap([
        "一、着力深化“放管服”改革优化营商环境，加强政务信息公开",
        "（一）以基层政务公开标准化规范化为抓手，加强权力运行过程信息公开",
        "1.以用权公开为导向，重点聚焦权力运行关键环节、关键岗位，编制完成基层政务公开事项标准目录。（责任部门：区直各部门）",
        "2.抓紧构建基层行政决策公众参与机制，制定公众参与行政决策工作制度，扩大公众参与度。（责任部门：区直各部门）",
    ], width=20)
    plan = parse_plan(text)
    assert plan.items[0].section == "一、着力深化“放管服”改革优化营商环境，加强政务信息公开"
    assert plan.items[0].heading == "（一）以基层政务公开标准化规范化为抓手，加强权力运行过程信息公开"


def test_document_number_issuer_and_year() -> None:
    plan = parse_plan(
        "某县人民政府办公室文件\n某政办发〔2022〕 7 号\n关于印发某县2022年政务公开工作要点的通知\n"
        "各乡镇人民政府：\n现将要点印发给你们。\n某县人民政府办公室\n2022 年 3 月 1 日\n"
        "一、任务\n1.做好解读。（县政府办）\n"
    )
    assert plan.doc_number == "某政办发〔2022〕7号"
    assert plan.issuer == "某县人民政府办公室"
    assert plan.year == 2022
    assert plan.title == "某县2022年政务公开工作要点"


# ------------------------------------------------------------------------------------------------ deadlines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年底前完成", ["2020-12-31"]),
        ("2020 年 11 月底前", ["2020-11-30"]),
        ("于2020年10月25日前完成", ["2020-10-25"]),
        ("2021年2月底前", ["2021-02-28"]),
        ("2021年第三季度末", ["2021-09-30"]),
        ("2021年上半年完成", ["2021-06-30"]),
        ("收到申请后3个工作日内答复", ["3个工作日内"]),
        ("15日内办结，一个月内反馈", ["15日内", "一个月内"]),
        ("2020年底前完成，2020年底前公开", ["2020-12-31"]),
        ("全年持续推进", []),
    ],
)
def test_deadlines(text: str, expected: list[str]) -> None:
    assert find_deadlines(text)[0] == expected


def test_deadlines_without_a_year_use_the_plan_year() -> None:
    found = find_deadlines("12月底之前完成，10月20日前发布，年底前总结", 2021)[0]
    assert found == ["2021-12-31", "2021-10-20"]
    assert find_deadlines("年底前总结", 2021)[0] == ["2021-12-31"]
    assert find_deadlines("10月20日前发布")[0] == ["10月20日前"]


def test_impossible_date_is_reported() -> None:
    found, problems = find_deadlines("2021年2月30日前完成")
    assert found == ["2021年2月30日前"]
    assert problems == ["无效日期：2021年2月30日前"]


# ----------------------------------------------------------------------------------------- files, numerals


def test_gb18030_and_docx_files(tmp_path: Path) -> None:
    text = "一、任务\n1.做好解读。（牵头单位：县政府办）\n2.加强回应。（县政府办、各乡镇人民政府）\n"
    gb = tmp_path / "plan.txt"
    gb.write_bytes(text.encode("gb18030"))
    assert [it.label for it in read_plan(gb).items] == ["1", "2"]
    docx = tmp_path / "plan.docx"
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", xml)
    plan = read_plan(docx)
    assert [it.label for it in plan.items] == ["1", "2"]
    assert plan.items[1].responsible_units == ["各乡镇人民政府"]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_plan_text(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    with pytest.raises(ValueError, match="文件为空"):
        read_plan_text(tmp_path / "empty.txt")
    (tmp_path / "plan.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="另存为纯文本"):
        read_plan_text(tmp_path / "plan.pdf")
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"不是有效的 \.docx"):
        read_plan_text(tmp_path / "bad.docx")


def test_chinese_numerals() -> None:
    numerals = ("一", "九", "十", "十二", "二十", "二十三", "一百零五")
    assert [cn_number(s) for s in numerals] == [1, 9, 10, 12, 20, 23, 105]
    assert cn_number("甲") is None and cn_number("") is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=6), st.booleans())
def test_any_numbered_plan_keeps_every_item(per_section: list[int], wrapped: bool) -> None:
    numerals = "一二三四五六"
    paragraphs: list[str] = []
    n = 0
    for s, count in enumerate(per_section):
        paragraphs.append(f"{numerals[s]}、第{numerals[s]}部分的标题文字")
        for _ in range(count):
            n += 1
            paragraphs.append(f"{n}.第{n}项工作要求的具体内容，要认真做好相关工作并按时完成。（牵头单位：县政府办）")
    text = hard_wrap(paragraphs, width=18) if wrapped else "\n".join(paragraphs)
    plan = parse_plan(text)
    assert [it.label for it in plan.items] == [str(k) for k in range(1, n + 1)]
    assert all(it.lead_units == ["县政府办"] for it in plan.items)
    assert all(it.text.startswith(f"第{it.label}项工作要求") for it in plan.items)
    assert messages(plan) == []
