"""The three example plans (copied from real documents into fixtures/): counts, labels, sections, units,
deadlines and document facts checked exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.plan.extract import Plan, read_plan

FIXTURES = Path(__file__).parent / "fixtures"
GAOCHANG = FIXTURES / "000_18955a963105cee7.txt"
URUMQI = FIXTURES / "001_b41d89e6f1cc8a99.txt"
LUNTAI = FIXTURES / "004_e762bc6c38b9abe6.txt"


@pytest.fixture(scope="module")
def gaochang() -> Plan:
    return read_plan(GAOCHANG)


@pytest.fixture(scope="module")
def urumqi() -> Plan:
    return read_plan(URUMQI)


@pytest.fixture(scope="module")
def luntai() -> Plan:
    return read_plan(LUNTAI)


@pytest.mark.parametrize(("path", "count"), [(GAOCHANG, 31), (URUMQI, 45), (LUNTAI, 34)])
def test_item_counts_and_labels(path: Path, count: int) -> None:
    plan = read_plan(path)
    assert len(plan.items) == count
    assert [it.label for it in plan.items] == [str(n) for n in range(1, count + 1)]
    assert all(it.kind == "item" for it in plan.items)
    for it in plan.items:
        assert it.text, it.label
        assert "\n" not in it.text and "  " not in it.text
        assert not it.text.startswith(f"{it.label}.")


# ------------------------------------------------------------------------------------ 000 高昌区 (PDF text)


def test_gaochang_document_facts(gaochang: Plan) -> None:
    assert gaochang.title == "2020年高昌区政务公开工作要点"
    assert gaochang.issuer == "吐鲁番市高昌区人民政府办公室"
    assert gaochang.doc_number == "高区政办发〔2020〕19号"
    assert gaochang.year == 2020


def test_gaochang_sections_and_headings(gaochang: Plan) -> None:
    sections = list(dict.fromkeys(it.section for it in gaochang.items))
    assert sections == [
        "一、认真贯彻落实党的十九届四中全会精神，加强用权公开",
        "二、聚焦落实“六稳”“六保”工作，加强政策发布解读",
        "三、着力深化“放管服”改革优化营商环境，加强政务信息公开",  # heading broken over two lines
        "四、围绕应对突发事件，加强公共卫生信息公开",
        "五、聚焦打好脱贫攻坚战，加大扶贫领域信息公开",
        "六、围绕落实新修订的政府信息公开条例，加强制度执行力度",
        "七、强化组织领导，落实政务公开工作的各项保障措施",
    ]
    assert gaochang.item("1").heading == "（一）以权责清单为依托，加强权力配置信息公开"
    assert gaochang.item("5").heading == "（三）以基层政务公开标准化规范化为抓手，加强权力运行过程信息公开"
    assert gaochang.item("13").section == "四、围绕应对突发事件，加强公共卫生信息公开"
    assert gaochang.item("13").heading == "（一）及时准确发布疫情信息"
    # 五 has no sub-headings
    assert [gaochang.item(str(n)).heading for n in (16, 17, 18)] == [None, None, None]
    assert gaochang.item("31").heading == "（四）规范考核评估"


def test_gaochang_text_joined_across_lines_and_pages(gaochang: Plan) -> None:
    assert gaochang.item("1").text == (
        "区各行政机关要全面梳理本机关依法行使的行政权力和依法承担的公共服务职责，按照职权法定，权责一致的要求，"
        "对照法律法规规章，编制完善权责清单和政务服务事项清单，依程序审核后，按照权责透明、用权公开的要求，"
        "充分依托政府网站、政务服务网等，向社会公布权责清单、政务服务事项清单，接受社会监督。"
        "建立权责清单、政务服务事项动态调整机制。"
    )
    assert gaochang.item("3").text.startswith("2020年底前，区政府各部门要系统梳理本机关制发的规章")
    assert gaochang.item("20").text.startswith("2020年底前，区政府及各部门建设完成政府信息公开平台，")
    assert "国办公开办函〔2019〕61号" in gaochang.item("20").text
    assert gaochang.item("26").text == (
        "强化网络安全责任，抓好政府网站安全防护。2020年底前，区政府门户网站支持互联网协议第6版。")


def test_gaochang_units(gaochang: Plan) -> None:
    one = gaochang.item("1")
    assert one.lead_units == ["区政府办"]
    assert one.responsible_units == ["区委编办", "区直各行政机关"]
    assert one.units_text == "牵头单位：区政府办，责任部门：区委编办、区直各行政机关"
    assert gaochang.item("2").lead_units == []
    assert gaochang.item("2").responsible_units == ["区政府办", "各行政机关政府信息公开工作机构"]
    five = gaochang.item("5")  # split over a page break, with <镇>
    assert five.lead_units == ["区政府有关部门"]
    assert five.responsible_units == ["各乡（镇）人民政府", "场", "街道办事处", "片区管委会"]
    nine = gaochang.item("9")  # "各乡<" / "镇>人民政府" broken over two lines
    assert nine.lead_units == ["区市场监督管理局"]
    assert nine.responsible_units == ["各乡（镇）人民政府", "场", "街道办事处", "片区管委会"]
    assert gaochang.item("12").lead_units == ["区发改委", "财政局"]
    assert gaochang.item("17").lead_units == ["区扶贫办", "区财政局"]
    assert gaochang.item("26").lead_units == ["区电子政务办"]
    assert gaochang.item("26").responsible_units == []
    for n in (28, 29, 30, 31):
        assert gaochang.item(str(n)).units == []


def test_gaochang_deadlines(gaochang: Plan) -> None:
    with_deadlines = {it.label: it.deadlines for it in gaochang.items if it.deadlines}
    assert with_deadlines == {n: ["2020-12-31"] for n in ("3", "5", "20", "26")}


def test_gaochang_warnings(gaochang: Plan) -> None:
    messages = [str(w) for w in gaochang.warnings]
    for n in (28, 29, 30, 31):
        assert any(f"事项 {n}：没有写明责任单位" in m for m in messages), n
    # the closing paragraph after item 31 is reported, not glued onto the item
    assert any("事项 31：其后的文字未归入任何事项" in m for m in messages)
    assert gaochang.item("31").text.endswith("清理规范以行政机关名义参加社会上各类政务公开评估颁奖活动。")
    assert "贯彻落实本工作要点" not in gaochang.item("31").text
    assert len(messages) == 5


# -------------------------------------------------------------------------------- 001 乌鲁木齐 (web text)


def test_urumqi_document_facts(urumqi: Plan) -> None:
    assert urumqi.title == "乌鲁木齐市2020年政务公开工作要点"
    assert urumqi.issuer == "乌鲁木齐市人民政府"
    assert urumqi.doc_number is None
    assert urumqi.year == 2020


def test_urumqi_structure(urumqi: Plan) -> None:
    one = urumqi.item("1")
    assert one.section == "一、围绕贯彻落实党的十九届四中全会精神加强用权公开"
    assert one.heading == "(一)以权责清单为依托,加强权力配置信息公开"
    assert urumqi.item("29").section == "五、围绕打好脱贫攻坚战加大扶贫领域信息公开"
    assert urumqi.item("29").heading is None
    assert urumqi.item("45").section == "七、强化做好政务公开工作的各项保障措施"
    assert urumqi.item("45").heading == "(四)规范考核评估"
    assert len({it.section for it in urumqi.items}) == 7


def test_urumqi_units(urumqi: Plan) -> None:
    one = urumqi.item("1")
    assert one.lead_units == ["市政府办公厅", "市政务服务管理局"]
    assert one.responsible_units == ["市属各相关部门", "各区(县)人民政府"]
    assert urumqi.item("2").lead_units == []
    assert urumqi.item("16").responsible_units == ["市政务服务管理局等市属各相关部门", "各区(县)人民政府"]
    assert urumqi.item("21").lead_units == ["市发改委", "财政局", "税务局", "人社局", "医保局"]
    assert urumqi.item("33").responsible_units == ["全市各级政府门户网站建设管理单位"]
    assert urumqi.item("39").responsible_units == [
        "全市各级政府门户网站建设管理单位", "政务服务平台建设管理单位"]
    assert all(it.units for it in urumqi.items)


def test_urumqi_deadlines_and_text(urumqi: Plan) -> None:
    assert urumqi.item("4").deadlines == ["2020-12-31"]
    assert urumqi.item("9").deadlines == ["2020-10-31"]
    assert urumqi.item("33").deadlines == ["2020-12-31"]
    assert urumqi.item("40").deadlines == ["2020-12-31"]
    assert "<转发江苏省政府信息公开申请办理答复规范的通知>" in urumqi.item("36").text
    assert urumqi.item("45").text == (
        "各级政府信息公开工作主管部门要认真梳理本级政府绩效考核体系中政务公开各项指标,根据新形势新要求予以调整完善。"
    )


def test_urumqi_warnings(urumqi: Plan) -> None:
    messages = [str(w) for w in urumqi.warnings]
    assert len(messages) == 1
    assert "事项 45：其后的文字未归入任何事项" in messages[0]


# --------------------------------------------------------------------------------- 004 轮台县 (plain lists)


def test_luntai_document_facts(luntai: Plan) -> None:
    assert luntai.title == "轮台县2021年政务公开工作要点"
    assert luntai.issuer == "轮台县人民政府办公室（县政务公开办）"
    assert luntai.doc_number == "轮政办函〔2021〕8号"
    assert luntai.year == 2021


def test_luntai_plain_unit_lists(luntai: Plan) -> None:
    one = luntai.item("1")
    assert one.section == "一、紧扣“十四五”开好局起好步，深化政务公开"
    assert one.heading == "(一)做好各类规划主动公开"
    assert one.lead_units == ["县发改委"]
    assert one.responsible_units == ["自然资源局", "住建局"]
    assert luntai.item("3").lead_units == ["县市监局"]
    assert luntai.item("3").responsible_units == []
    assert luntai.item("8").responsible_units == ["农业农村局", "乡村振兴局", "林草局", "畜牧兽医局"]
    assert luntai.item("8").text == (
        "加大惠民惠农政策和资金发放信息公开力度，推动补贴信息公开向农村和社区延伸，并与村务公开有效衔接。")
    assert luntai.item("18").lead_units == ["各乡镇人民政府"]
    assert luntai.item("18").responsible_units == ["县人民政府各部门", "各直属单位"]
    assert luntai.item("31").responsible_units == ["卫健委", "住建局", "生态环境局", "交通运输局", "供电公司"]
    assert luntai.item("33").units == [] and luntai.item("34").units == []


def test_luntai_sections_deadlines_and_warnings(luntai: Plan) -> None:
    assert len({it.section for it in luntai.items}) == 5  # 六、工作要求 has no items
    assert luntai.item("33").section == "五、紧扣抓落实,强化指导监督"
    assert luntai.item("34").heading == "(二)狠抓任务落实"
    assert {it.label: it.deadlines for it in luntai.items if it.deadlines} == {"24": ["2021-12-31"]}
    messages = [str(w) for w in luntai.warnings]
    assert messages == [
        "第106行，事项 33：没有写明责任单位",
        "第110行，事项 34：没有写明责任单位",
        "第112行：“六、工作要求”下没有工作事项，未提取",
    ]
