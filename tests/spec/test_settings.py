"""Settings as declared in settings.toml: parsed into a typed Settings, every problem located."""

from __future__ import annotations

import re
import tomllib
from fractions import Fraction
from pathlib import Path

import pytest

from scoring.errors import ValidationFailed
from scoring.spec.settings import KEYS, Section, parse_settings
from scoring.testing import ExampleYear, example_year


def test_the_example_settings_parse() -> None:
    s = example_year().settings()
    assert s.class_ids == ["town", "dept"]
    assert s.places == 2 and s.rounding == "half_up"


def test_declared_settings_change_the_typed_value() -> None:
    s = example_year(settings='[rounding]\nplaces = 1\nmode = "half_even"\n').settings()
    assert (s.places, s.rounding) == (1, "half_even")


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ('[rounding]\nmode = "banker"\n', "rounding.mode"),
        ("[rounding]\nplaces = 9\n", "rounding.places"),
    ],
)
def test_a_bad_setting_is_refused_with_its_key(extra: str, column: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings=extra).settings()
    assert any(i.column == column and i.file == "settings.toml" for i in caught.value.errors)


# ------------------------------------------------------------------------------------ closed settings


@pytest.mark.parametrize(
    ("extra", "column", "says"),
    [
        ("[grades]\nsection_fail_shar = 0.6\n", "grades.section_fail_shar", "是否应为 section_fail_share？"),
        ("[rounding]\nplace = 1\n", "rounding.place", "是否应为 places？"),
        ('[ranking]\ntie = "dense"\n', "ranking.tie", "是否应为 ties？"),
        ("[inputs]\ndate_widow = 2\n", "inputs.date_widow", "是否应为 date_window？"),
        ('[inputs]\nmissing_unit = "zero"\n', "inputs.missing_unit", "是否应为 missing_units？"),
        ("[penalty]\ngate = 80\n", "penalty.gate", "此项应写在 [bonus] 表中"),
        ('[veto]\ntitle = "x"\n', "veto.title", "此项应写在顶层"),
        ('[[classes]]\nid = "x"\nnmae = "乙"\nmax = 100\n', "classes[3].nmae", "是否应为 name？"),
        ('[grades]\nbands = [ { name = "优", mn = 90 } ]\n', "grades.bands[1].mn", "是否应为 min？"),
        (
            '[grades]\nquotas = [ { grade = "优秀", share = 0.2, tie = "include" } ]\n',
            "grades.quotas[1].tie",
            "是否应为 ties？",
        ),
        ('[periodz]\nmethod = "mean"\n', "periodz", "是否应为 periods？"),
    ],
)
def test_an_unknown_key_is_refused_with_the_nearest_known_key(extra: str, column: str, says: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings=extra).settings()
    found = [i for i in caught.value.errors if i.code == "settings|key_unknown"]
    assert [i.column for i in found] == [column]
    assert found[0].expected.startswith(f"未知的设置项，{says}")


def test_a_key_with_no_near_one_lists_the_table() -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings="[caps]\nzzz = 1\n").settings()
    (issue,) = caught.value.errors
    assert issue.expected == "未知的设置项，可用：mode（[caps] 表中）"


def test_the_parser_reads_only_declared_keys() -> None:
    """KEYS is the one list: a key read that it does not declare is a programming error, not a silent
    default."""
    table = Section("caps", {"mode": "node"})
    assert table["mode"] == "node" and table.get("mode") == "node"
    with pytest.raises(TypeError, match="not declared"):
        table.get("modes")


def test_every_declared_key_is_accepted() -> None:
    toml = "\n".join(
        [
            'missing = "zero"',
            'missing_units = "zero"',
            "unscored_share = 0.8",
            "date_window = 2",
        ]
    )
    s = example_year(settings=f"[inputs]\n{toml}\n").settings()
    assert (s.missing_units, s.unscored_share, s.date_window) == ("zero", Fraction(4, 5), 2)
    assert set(KEYS[""]) >= {t for t in KEYS if t and "." not in t}


def test_the_defaults_refuse_missing_units_and_dates_far_from_the_year() -> None:
    s = example_year().settings()
    assert (s.missing_units, s.unscored_share, s.date_window) == ("error", Fraction(1, 2), 1)


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ('[inputs]\nmissing_units = "maybe"\n', "inputs.missing_units"),
        ("[inputs]\ndate_window = -1\n", "inputs.date_window"),
        ("[inputs]\ndate_window = 1.5\n", "inputs.date_window"),
        ("[inputs]\nunscored_share = 2\n", "inputs.unscored_share"),
        ("[inputs]\nunscored_share = 0\n", "inputs.unscored_share"),
    ],
)
def test_bad_input_settings_are_refused(extra: str, column: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings=extra).settings()
    assert [i.column for i in caught.value.errors] == [column]


