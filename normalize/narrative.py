"""Figures the 说明 states plainly (totals, splits, 三公), each with the sentence and page it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal

import regex

from normalize.amounts import within_reach
from normalize.labels import nfkc, normalize_name
from schemas import classification

NUMBER = r"(-?\d[\d,，]*(?:[.．]\s*\d+)?)"


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind("。", 0, start), text.rfind("；", 0, start)) + 1
    right_candidates = [i for i in (text.find("。", end), text.find("；", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else min(len(text), end + 60)
    return text[left:right]


@dataclass
class RateStatement:
    """`年初预算为A万元，支出决算为B万元，完成年初预算的P%`: a stated completion rate and its parts."""

    base: str  # the budget the rate says it is against: 年初 / 全年
    budget: Decimal | None  # that budget, when the sentence states it
    actual: Decimal
    rate: Decimal
    rate_printed: str
    sentence: str
    page: int | None
    line: int | None
    budgets: dict[str, Decimal] = field(default_factory=dict)  # every budget the sentence states: 年初 / 全年
    confidence: float | None = None  # OCR confidence of the sentence (None: a text layer or export)


_RATE = regex.compile(
    r"(年初|全年)预算(?:数)?为[_\s]*" + NUMBER + r"[_\s]*万元[^。；]{0,40}?(?:支出)?决算(?:数)?为[_\s]*" + NUMBER
    + r"[_\s]*万元[,，;；]?\s*完成(年初|全年)?预算(?:数)?的[_\s]*" + NUMBER + r"[_\s-]*%"
)
_BUDGET = regex.compile(r"(年初|全年)预算(?:数)?为[_\s]*" + NUMBER + r"[_\s]*万元")


def rate_statements(paragraphs) -> list[RateStatement]:
    found = []
    for p in paragraphs:
        if p.heading:
            continue
        text = _clean(p.text)
        for m in _RATE.finditer(text):
            actual, rate = _decimal(m.group(3)), _decimal(m.group(5))
            budgets = {b.group(1): _decimal(b.group(2)) for b in _BUDGET.finditer(m.group())}
            budgets = {k: v for k, v in budgets.items() if v is not None}
            base = m.group(4) or m.group(1)
            if actual is None or rate is None or not budgets:
                continue
            found.append(RateStatement(base, budgets.get(base), actual, rate, m.group(5), _sentence(text, m.start(), m.end()),
                                       p.page, p.lines[0] if p.lines else None, budgets, p.confidence))
    return found


# ---------------------------------------------------------------- per 项 statements

_ITEM = regex.compile(
    r"(?P<lei>[^()（）。；]+?)\s*[(（]类[)）]\s*(?P<kuan>[^()（）。；]+?)\s*[(（]款[)）]\s*(?P<xiang>[^()（）。；]+?)\s*[(（]项[)）]"
)
_AMOUNT = r"[_\s]*(-?\d[\d,，]*(?:[.．]\s*\d+)?)[_\s-]*"


@dataclass
class Item:
    """One `…(类)…(款)…(项)。年初预算为…万元，支出决算为…万元，完成…%，…主要原因：…` statement."""

    section: str
    lei: str
    kuan: str
    xiang: str
    code: str | None
    budget_base: str | None  # 年初预算 / 全年预算
    budget: Decimal | None
    actual: Decimal | None
    rate: Decimal | None
    direction: str | None  # 大于 / 小于 / 等于 (the document's own words, or computed)
    reason: str
    sentence: str
    page: int | None
    line: int | None
    confidence: float | None = None


def _number(pattern: str, text: str) -> Decimal | None:
    m = regex.search(pattern, text)
    return _decimal(m.group(1)) if m else None


def narrative_items(paragraphs, tables: dict | None = None) -> list[Item]:
    """Every paragraph that names a 类/款/项 and states what was spent on it."""
    items = []
    names = None
    for index, p in enumerate(paragraphs):
        if p.heading:
            continue
        text = _clean(p.text)
        m = _ITEM.search(text)
        if not m:
            continue
        text += _continuation(paragraphs, index)
        rest = text[m.end():]
        lei = regex.sub(r"^[(（]?\d+[)）]?|^\d+[.．、]", "", m.group("lei")).strip(" 、.．")
        kuan, xiang = m.group("kuan").strip(), m.group("xiang").strip()
        base = regex.search(r"(年初|全年)预算(?:数)?为", rest)
        budget = _number(r"(?:年初|全年)预算(?:数)?为" + _AMOUNT + r"万元", rest)
        actual = _number(r"(?:支出)?决算(?:数)?为" + _AMOUNT + r"万元", rest)
        rate = _number(r"完成(?:年初|全年)?预算(?:数)?的" + _AMOUNT + r"%", rest)
        said = regex.search(r"决算数(大于|小于|等于|持平)(?:年初|全年)?预算数", rest) or regex.search(r"决算数于", rest)
        direction = said.group(1) if said and said.groups() and said.group(1) else _direction(budget, actual)
        reason = regex.search(r"(?:主要原因|主要用于)[是为]?[:：]?(.*)$", rest)
        names = names or _subject_names(tables or {})
        items.append(Item(
            section=" / ".join(p.section), lei=lei, kuan=kuan, xiang=xiang,
            code=_item_code(lei, kuan, xiang, names), budget_base=base.group(1) + "预算" if base else None,
            budget=budget, actual=actual, rate=rate, direction=direction,
            reason=reason.group(1).strip(" 。;；") if reason else "", sentence=text, page=p.page, line=p.lines[0] if p.lines else None,
            confidence=p.confidence,
        ))
    return items


def _continuation(paragraphs, index: int) -> str:
    """Where the statement's figures were printed as paragraphs of their own (`…(项)。` / `主要用于：…全年预算为…`)."""
    if "万元" in paragraphs[index].text:
        return ""
    extra = ""
    for p in paragraphs[index + 1 : index + 4]:
        if p.heading or _ITEM.search(_clean(p.text)):
            break
        extra += _clean(p.text)
        if "万元" in p.text:
            break
    return extra


