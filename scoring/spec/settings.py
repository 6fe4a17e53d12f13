"""Year-level settings (``indicators/<year>/settings.toml``): what differs between offices is declared,
never hard-coded."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoring.errors import Issue
from scoring.exact import ROUNDING, ROUNDING_MODES, parse_decimal, parse_fraction, to_fixed
from scoring.spec.grades import DEFAULT_BANDS, GradeBand, GradeQuota, parse_bands, points_text

TIE_METHODS = ("competition", "dense")
BASES = ("printed", "exact")
CAP_MODES = ("node", "pooled")
NA_METHODS = ("renormalise", "scale", "redistribute", "reduce_max")
VETO_ACTIONS = ("grade_only", "fixed_score", "stop")
VETO_PLACEMENTS = ("after", "last", "in_place")
MISSING_POLICIES = ("zero", "no_finding", "error")
PERIOD_METHODS = ("mean", "sum", "weighted")
QUOTA_TIES = ("include", "exclude")
MISSING_UNITS = ("error", "zero")

KEYS: dict[str, tuple[str, ...]] = {
    "": (
        "year",
        "title",
        "issuer",
        "classes",
        "rounding",
        "ranking",
        "caps",
        "not_applicable",
        "bonus",
        "penalty",
        "veto",
        "grades",
        "inputs",
        "periods",
        "channels",
        "stability",
    ),
    "classes": ("id", "name", "max", "scale"),
    "rounding": ("places", "mode"),
    "ranking": ("ties", "basis"),
    "caps": ("mode",),
    "not_applicable": ("method",),
    "bonus": ("cap", "gate", "gate_inclusive"),
    "penalty": ("cap",),
    "veto": ("action", "score", "placement"),
    "grades": ("none", "bands", "fail", "basis", "section_fail_share", "quotas"),
    "grades.bands": ("name", "min", "share"),
    "grades.quotas": ("grade", "share", "ties"),
    "inputs": ("missing", "missing_units", "unscored_share", "date_window"),
    "periods": ("method", "weights"),
    "channels": ("weights",),
    "stability": ("margin", "judgement", "runs", "seed"),
}
"""Every key ``settings.toml`` may hold, by table: ``""`` is the top level, ``classes`` each ``[[classes]]``
entry, ``grades.bands`` and ``grades.quotas`` each entry of those lists. The parser reads the file only
through :class:`Section`, which takes no key outside this table, and refuses any key of the file that is
not in it (with the nearest known key), so a misspelt key is never silently ignored."""


@dataclass(frozen=True)
class UnitClass:
    id: str
    name: str
    max_points: Decimal
    scale: Fraction | None = None


@dataclass(frozen=True)
class StabilitySettings:
    """``[stability]``: how ``score stability`` perturbs the judgement inputs, and the margin under which a
    rank or a grade is flagged as decided by too little."""

    margin: Decimal = Decimal("0.05")  # points: a rank or grade decided by less is flagged
    judgement: Decimal = Decimal("0.5")  # points: each judgement input varies within ± this
    runs: int = 1000
    seed: int = 1


@dataclass(frozen=True)
class Settings:
    year: int
    title: str
    issuer: str
    classes: tuple[UnitClass, ...]
    places: int = 2
    rounding: str = "half_up"
    ties: str = "competition"
    rank_basis: str = "printed"
    caps: str = "node"
    not_applicable: str = "renormalise"
    # whether settings.toml wrote [not_applicable] method: a 得分率 sheet whose blocks add up to more than
    # the class maximum must say so (the default is not taken as that declaration)
    not_applicable_declared: bool = False
    bonus_cap: Decimal | None = None
    bonus_gate: Decimal | None = None
    bonus_gate_inclusive: bool = False
    penalty_cap: Decimal | None = None
    veto_action: str = "grade_only"
    veto_score: Decimal = Decimal(59)
    veto_placement: str = "after"  # after (listed after the ranked, no rank) | last (ranked last) | in_place
    bands: tuple[GradeBand, ...] = DEFAULT_BANDS
    # False: the year awards no grades ([grades] none = true): no bands, no grade anywhere
    graded: bool = True
    fail_grade: str = "不合格"
    grade_basis: str = "printed"
    section_fail_share: Fraction | None = None
    quotas: tuple[GradeQuota, ...] = ()
    missing: str = "zero"
    # a unit of the roster with no input row, or with more than ``unscored_share`` of its applicable base
    # leaves without a row: "error" (refused by validation) or "zero" (a note; the leaves follow ``missing``)
    missing_units: str = "error"
    unscored_share: Fraction = Fraction(1, 2)
    # an entered date more than this many years before or after the assessment year is refused
    date_window: int = 1
    period_method: str | None = None
    period_weights: tuple[tuple[str, Fraction], ...] = ()
    channel_weights: tuple[tuple[str, Fraction], ...] = ()
    stability: StabilitySettings = field(default_factory=StabilitySettings)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def unit_class(self, class_id: str) -> UnitClass:
        return next(c for c in self.classes if c.id == class_id)

    @property
    def class_ids(self) -> list[str]:
        return [c.id for c in self.classes]

    def total_max(self, class_id: str) -> Fraction:
        """The class maximum: the highest base total a unit of the class can reach (its ``max``; under
        every not-applicable method, ``scale`` included, totals are on this maximum)."""
        return Fraction(self.unit_class(class_id).max_points)

    def band_thresholds(self, class_id: str) -> list[tuple[str, Fraction]]:
        """Each band's name and the lowest total of the class that reaches it, highest band first."""
        top = self.total_max(class_id)
        return [(b.name, b.threshold(top)) for b in self.bands]

    @property
    def grade_names(self) -> list[str]:
        """Every grade a unit can get, best first: the bands, then the fail grade (none without grades)."""
        return [b.name for b in self.bands] + [self.fail_grade] if self.graded else []

    def share_thresholds(self) -> str:
        """The grade lines of bands given as shares, per class: 乡镇（满分10分）：优秀9分、良好8分…"""
        parts = []
        for c in self.classes:
            top = self.total_max(c.id)
            lines = "、".join(f"{name}{points_text(t)}分" for name, t in self.band_thresholds(c.id))
            parts.append(f"{c.name}（满分{points_text(top)}分）{lines}")
        return f"各类等次分数线：{'；'.join(parts)}。"

    def method_statement(self, roles: Collection[str] = ("base", "bonus", "penalty", "veto")) -> list[str]:
        """The method in words for readers, only what applies: ``roles`` are the kinds of level-1 sections
        the catalogue has (base, bonus, penalty, veto)."""
        lines = [
            "各项指标按评分细则评分，每个指标扣分以其自身分值为限，扣完为止。"
            if self.caps == "node"
            else "各项指标按评分细则评分，二级及以下指标扣分可突破自身分值，以所属一级指标的分值为限。",
            {
                "renormalise": "有不适用指标的单位按得分率折算：折算得分＝得分合计÷适用指标满分之和×满分。",
                "scale": "各类单位按其适用指标的满分折算为百分制（折算系数见各排名表）。",
                "redistribute": "不适用指标的分值平均分配给同一一级指标下的其他适用指标。",
                "reduce_max": "不适用指标不计分，相应降低该单位的满分，不折算。",
            }[self.not_applicable],
        ]
        if "bonus" in roles:
            gate = ""
            if self.bonus_gate is not None:
                gate = f"，基础得分{'达到' if self.bonus_gate_inclusive else '高于'}{self.bonus_gate}分"
                gate += "（含）" if self.bonus_gate_inclusive else ""
                gate += "的方可加分"
            cap = f"最多加{self.bonus_cap}分" if self.bonus_cap is not None else "不设上限"
            lines.append(f"加分项{cap}{gate}。")
        if "penalty" in roles:
            cap = f"最多扣{self.penalty_cap}分" if self.penalty_cap is not None else "不设上限"
            lines.append(f"扣分项{cap}（重大扣分项另计）。")
        if "veto" in roles:
            grade = f"，等次为“{self.fail_grade}”" if self.graded else ""
            lines.append(
                {
                    "grade_only": f"触发一票否决的单位{grade[1:]}，得分照常计算"
                    if grade
                    else "触发一票否决的单位得分照常计算",
                    "fixed_score": f"触发一票否决的单位按{self.veto_score}分计{grade}",
                    "stop": f"触发一票否决的单位不再计分{grade}",
                }[self.veto_action]
                + (
                    "，不参与排名，列于排名单位之后。"
                    if self.veto_action == "stop" or self.veto_placement == "after"
                    else "，排在本类最后。"
                    if self.veto_placement == "last"
                    else "，按得分参与排名。"
                )
            )
        basis = "公布的总分" if self.rank_basis == "printed" else "未经舍入的精确总分"
        ties = "1、2、2、4" if self.ties == "competition" else "1、2、2、3"
        lines.append(
            f"总分保留{self.places}位小数（{ROUNDING[self.rounding]}）。各类单位分别按{basis}排名，"
            f"总分相同的并列（名次如{ties}），并列单位按单位代码先后列出。"
        )
        if not self.graded:
            return lines
        bands = "，".join(f"{b.name}{b.words}及以上" for b in self.bands)
        grade_basis = "公布的总分" if self.grade_basis == "printed" else "未经舍入的精确总分"
        lines.append(f"等次按{grade_basis}评定：{bands}，其余为{self.fail_grade}。")
        if any(b.share is not None for b in self.bands):
            lines.append(self.share_thresholds())
        if self.section_fail_share is not None:
            lines.append(
                f"任一一级指标得分低于其分值{float(self.section_fail_share) * 100:g}%的，等次为"
                f"“{self.fail_grade}”。"
            )
        for q in self.quotas:
            ties_rule = "名额边界并列的均不评为" if q.ties == "exclude" else "名额边界并列的均评为"
            lines.append(f"“{q.grade}”不超过本类单位数的{float(q.share) * 100:g}%，{ties_rule}“{q.grade}”。")
        return lines