def test_the_documented_settings_use_only_known_keys_and_name_every_one() -> None:
    """docs/catalogue.md shows settings.toml with every key (some commented out): each parses, and each
    key the parser knows is there."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    block = doc.split("## `settings.toml`", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    uncommented = re.sub(r"(?m)^# ?(\[|\w+ *=)", r"\1", block)
    raw = tomllib.loads(uncommented)
    _, issues = parse_settings(raw, "catalogue.md")
    assert not [i for i in issues if i.code == "settings|key_unknown"], issues
    for table, keys in KEYS.items():
        for key in keys:
            assert re.search(
                rf"(?m)^#? *{re.escape(key)} *=|\[\[?{re.escape(key)}\]|{{ *{key} *=|, *{key} *=", block
            ) or (f"[{key}]" in block), f"{table}.{key} is not documented"


TEN_POINTS = """year = 2021
title = "示例县2021年度政务公开工作考核"
[[classes]]
id = "town"
name = "乡镇"
max = 10
"""


def ten_point_settings(extra: str = "") -> ExampleYear:
    return ExampleYear(settings_toml=TEN_POINTS + extra)


@pytest.mark.parametrize(
    ("extra", "column", "says"),
    [
        ('[grades]\nnone = true\nbands = [ { name = "优", min = 90 } ]\n', "grades.bands", "不应再写 bands"),
        (
            '[grades]\nnone = true\nquotas = [ { grade = "优秀", share = 0.2 } ]\n',
            "grades.quotas",
            "不应再写 quotas",
        ),
        ("[grades]\nnone = true\nsection_fail_share = 0.6\n", "grades.section_fail_share", "none = true"),
        ('[grades]\nnone = "yes"\n', "grades.none", "true 或 false"),
        ("[grades]\nbands = []\n", "grades.bands", "bands 为空；如本年度不评等次，请写 none = true"),
        (
            '[grades]\nbands = [ { name = "优秀", share = 0.9 }, { name = "良好", min = 80 } ]\n',
            "grades.bands",
            "min（分数）与 share（占满分的比例）不能混用",
        ),
        ('[grades]\nbands = [ { name = "优秀", share = 0.9, min = 90 } ]\n', "grades.bands[1]", "只能写一个"),
        ('[grades]\nbands = [ { name = "优秀", share = 1.2 } ]\n', "grades.bands[1].share", "0到1之间"),
        ('[grades]\nbands = [ { name = "优秀", share = 0 } ]\n', "grades.bands[1].share", "0到1之间"),
        (
            '[grades]\nbands = [ { name = "优秀", share = 0.8 }, { name = "良好", share = 0.9 } ]\n',
            "grades.bands",
            "严格递减",
        ),
    ],
)
def test_grades_that_do_not_hold_together_are_refused(extra: str, column: str, says: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings=extra).settings()
    assert [i.column for i in caught.value.errors] == [column]
    assert says in caught.value.errors[0].expected


def test_a_class_maximum_off_100_asks_for_bands_instead_of_guessing() -> None:
    with pytest.raises(ValidationFailed) as caught:
        ten_point_settings().settings()
    [issue] = caught.value.errors
    assert (issue.file, issue.column) == ("settings.toml", "grades.bands")
    assert issue.value == "乡镇满分10分" and "只适用于百分制" in issue.expected
    assert '写 bands（如 { name = "优秀", share = 0.9 }' in issue.expected and "none = true" in issue.expected
    # a [grades] table without bands is no different: the default is for 100 points
    with pytest.raises(ValidationFailed):
        ten_point_settings('[grades]\nbasis = "exact"\n').settings()
    assert ten_point_settings("[grades]\nnone = true\n").settings().graded is False
    shares = ten_point_settings('[grades]\nbands = [ { name = "优秀", share = 0.9 } ]\n').settings()
    assert shares.band_thresholds("town") == [("优秀", Fraction(9))]


@pytest.mark.parametrize("share", ["0.9", '"9/10"', '"90%"'])
def test_a_share_is_written_as_a_decimal_a_fraction_or_a_percentage(share: str) -> None:
    s = ten_point_settings(f'[grades]\nbands = [ {{ name = "优秀", share = {share} }} ]\n').settings()
    assert s.bands[0].share == Fraction(9, 10)
    assert s.band_thresholds("town") == [("优秀", Fraction(9))]


def test_no_grades_says_nothing_about_grades() -> None:
    s = example_year(settings='[grades]\nnone = true\n[veto]\naction = "stop"\n').settings()
    assert (s.graded, s.bands, s.grade_names, s.quotas) == (False, (), [], ())
    lines = s.method_statement(("base", "veto"))
    assert lines[-2] == "触发一票否决的单位不再计分，不参与排名，列于排名单位之后。"
    assert not any("等次" in line or "不合格" in line for line in lines)
    kept = example_year(settings='[grades]\nnone = true\n[veto]\nplacement = "last"\n').settings()
    assert "触发一票否决的单位得分照常计算，排在本类最后。" in kept.method_statement(("base", "veto"))
    graded = example_year().settings().method_statement(("base", "veto"))
    assert "触发一票否决的单位等次为“不合格”，得分照常计算，不参与排名，列于排名单位之后。" in graded


def test_stability_defaults_and_a_declared_section() -> None:
    from decimal import Decimal

    base = {"year": 2021, "title": "考核", "classes": [{"id": "town", "name": "乡镇", "max": 100}]}
    settings, issues = parse_settings(base, "settings.toml")
    assert not issues and settings is not None
    assert (settings.stability.margin, settings.stability.judgement) == (Decimal("0.05"), Decimal("0.5"))
    assert (settings.stability.runs, settings.stability.seed) == (1000, 1)
    declared = {**base, "stability": {"margin": 0.1, "judgement": 1, "runs": 200, "seed": 9}}
    settings, issues = parse_settings(declared, "settings.toml")
    assert not issues and settings is not None
    assert settings.stability.margin == Decimal("0.1") and settings.stability.runs == 200


def test_stability_values_out_of_range_and_unknown_keys_are_refused() -> None:
    base = {"year": 2021, "title": "考核", "classes": [{"id": "town", "name": "乡镇", "max": 100}]}
    bad = {**base, "stability": {"margin": -1, "runs": 0, "seed": "x", "margn": 0.1}}
    _, issues = parse_settings(bad, "settings.toml")
    assert sorted(i.column or "" for i in issues) == [
        "stability.margin",
        "stability.margn",
        "stability.runs",
        "stability.seed",
    ]
    assert any("是否应为 margin" in i.expected for i in issues)