def _direction(budget: Decimal | None, actual: Decimal | None) -> str | None:
    if budget is None or actual is None:
        return None
    return "大于" if actual > budget else ("小于" if actual < budget else "等于")


def _item_code(lei: str, kuan: str, xiang: str, names: dict[str, set[str]]) -> str | None:
    """The 项 code whose 类, 款 and 项 names these are (`names`: `_subject_names`)."""
    lei, kuan, xiang = normalize_name(lei).removesuffix("支出"), normalize_name(kuan), normalize_name(xiang)
    for code, candidates in names.items():
        if len(code) != 7 or xiang not in candidates:
            continue
        lei_names = {n.removesuffix("支出") for n in names.get(code[:3], set())}
        if kuan in names.get(code[:5], set()) and any(n == lei or n.startswith(lei) or lei.startswith(n) for n in lei_names):
            return code
    return None


def _subject_names(tables: dict) -> dict[str, set[str]]:
    """Each 类/款/项 code's names: the document's own first (their order decides), then the reference list's."""
    names: dict[str, set[str]] = {}
    for table in tables.values():
        for row in table.rows:
            if row.code and len(row.code) in (3, 5, 7):
                names.setdefault(row.code, set()).add(normalize_name(row.name))
    for code, reference in _reference_names().items():
        names.setdefault(code, set()).update(reference)
    return names


@lru_cache(maxsize=1)
def _reference_names() -> dict[str, frozenset[str]]:
    return {code: frozenset(normalize_name(n) for n in subject.names)
            for code, subject in classification().items() if subject.kind == "function"}


# ---------------------------------------------------------------- every figure the standard paragraphs state

