"""Figures the 说明 states plainly (totals, splits, 三公), each with the sentence and page it came from."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from extract.model import NarrativeBlock
from normalize.amounts import parse_amount

NUMBER = r"(-?\d[\d,，]*(?:[.．]\s*\d+)?)"
_NOT_FISCAL = r"(?<!财政拨款)(?<!财政拨款收、)(?<!财政拨款收入)"

# subject -> patterns; the first match in reading order wins.
PATTERNS: dict[str, tuple[str, ...]] = {
    "收支总计": (_NOT_FISCAL + r"收[、,，]?\s*支(?:出)?总计(?:均为|均|为|是)?\s*" + NUMBER + r"\s*万元", _NOT_FISCAL + r"收入支出总计(?:均为|为)?\s*" + NUMBER + r"\s*万元"),
    "本年收入合计": (r"(?<!财政拨款)(?:本年)?收入合计\s*" + NUMBER + r"\s*万元",),
    "本年支出合计": (r"(?<!财政拨款)(?:本年)?支出合计\s*" + NUMBER + r"\s*万元",),
    "基本支出": (r"(?<!财政拨款)(?<!预算)基本支出\s*" + NUMBER + r"\s*万元[,，]\s*占",),
    "项目支出": (r"(?<!财政拨款)项目支出\s*" + NUMBER + r"\s*万元[,，]\s*占",),
    "财政拨款收支总计": (r"财政拨款收[、,，]?\s*支(?:出)?总计(?:均为|各为|为)?\s*" + NUMBER + r"\s*万元", r"财政拨款收入支出总计(?:均为|为)?\s*" + NUMBER + r"\s*万元"),
    "一般公共预算财政拨款支出": (r"一般公共预算财政拨款支出(?:决算)?(?:为)?\s*" + NUMBER + r"\s*万元[,，]\s*占本年支出合计",),
    "人员经费": (r"人员经费\s*" + NUMBER + r"\s*万元",),
    "公用经费": (r"公用经费\s*" + NUMBER + r"\s*万元",),
    "三公经费预算": (r"三公\W{0,2}经费(?:财政拨款)?支出全年预算(?:数)?为\s*" + NUMBER + r"\s*万元",),
    "三公经费决算": (r"三公\W{0,2}经费(?:财政拨款)?支出全年预算(?:数)?为\s*" + NUMBER + r"\s*万元[,，]\s*支出决算(?:数)?为\s*" + NUMBER + r"\s*万元",),
}


@dataclass
class Figure:
    subject: str
    value: Decimal
    printed: str
    sentence: str
    page: int | None
    line: int | None


def narrative_figures(blocks: list[NarrativeBlock]) -> list[Figure]:
    """The first statement of each subject, read across line breaks inside a paragraph."""
    text, spans = _joined(blocks)
    figures = []
    for subject, patterns in PATTERNS.items():
        best = None
        for pattern in patterns:
            m = regex.search(pattern, text)
            if m and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            continue
        printed = best.group(best.lastindex)
        amount = parse_amount(printed.replace(" ", ""))
        if amount.value is None:
            continue
        block = _block_at(spans, best.start())
        figures.append(Figure(subject, amount.value, printed, _sentence(text, best.start(), best.end()), block.page, block.line))
    return figures


def _joined(blocks: list[NarrativeBlock]):
    parts, spans, position = [], [], 0
    for block in blocks:
        piece = regex.sub(r"\\([_*])", r"\1", block.text)
        piece = regex.sub(r"(?<=\d)\s*([.．])\s*(?=\d)", r"\1", piece)
        piece = regex.sub(r"\s+", "", piece)
        spans.append((position, block))
        parts.append(piece)
        position += len(piece)
    return "".join(parts), spans


def _block_at(spans, offset: int) -> NarrativeBlock:
    current = spans[0][1]
    for start, block in spans:
        if start > offset:
            break
        current = block
    return current


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind("。", 0, start), text.rfind("；", 0, start)) + 1
    right_candidates = [i for i in (text.find("。", end), text.find("；", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else min(len(text), end + 60)
    return text[left:right]


@dataclass
class RateStatement:
    """`年初预算为A万元，支出决算为B万元，完成年初预算的P%`: a stated completion rate and its parts."""

    base: str  # 年初预算 / 全年预算
    budget: Decimal
    actual: Decimal
    rate: Decimal
    rate_printed: str
    sentence: str
    page: int | None
    line: int | None


_RATE = regex.compile(
    r"(年初|全年)预算(?:数)?为[_\s]*" + NUMBER + r"[_\s]*万元[^。；]{0,40}?(?:支出)?决算(?:数)?为[_\s]*" + NUMBER
    + r"[_\s]*万元[,，;；]?\s*完成(年初|全年)预算(?:数)?的[_\s]*" + NUMBER + r"[_\s-]*%"
)


def rate_statements(blocks: list[NarrativeBlock]) -> list[RateStatement]:
    text, spans = _joined(blocks)
    found = []
    for m in _RATE.finditer(text):
        budget, actual, rate = (parse_amount(m.group(i)).value for i in (2, 3, 5))
        if budget is None or actual is None or rate is None:
            continue
        block = _block_at(spans, m.start())
        found.append(RateStatement(m.group(4), budget, actual, rate, m.group(5), _sentence(text, m.start(), m.end()), block.page, block.line))
    return found