class Section(Mapping[str, Any]):
    """One table of ``settings.toml`` as the parser reads it: reading a key that :data:`KEYS` does not
    declare for the table is a programming error (``TypeError``), so the table stays the one list."""

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        self.name = name
        self.data = data

    def __getitem__(self, key: str) -> Any:
        if key not in KEYS[self.name]:
            raise TypeError(f"settings key {key!r} of table {self.name!r} is not declared in KEYS")
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def nearest_key(key: str, table: str) -> str:
    """What to say of an unknown key of ``table`` (a name in :data:`KEYS`): the nearest known key, or the
    table it belongs in, or the keys the table has."""
    close = difflib.get_close_matches(key, KEYS[table], n=1, cutoff=0.6)
    if close:
        return f"是否应为 {close[0]}？"
    if table in KEYS[""] or not table:  # a plain table: the key may belong in another one
        home = [t for t in KEYS[""] if t in KEYS and t != "classes" and t != table and key in KEYS[t]]
        if home:
            return f"此项应写在 [{home[0]}] 表中"
        if table and key in KEYS[""]:
            return "此项应写在顶层（所有 [表] 之前）"
    return f"可用：{'、'.join(KEYS[table])}"


class _Reader:
    """Reads typed values out of the TOML tables, collecting every problem as an Issue."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def section(self, data: Mapping[str, Any], name: str, path: str) -> Section:
        """``data`` as the table ``name`` of :data:`KEYS` (written at ``path``), each unknown key refused."""
        for key, value in data.items():
            if key not in KEYS[name]:
                where = f"{path}.{key}" if path else key
                shown = None if isinstance(value, (dict, list)) else value
                table = "顶层" if not path else f"[{path}] 表中" if path == name else f"{path} 中"
                self.fail(where, shown, f"未知的设置项，{nearest_key(key, name)}（{table}）", "key_unknown")
        return Section(name, data)

    def fail(self, column: str, value: object, expected: str, code: str) -> None:
        self.issues.append(
            Issue(
                self.file,
                None,
                column,
                None if value is None else str(value),
                expected,
                f"settings|{code}",
                family="definition",
            )
        )

    def choice(
        self, table: Mapping[str, Any], key: str, path: str, options: tuple[str, ...], default: str
    ) -> str:
        value = table.get(key, default)
        if value not in options:
            self.fail(path, value, f"应为 {' / '.join(options)} 之一", f"{key}_choice")
            return default
        return str(value)

    def decimal(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: Decimal | None = Decimal(0),
    ) -> Decimal | None:
        if key not in table:
            if required:
                self.fail(path, None, "缺少此项", f"{key}_missing")
            return None
        value = table[key]
        d = None if isinstance(value, bool) else parse_decimal(str(value))
        if d is None or (minimum is not None and d < minimum):
            self.fail(
                path, value, f"应为不小于{minimum}的数" if minimum is not None else "应为数", f"{key}_number"
            )
            return None
        try:
            to_fixed(d)
        except ValueError:
            self.fail(path, value, "小数位数过多（最多12位）", f"{key}_places")
            return None
        return d

    def fraction(self, value: object, path: str, code: str) -> Fraction | None:
        f = None if isinstance(value, bool) else parse_fraction(str(value))
        if f is None or f <= 0:
            self.fail(path, value, "应为正数或分数（如 0.8、4/3）", code)
            return None
        return f

    def table(self, raw: Section, key: str) -> Section:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, value, "应为一个表（[section]）", f"{key}_table")
            value = {}
        return self.section(value, key, key)

    def entries(self, value: object, name: str) -> list[Section | None]:
        """The entries of a list of tables (``[[classes]]``, ``grades.bands``: ``name`` in :data:`KEYS`),
        each checked for unknown keys; ``None`` for an entry that is not a table."""
        items = value if isinstance(value, list) else []
        return [
            self.section(x, name, f"{name}[{i + 1}]") if isinstance(x, dict) else None
            for i, x in enumerate(items)
        ]


def parse_settings(toml: dict[str, Any], file: str) -> tuple[Settings | None, list[Issue]]:
    """Typed settings from the parsed TOML, with every problem found."""
    r = _Reader(file)
    raw = r.section(toml, "", "")
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        r.fail("year", year, "应为年份（整数，如 2021）", "year")
        year = 0
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        r.fail("title", title, "应为考核名称（如 轮台县2021年度政务公开工作考核）", "title")
        title = ""
    issuer = str(raw.get("issuer", ""))

    classes: list[UnitClass] = []
    raw_classes = raw.get("classes")
    if not isinstance(raw_classes, list) or not raw_classes:
        r.fail("classes", raw_classes, "应至少声明一个单位类别（[[classes]]，含 id、name、max）", "classes")
        raw_classes = []
    for i, entry in enumerate(r.entries(raw_classes, "classes")):
        path = f"classes[{i + 1}]"
        if entry is None or not str(entry.get("id", "")).strip():
            r.fail(f"{path}.id", raw_classes[i], "单位类别应有 id", "class_id")
            continue
        max_points = r.decimal(entry, "max", f"{path}.max", required=True, minimum=Decimal("0.0001"))
        scale = r.fraction(entry["scale"], f"{path}.scale", "class_scale") if "scale" in entry else None
        cid = str(entry["id"]).strip()
        if any(x.id == cid for x in classes):
            r.fail(f"{path}.id", cid, "单位类别 id 重复", "class_id_unique")
        classes.append(UnitClass(cid, str(entry.get("name", cid)), max_points or Decimal(100), scale))

    rounding = r.table(raw, "rounding")
    places = rounding.get("places", 2)
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 6:
        r.fail("rounding.places", places, "应为0到6之间的整数", "places")
        places = 2
    ranking = r.table(raw, "ranking")
    caps = r.table(raw, "caps")
    na = r.table(raw, "not_applicable")
    bonus = r.table(raw, "bonus")
    penalty = r.table(raw, "penalty")
    veto = r.table(raw, "veto")
    grades = r.table(raw, "grades")
    inputs = r.table(raw, "inputs")
    periods = r.table(raw, "periods")
    channels = r.table(raw, "channels")

    na_method = r.choice(na, "method", "not_applicable.method", NA_METHODS, "renormalise")
    if na_method == "scale":
        for c in classes:
            if c.scale is None:
                r.fail(
                    f"classes[{c.id}].scale",
                    None,
                    'not_applicable.method = "scale" 时每个类别须声明 scale（如 4/3）',
                    "class_scale_missing",
                )

    gate_inclusive = bonus.get("gate_inclusive", False)
    if not isinstance(gate_inclusive, bool):
        r.fail("bonus.gate_inclusive", gate_inclusive, "应为 true 或 false", "gate_inclusive")
        gate_inclusive = False

    bands, graded = parse_bands(r, grades, classes)
    fail_grade = str(grades.get("fail", "不合格"))
    names = {b.name for b in bands} | {fail_grade}

    quotas: list[GradeQuota] = []
    raw_quotas = grades.get("quotas", []) if graded else []
    for i, q in enumerate(r.entries(raw_quotas, "grades.quotas")):
        path = f"grades.quotas[{i + 1}]"
        if q is None or q.get("grade") not in names:
            r.fail(
                path,
                raw_quotas[i],
                f"grade 应为已声明的等次之一（{'、'.join(sorted(names))}）",
                "quota_grade",
            )
            continue
        share = r.fraction(q.get("share"), f"{path}.share", "quota_share")
        if share is not None and share > 1:
            r.fail(f"{path}.share", q.get("share"), "比例应在0到1之间", "quota_share")
            share = None
        ties = r.choice(q, "ties", f"{path}.ties", QUOTA_TIES, "exclude")
        if share is not None:
            quotas.append(GradeQuota(str(q["grade"]), share, ties))

    section_fail = None
    if "section_fail_share" in grades and graded:
        section_fail = r.fraction(
            grades["section_fail_share"], "grades.section_fail_share", "section_fail_share"
        )

    date_window = inputs.get("date_window", 1)
    if not isinstance(date_window, int) or isinstance(date_window, bool) or not 0 <= date_window <= 50:
        r.fail(
            "inputs.date_window", date_window, "应为0到50之间的整数（考核年度前后各若干年）", "date_window"
        )
        date_window = 1
    unscored_share = Fraction(1, 2)
    if "unscored_share" in inputs:
        share = r.fraction(inputs["unscored_share"], "inputs.unscored_share", "unscored_share")
        if share is not None and share > 1:
            r.fail("inputs.unscored_share", inputs["unscored_share"], "比例应在0到1之间", "unscored_share")
        elif share is not None:
            unscored_share = share

    period_method = None
    period_weights: list[tuple[str, Fraction]] = []
    if periods:
        period_method = r.choice(periods, "method", "periods.method", PERIOD_METHODS, "mean")
        pw = periods.get("weights", {})
        if not isinstance(pw, dict) or (period_method != "sum" and not pw):
            r.fail("periods.weights", pw, "应列出各期（如 { Q1 = 0.25, Q2 = 0.25 }）", "period_weights")
            pw = {}
        for k, v in pw.items():
            f = r.fraction(v, f"periods.weights.{k}", "period_weight")
            if f is not None:
                period_weights.append((str(k), f))
    channel_weights: list[tuple[str, Fraction]] = []
    if channels:
        cw = channels.get("weights", {})
        if not isinstance(cw, dict) or not cw:
            r.fail(
                "channels.weights",
                cw,
                "应列出各渠道权重（如 { online = 0.8, onsite = 0.2 }）",
                "channel_weights",
            )
            cw = {}
        for k, v in cw.items():
            f = r.fraction(v, f"channels.weights.{k}", "channel_weight")
            if f is not None:
                channel_weights.append((str(k), f))
        if channel_weights and sum(w for _, w in channel_weights) != 1:
            r.fail(
                "channels.weights",
                ", ".join(f"{k}={float(w):g}" for k, w in channel_weights),
                "各渠道权重之和应为1",
                "channel_weights_sum",
            )

    stability = _stability(r, r.table(raw, "stability"))

    settings = Settings(
        year=year,
        title=title,
        issuer=issuer,
        classes=tuple(classes),
        places=places,
        rounding=r.choice(rounding, "mode", "rounding.mode", ROUNDING_MODES, "half_up"),
        ties=r.choice(ranking, "ties", "ranking.ties", TIE_METHODS, "competition"),
        rank_basis=r.choice(ranking, "basis", "ranking.basis", BASES, "printed"),
        caps=r.choice(caps, "mode", "caps.mode", CAP_MODES, "node"),
        not_applicable=na_method,
        not_applicable_declared="method" in na,
        bonus_cap=r.decimal(bonus, "cap", "bonus.cap"),
        bonus_gate=r.decimal(bonus, "gate", "bonus.gate"),
        bonus_gate_inclusive=gate_inclusive,
        penalty_cap=r.decimal(penalty, "cap", "penalty.cap"),
        veto_action=r.choice(veto, "action", "veto.action", VETO_ACTIONS, "grade_only"),
        veto_score=r.decimal(veto, "score", "veto.score") or Decimal(59),
        veto_placement=r.choice(veto, "placement", "veto.placement", VETO_PLACEMENTS, "after"),
        bands=tuple(bands),
        graded=graded,
        fail_grade=fail_grade,
        grade_basis=r.choice(grades, "basis", "grades.basis", BASES, "printed"),
        section_fail_share=section_fail,
        quotas=tuple(quotas),
        missing=r.choice(inputs, "missing", "inputs.missing", MISSING_POLICIES, "zero"),
        missing_units=r.choice(inputs, "missing_units", "inputs.missing_units", MISSING_UNITS, "error"),
        unscored_share=unscored_share,
        date_window=date_window,
        period_method=period_method,
        period_weights=tuple(period_weights),
        channel_weights=tuple(channel_weights),
        stability=stability,
        raw=toml,
    )
    return (settings if not r.issues else None), r.issues


def _stability(r: _Reader, table: Section) -> StabilitySettings:
    """``[stability]``: margin and judgement in points (≥ 0), runs a whole number 1–100 000, seed ≥ 0."""
    default = StabilitySettings()
    margin = r.decimal(table, "margin", "stability.margin")
    judgement = r.decimal(table, "judgement", "stability.judgement")
    whole: dict[str, int] = {}
    for key, lo, hi, what in (("runs", 1, 100_000, "次数"), ("seed", 0, 2**32 - 1, "随机种子")):
        value = table.get(key, getattr(default, key))
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            r.fail(f"stability.{key}", value, f"{what}应为{lo}到{hi}之间的整数", f"stability_{key}")
            value = getattr(default, key)
        whole[key] = value
    return StabilitySettings(
        margin if margin is not None else default.margin,
        judgement if judgement is not None else default.judgement,
        whole["runs"],
        whole["seed"],
    )