FIGURES: list[tuple[str, str, str]] = [
    # (subject, kind, pattern with one number group); kinds: amount (万元), percent, count
    ("收支总计", "amount", r"(?<!财政拨款)收(?:入)?[、,，]?\s*支(?:出)?总计(?:均为|均|为)?" + NUMBER + r"万元"),
    ("本年收入合计", "amount", r"(?<!财政拨款)(?<!支)收入合计" + NUMBER + r"万元"),
    ("本年支出合计", "amount", r"(?<!财政拨款)支出合计" + NUMBER + r"万元"),
    ("财政拨款收入", "amount", r"(?<!预算)财政拨款收入" + NUMBER + r"万元"),
    ("财政拨款收支总计", "amount", r"财政拨款收(?:入)?[、,，]?\s*支(?:出)?总计(?:均为|各为|为)?" + NUMBER + r"万元"),
    ("一般公共预算财政拨款支出", "amount", r"一般公共预算财政拨款支出(?:决算)?(?:为)?" + NUMBER + r"万元[,，]\s*占本年支出合计"),
    ("一般公共预算财政拨款支出占比", "percent", r"一般公共预算财政拨款支出" + NUMBER + r"万元[,，]\s*占本年支出合计的" + NUMBER + r"%"),
    ("一般公共预算财政拨款年初预算", "amount", r"一般公共预算财政拨款支出年初预算为" + NUMBER + r"万元"),
    ("一般公共预算财政拨款完成率", "percent", r"一般公共预算财政拨款支出年初预算为[^。]{0,40}?完成年初预算的" + NUMBER + r"%"),
    ("人员经费", "amount", r"人员经费" + NUMBER + r"万元"),
    ("公用经费", "amount", r"公用经费" + NUMBER + r"万元"),
    ("三公经费预算", "amount", r"三公\W{0,2}经费(?:财政拨款)?支出(?:全年|年初)?预算(?:数)?为" + NUMBER + r"万元"),
    ("三公经费决算", "amount", r"三公\W{0,2}经费(?:财政拨款)?支出(?:全年|年初)?预算(?:数)?为[^。]{0,20}?支出决算(?:数)?为" + NUMBER + r"万元"),
    ("三公经费完成率", "percent", r"三公\W{0,2}经费(?:财政拨款)?支出(?:全年|年初)?预算[^。]{0,60}?完成(?:全年|年初)?预算的" + NUMBER + r"%"),
    ("因公出国(境)费决算", "amount", r"因公出国\(境\)费[^。]{0,20}?支出决算为" + NUMBER + r"万元"),
    ("因公出国团组", "count", r"出国\(境\)团组" + NUMBER + r"个"),
    ("因公出国人次", "count", r"出国\(境\)团组\d+个[,，]?\s*累计" + NUMBER + r"人次"),
    ("公务用车购置及运行费决算", "amount", r"公务用车购置及运行(?:维护)?费[^。]{0,20}?支出决算为" + NUMBER + r"万元"),
    ("公务用车购置费", "amount", r"公务用车购置费支出" + NUMBER + r"万元"),
    ("公务用车运行费", "amount", r"公务用车运行(?:维护)?费支出" + NUMBER + r"万元"),
    ("公务用车保有量", "count", r"公务用车保有量为" + NUMBER + r"辆"),
    ("公务接待费决算", "amount", r"公务接待费[^。]{0,20}?支出决算为" + NUMBER + r"万元"),
    ("外宾接待费", "amount", r"外宾接待支出" + NUMBER + r"万元"),
    ("国内公务接待费", "amount", r"国内公务接待支出" + NUMBER + r"万元"),
    ("国内公务接待批次", "count", r"接待国内来访团组" + NUMBER + r"个"),
    ("国内公务接待人次", "count", r"接待国内来访团组\d+个[,，]\s*" + NUMBER + r"人次"),
    ("机关运行经费", "amount", r"机关运行经费(?:支出)?(?:为)?" + NUMBER + r"万元"),
    ("政府采购支出总额", "amount", r"政府采购(?:支出总额|金额)(?:\(以合同签订为准\))?(?:为)?" + NUMBER + r"万元"),
    # 货物/工程/服务 only in a sentence about 政府采购 (`一般公共服务支出10685.56万元` is not a 服务 purchase)
    ("政府采购货物", "amount", r"政府采购[^。；]*?(?<![\p{Han}])(?:政府采购)?货物(?:采购)?(?:支出|金额)(?:为)?" + NUMBER + r"万元"),
    ("政府采购工程", "amount", r"政府采购[^。；]*?(?:[,，、:：]|政府采购)(?:政府采购)?工程(?:采购)?(?:支出|金额)(?:为)?" + NUMBER + r"万元"),
    ("政府采购服务", "amount", r"政府采购[^。；]*?(?:[,，、:：]|政府采购)(?:政府采购)?服务(?:采购)?(?:支出|金额)(?:为)?" + NUMBER + r"万元"),
    ("授予中小企业合同金额", "amount", r"授予中小企业合同金额" + NUMBER + r"万元"),
    ("授予中小企业占比", "percent", r"授予中小企业合同金额" + NUMBER + r"万元[,，]\s*占政府采购支出总额的" + NUMBER + r"%"),
    ("授予小微企业合同金额", "amount", r"授予小微企业合同金额" + NUMBER + r"万元"),
    ("授予小微企业占比", "percent", r"授予小微企业合同金额" + NUMBER + r"万元[,，]\s*占授予中小企业合同金额的" + NUMBER + r"%"),
    ("车辆总数", "count", r"共有车辆" + NUMBER + r"辆"),
    ("单位价值100万元以上设备", "count", r"100万元(?:\(含\))?以上(?:设备)?(?:\(不含车辆\))?(?:设备)?" + NUMBER + r"台"),
    ("绩效自评项目数", "count", r"绩效自评[^。]{0,30}?共涉及项目" + NUMBER + r"个"),
    ("绩效自评资金", "amount", r"绩效自评[^。]{0,30}?共涉及项目\d+个[,，]\s*资金" + NUMBER + r"万元"),
]


@lru_cache(maxsize=1)
def _compiled_figures():
    return tuple((subject, kind, regex.compile(pattern)) for subject, kind, pattern in FIGURES)


@dataclass
class StatedFigure:
    subject: str
    kind: str
    value: Decimal
    unit: str
    sentence: str
    section: str
    page: int | None
    line: int | None
    note: str = ""  # the stated reason, for changes on last year
    confidence: float | None = None  # OCR confidence of the sentence


def first_figures(figures: list[StatedFigure]) -> dict[str, StatedFigure]:
    """The first statement of each subject, in reading order (what the checks compare with the tables)."""
    first: dict[str, StatedFigure] = {}
    for figure in figures:
        first.setdefault(figure.subject, figure)
    return first


# income by source and spending by kind with their shares: `事业收入0.00万元,占本年收入0.0%`
_PART_SHARE = regex.compile(
    r"(?<![\p{Han}])(?P<name>(?<!预算)财政拨款收入|上级补助收入|事业收入|经营收入|附属单位上缴收入|其他收入|(?<!财政拨款)(?<!预算)基本支出|项目支出"
    r"|上缴上级支出|经营支出|对附属单位补助支出)" + NUMBER + r"万元[,，]\s*占(?:本年收入|本年支出)?" + NUMBER + r"%"
)
# the change on last year: `收入合计减少30385.33万元,下降76.6%,主要原因是…`
_CHANGE = regex.compile(
    r"(?P<name>财政拨款收[、,，]?支总计|(?<!财政拨款)收[、,，]?支总计|收入合计|支出合计|一般公共预算财政拨款支出|三公\W{0,2}经费[^。]{0,10}?)"
    r"(?:各)?(?P<dir>增加|减少)" + NUMBER + r"万元[,，]\s*(?P<dir2>增长|下降)" + NUMBER + r"%(?:[,，。]?[^。]*?主要原因[是为:：]*(?P<reason>[^。]*))?"
)
CHANGE_SUBJECTS = {"收入合计": "本年收入合计", "支出合计": "本年支出合计"}


# `科学技术支出类支出1391.75万元,占21.22%` / `一般公共服务支出（类）264.87万元，占86.05%`: the 类 structure
_CLASS_SHARE = regex.compile(r"(?:^|[。；;,，:：]|\d[.．、])\s*(?P<name>[\p{Han}]{2,20}?支出)(?:类支出|\(类\))(?:为)?" + NUMBER + r"万元[,，]?\s*占(?:比)?" + NUMBER + r"%")
# an amount and its share, by the subjects they are written under
SHARE_STATEMENTS = ((_PART_SHARE, "{}", "{}占比"), (_CLASS_SHARE, "类支出:{}", "类支出占比:{}"))


def _share_and_change_figures(text: str, place: tuple) -> list["StatedFigure"]:
    """Amount-and-share statements and changes on last year; `place` is (section, page, line)."""
    found = []
    for pattern, amount_subject, share_subject in SHARE_STATEMENTS:
        for m in pattern.finditer(text):
            name, sentence = m.group("name"), _sentence(text, m.start(), m.end())
            found.append(StatedFigure(amount_subject.format(name), "amount", _decimal(m.group(2)), "万元", sentence, *place))
            found.append(StatedFigure(share_subject.format(name), "percent", _decimal(m.group(3)), "%", sentence, *place))
    for m in _CHANGE.finditer(text):
        name = regex.sub(r"[、,，]", "", m.group("name"))
        name = CHANGE_SUBJECTS.get(name, "三公经费" if name.startswith("三公") else name)
        sign = -1 if m.group("dir") == "减少" else 1
        reason = (m.group("reason") or "").strip(" ,，;；")
        sentence = _sentence(text, m.start(), m.end())
        found.append(StatedFigure(f"{name}变动", "amount", sign * _decimal(m.group(3)), "万元", sentence, *place, reason))
        found.append(StatedFigure(f"{name}变动率", "percent", sign * _decimal(m.group(5)), "%", sentence, *place, reason))
    return found


def all_figures(paragraphs) -> list[StatedFigure]:
    """Every statement of the catalogue, in every paragraph it appears in (damage like `364. 05` tolerated).
    A statement two patterns both read is kept once."""
    found: dict[tuple, StatedFigure] = {}
    for p in paragraphs:
        if p.heading:
            continue
        text = _clean(p.text)
        place = (" / ".join(p.section), p.page, p.lines[0] if p.lines else None)
        figures = _share_and_change_figures(text, place)
        for subject, kind, pattern in _compiled_figures():
            for m in pattern.finditer(text):
                value = _decimal(m.group(m.lastindex))
                if value is not None:
                    unit = {"amount": "万元", "percent": "%", "count": ""}[kind]
                    figures.append(StatedFigure(subject, kind, value, unit, _sentence(text, m.start(), m.end()), *place))
        for figure in figures:
            figure.confidence = p.confidence
            found.setdefault((figure.subject, figure.value, figure.sentence, figure.line), figure)
    return list(found.values())


def _decimal(text: str) -> Decimal | None:
    """A number as the narrative prints it (counts like `1` included; table rules about strokes do not apply)."""
    try:
        return within_reach(Decimal(_SEPARATORS.sub("", nfkc(text)).replace("．", ".")))
    except ArithmeticError:
        return None


SPLIT_NUMBER = "\u2047"  # stands between digits only spaces separated: no figure pattern reads across it
_SPLIT_NUMBER_RUN = regex.compile(r"[\d,.]*\d" + SPLIT_NUMBER + r"[\d" + SPLIT_NUMBER + r",.]*")
_SEPARATORS = regex.compile(r"[,，\s]")
_DIGITS_APART = regex.compile(r"(?<=\d)[ \t\u3000]+(?=\d)")


_ESCAPED = regex.compile(r"\\([_*])")
_UNDERLINE_DASH = regex.compile(r"(?<![\d)）])-(?=\d[\d,，.．]*\s*[_-])")
_SPACED_POINT = regex.compile(r"(?<=\d)\s*([.．])\s*(?=\d)")
_SPACE_BEFORE_UNIT = regex.compile(r"(?<=\d)\s+(?=%|万元)")
_UNDERSCORES = regex.compile(r"_+")
_SPACES = regex.compile(r"\s+")


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    """Template underscores, spaced separators and a percent sign split from its number undone; a dash that OCR read
    from a template's underline around a number (`为 -340_万元`, `的-33.87-%`) is not a minus sign. Digits that only
    spaces separate (`10 00`, `8 4`) are not joined: where the decimal point was is unknown, so no figure is read."""
    text = _ESCAPED.sub(r"\1", text)
    text = _UNDERLINE_DASH.sub("", text)
    text = _SPACED_POINT.sub(r"\1", text)
    text = _SPACE_BEFORE_UNIT.sub("", text)
    text = _UNDERSCORES.sub("", text)
    text = _DIGITS_APART.sub(SPLIT_NUMBER, nfkc(text))
    return _SPACES.sub("", text)


def split_numbers(paragraphs) -> list[dict]:
    """Numbers the 说明 prints with digits separated by spaces only: left unread, listed for the reader."""
    found = []
    for p in paragraphs:
        text = _clean(p.text)
        for m in _SPLIT_NUMBER_RUN.finditer(text):
            found.append({"printed": m.group().replace(SPLIT_NUMBER, " "), "sentence": _sentence(text, m.start(), m.end()).replace(SPLIT_NUMBER, " "),
                          "page": p.page, "problem": "digits separated by spaces only: decimal point unknown"})
    return found


# ---------------------------------------------------------------- wording that compares two numbers of its sentence

UP, DOWN, SAME = "up", "down", "same"
_WORD_DIRECTION = {"大于": UP, "高于": UP, "超过": UP, "增加": UP, "增长": UP, "上升": UP, "小于": DOWN, "低于": DOWN,
                   "减少": DOWN, "下降": DOWN, "降低": DOWN, "等于": SAME, "持平": SAME}
_ACTUAL = regex.compile(r"(?:支出)?决算(?:数)?为[_\s]*" + NUMBER + r"[_\s]*万元")
_VERSUS_BUDGET = regex.compile(r"决算数?(?:与(年初|全年)?预算数?)?(大于|小于|等于|持平|高于|低于)(年初|全年)?(?:预算数?)?")
_CHANGE_PAIR = regex.compile(r"(增加|减少|增长|下降|上升|降低)" + NUMBER + r"万元[,，、]?\s*(增长|下降|增加|减少|上升|降低)" + NUMBER + r"%")


@dataclass
class Comparison:
    """A sentence's words about how two of its numbers compare, and those numbers."""

    kind: str  # "决算/预算" (words vs the budget and the actual of the sentence) or "变动" (amount and rate of a change)
    words: tuple[str, ...]
    stated: tuple[Decimal, ...]
    sentence: str
    page: int | None
    line: int | None
    confidence: float | None = None


def comparisons(paragraphs) -> list[Comparison]:
    found = []
    for p in paragraphs:
        if p.heading:
            continue
        text = _clean(p.text)
        place = (p.page, p.lines[0] if p.lines else None, p.confidence)
        for m in _VERSUS_BUDGET.finditer(text):
            sentence = _sentence(text, m.start(), m.end())
            budgets = {b.group(1): _decimal(b.group(2)) for b in _BUDGET.finditer(sentence)}
            base = m.group(1) or m.group(3)
            budget = budgets.get(base) if base else next(iter(budgets.values()), None)
            actual = _ACTUAL.search(sentence)
            if budget is not None and actual:
                found.append(Comparison("决算/预算", (m.group(2),), (budget, _decimal(actual.group(1))), sentence, *place))
        for m in _CHANGE_PAIR.finditer(text):
            amount, rate = _decimal(m.group(2)), _decimal(m.group(4))
            found.append(Comparison("变动", (m.group(1), m.group(3)), (amount, rate), _sentence(text, m.start(), m.end()), *place))
    return found


def direction_of(word: str) -> str:
    return _WORD_DIRECTION[word]
