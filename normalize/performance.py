"""绩效自评表 (project and whole-department performance self-evaluations) as rows.

These forms are printed as ruled grids whose labels (项目名称, 主管部门, 预算数/执行数/执行率,
一级/二级/三级指标, 年初目标值, 实际完成值, 得分, 总分) are what identify the fields: cells are
found by label, not by position, because OCR and merged cells move them around.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import regex

from extract.model import RawTable
from normalize.amounts import within_reach
from normalize.labels import nfkc, squeeze

_NUMBER = regex.compile(r"-?\d+(?:\.\d+)?%?")
_TARGET = regex.compile(r"^(?P<op>[≥≤><=＝]|不低于|不高于|不少于|不超过|大于|小于|等于)?\s*(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>.*)$")
OPS = {"≥": "≥", "≤": "≤", ">": ">", "<": "<", "=": "=", "＝": "=", "不低于": "≥", "不少于": "≥", "不高于": "≤", "不超过": "≤",
       "大于": ">", "小于": "<", "等于": "="}
LEVEL1 = ("成本", "产出", "效益", "满意")


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    score: Decimal | None
    target_op: str | None = None
    target_value: Decimal | None = None
    target_unit: str | None = None
    actual_op: str | None = None
    actual_value: Decimal | None = None
    actual_unit: str | None = None


@dataclass
class Evaluation:
    title: str
    kind: str  # "project" or "department"
    project: str
    department: str
    implementer: str
    budget: Decimal | None
    spent: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    total: Decimal | None
    filled: str
    weight: Decimal | None = None  # the points budget execution is worth (`得分(20分*执行率)`, `分值`)
    budget_basis: str = ""  # which budget the form compares with, as printed: 全年预算数 / 年初预算数 / 预算数
    indicators_by_header: bool = False  # every indicator row read under its header's columns (not guessed from the right)
    pages: list[int] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


def _num(text: str) -> Decimal | None:
    """A score or amount in a form: `9.9`, `1`, `49. 51`, `100%` (None for words)."""
    s = regex.sub(r"(?<=\d)\s*[.．]\s*(?=\d)", ".", nfkc(text or "")).strip().rstrip("%")
    return within_reach(Decimal(s)) if regex.fullmatch(r"-?\d+(?:\.\d+)?", s) else None


def is_self_evaluation(table: RawTable) -> bool:
    text = squeeze(table.title) + "".join(squeeze(c) for r in table.rows[:40] for c in r.cells)
    return "自评" in squeeze(table.title) or ("一级指标" in text and ("预算数" in text or "年初目标值" in text))


def parse_self_evaluations(tables: list[RawTable]) -> list[Evaluation]:
    evaluations, seen = [], set()
    for table in tables:
        if not is_self_evaluation(table):
            continue
        evaluation = parse_one(table)
        key = (evaluation.title, evaluation.project)
        if key in seen:
            continue  # the same form printed twice (说明 and 附件)
        seen.add(key)
        evaluations.append(evaluation)
    return evaluations


def _row_text(cells: list[str]) -> str:
    return "".join(squeeze(c) for c in cells if c)


def parse_one(table: RawTable) -> Evaluation:
    rows = [[nfkc(c or "").strip() for c in r.cells] for r in table.rows]
    title = squeeze(table.title)
    caption = " ".join(table.notes)
    department_wide = "整体" in title or any("部门整体" in _row_text(r) for r in rows)
    project = _after_label(rows, r"项目\W*名称") or _project_from_title(title)
    governing = _after_label(rows, r"主管\W*部门", stop=r"项目实施单位|实施单位")
    implementer = _after_label(rows, r"(?:项目)?实施单位")
    indicators, by_header = _indicators(rows, table.rows)
    positioned = all(r.boxes for r in table.rows)
    budget, spent, rate, score, basis = _execution(rows, positioned)
    weight = _execution_weight(rows)
    total = _total_score(rows)
    filled = regex.search(r"填报日期\s*[:：]?\s*([\d年月日.\s]+)", nfkc(caption))
    unit = regex.search(r"单位名称\s*[:：]\s*(\S+)", nfkc(caption))
    return Evaluation(
        title=title,
        kind="department" if department_wide else "project",
        project=("部门整体" if department_wide and not project else project) or "",
        department=governing or (unit.group(1) if unit else ""),
        implementer=implementer or (unit.group(1) if unit else ""),
        budget=budget, spent=spent, rate=rate, score=score, total=total, weight=weight, budget_basis=basis,
        filled=regex.sub(r"\s", "", filled.group(1)).strip(".") if filled else "",
        pages=sorted({r.page for r in table.rows if r.page}),
        indicators=indicators,
        indicators_by_header=by_header,
    )


def _project_from_title(title: str) -> str:
    name = regex.sub(r"^\d{4}年度?", "", title)
    return regex.sub(r"(?:项目)?(?:绩效)?自评表$", "", name)


def _after_label(rows, label: str, stop: str | None = None) -> str | None:
    for row in rows:
        text = _row_text(row)
        m = regex.search(label + r"(.+)", text)
        if m:
            value = m.group(1)
            if stop:
                value = regex.split(stop, value)[0]
            return value.strip("：:") or None
    return None


def _total_score(rows) -> Decimal | None:
    """The 总分 row's score: its last number (a row printing 分值 100 then 得分 98 means 98)."""
    for row in rows:
        cells = [squeeze(c) for c in row if squeeze(c)]
        if cells and cells[0].startswith("总分"):
            numbers = [v for v in map(_num, cells[1:]) if v is not None]
            if numbers:
                return numbers[-1]
    return None


def _execution(rows, positioned: bool = False):
    """预算数, 执行数, 执行率, 得分 and the budget's label (全年预算数 / 年初预算数 / 预算数, as printed) from the row under
    `预算数(A) 执行数(B)`: under their headers when the cells have positions or agree with each other; else first number,
    the one before the percentage, the percentage, the one after it (OCR may glue the first two into the label cell)."""
    for i, row in enumerate(rows):
        if "预算数" in _row_text(row) and "执行数" in _row_text(row):
            columns = _columns(row, EXECUTION_COLUMNS)
            data = rows[i + 1] if i + 1 < len(rows) else []
            basis = _budget_basis(row, columns)
            if len(columns) == 4 and len(data) == len(row):
                values = {k: _num(data[c].rstrip("%")) for k, c in columns.items()}
                if positioned or _consistent(values["budget"], values["spent"], values["rate"]):
                    return values["budget"], values["spent"], values["rate"], values["score"], basis
            for data in rows[i + 1 : i + 3]:
                tokens = [t for t, cell in _tokens_outside_labels(data)]
                percent = next((k for k, t in enumerate(tokens) if t.endswith("%")), None)
                if percent is None or percent == 0:
                    continue
                numbers = [within_reach(Decimal(t.rstrip("%"))) for t in tokens]
                budget = numbers[0]
                spent = numbers[percent - 1] if percent >= 2 else None
                score = numbers[percent + 1] if percent + 1 < len(numbers) else None
                return budget, spent, numbers[percent], score, basis
    return None, None, None, None, ""


def _budget_basis(header: list[str], columns: dict[str, int]) -> str:
    label = squeeze(header[columns["budget"]]) if "budget" in columns else ""
    return regex.sub(r"[(（].*$", "", label)


_WEIGHT_IN_LABEL = regex.compile(r"(\d+(?:\.\d+)?)\s*分\s*[*×xX＊]\s*执行率")


def _execution_weight(rows) -> Decimal | None:
    """What budget execution is worth: `(20分*执行率)` in the header, or the 分值 under `分值`."""
    for i, row in enumerate(rows):
        text = _row_text(row)
        if "预算数" not in text or "执行数" not in text:
            continue
        m = _WEIGHT_IN_LABEL.search(nfkc(" ".join(row)))
        if m:
            return within_reach(Decimal(m.group(1)))
        column = _columns(row, {"weight": ("分值",)}).get("weight")
        data = rows[i + 1] if i + 1 < len(rows) else []
        if column is not None and column < len(data):
            return _num(data[column])
    return None


def _consistent(budget, spent, rate) -> bool:
    """执行率 = 执行数 ÷ 预算数 (to a point): the reading put the numbers under the right labels."""
    if budget is None or spent is None or rate is None:
        return False
    return budget == 0 or abs(spent / budget * 100 - rate) <= 1


def _tokens_outside_labels(cells: list[str]):
    """Numbers of a row, without those in the label text (`(20分)`, `(万元)`)."""
    for cell in cells:
        text = regex.sub(r"[(（][^)）]*[)）]", "", regex.sub(r"(?<=\d)\s*\.\s*(?=\d)", ".", cell))
        for token in _NUMBER.findall(text):
            yield token, cell


INDICATOR_COLUMNS = {
    "level1": ("一级指标",), "level2": ("二级指标",), "level3": ("三级指标",),
    "target": ("年初目标值", "年度指标值", "指标值", "目标值"), "actual": ("实际完成值", "全年实际值", "实际值", "完成值"),
    "weight": ("分值", "权重"), "score": ("得分",),
}
EXECUTION_COLUMNS = {"budget": ("全年预算数", "预算数"), "spent": ("全年执行数", "执行数"), "rate": ("执行率",), "score": ("得分",)}


def _columns(header: list[str], wanted: dict) -> dict[str, int]:
    """Column index of each field, by the header's wording (first wording that matches wins)."""
    found = {}
    for key, words in wanted.items():
        for word in words:
            index = next((i for i, c in enumerate(header) if squeeze(c).startswith(word) and i not in found.values()), None)
            if index is not None:
                found[key] = index
                break
    return found


def _indicators(rows, raw_rows) -> tuple[list[Indicator], bool]:
    """The indicators, and whether they were read under the header's columns. Where the cells have positions (PDF,
    OCR), each cell goes to the header column it stands under, whatever the row's cell count (a row continued on
    the next page, a merged cell)."""
    start = next((i for i, r in enumerate(rows) if "三级指标" in _row_text(r)), None)
    if start is None:
        return [], False
    columns = _columns(rows[start], INDICATOR_COLUMNS)
    body = _under_header(raw_rows[start], raw_rows[start + 1 :]) or rows[start + 1 :]
    aligned = [r for r in body if len(r) == len(rows[start])]
    if {"level3", "target", "actual", "score"} <= set(columns) and len(aligned) == len(body):
        return _aligned_indicators(body, columns), True
    if {"level3", "target", "actual", "score"} <= set(columns) and len(aligned) >= len(body) * 0.8:
        return _aligned_indicators(body, columns), False
    return _ragged_indicators(body), False


def _under_header(header, rows) -> list[list[str]] | None:
    """Rows re-laid on the header's columns by position: a cell belongs to the header cell its centre stands
    under. None when the cells have no positions (text exports)."""
    spans = [(i, box[0], box[2]) for i, box in enumerate(header.boxes or []) if box is not None]
    if not spans or any(not r.boxes for r in rows):
        return None
    width = len(header.cells)
    out = []
    for row in rows:
        aligned = [""] * width
        for text, box in zip(row.cells, row.boxes):
            if box is None or not (text or "").strip():
                continue
            centre = (box[0] + box[2]) / 2
            column = next((i for i, x0, x1 in spans if x0 <= centre < x1), None)
            if column is not None:
                aligned[column] = " ".join(filter(None, [aligned[column], nfkc(text).strip()]))
        out.append(aligned)
    return out


def _aligned_indicators(rows, columns) -> list[Indicator]:
    out, carried = [], {"level1": "", "level2": ""}
    for row in rows:
        if _row_text(row).startswith(("总分", "偏差", "改进")):
            break
        cell = lambda key: squeeze(row[columns[key]]) if key in columns and columns[key] < len(row) else ""  # noqa: E731
        for key in ("level1", "level2"):
            carried[key] = cell(key) or carried[key]
        if not cell("level3"):
            continue
        score = _num(cell("score"))
        indicator = Indicator(carried["level1"], carried["level2"], cell("level3"), cell("target"), cell("actual"), score)
        indicator.target_op, indicator.target_value, indicator.target_unit = parse_target(indicator.target)
        indicator.actual_op, indicator.actual_value, indicator.actual_unit = parse_target(indicator.actual)
        out.append(indicator)
    return out


def _ragged_indicators(rows) -> list[Indicator]:
    """OCR'd forms whose cells shifted: read each row from the right (得分, 实际完成值, 年初目标值, 三级指标)."""
    out: list[Indicator] = []
    level1 = ""
    for row in rows:
        text = _row_text(row)
        if text.startswith(("总分", "偏差", "改进")):
            break
        cells = [c for c in row if squeeze(c)]
        found = next((w for w in LEVEL1 if any(squeeze(c).startswith(w) for c in cells[:2])), None)
        if found:
            level1 = {"满意": "满意度指标"}.get(found, found + "指标")
        if len(cells) < 4:
            continue
        score = _num(cells[-1])
        if score is None:
            continue
        if len(cells) >= 5 and _num(cells[-2]) is not None and _num(cells[-3]) is None:
            cells = cells[:-2] + cells[-1:]  # 分值 before 得分: drop the weight, keep the score
        actual, target, level3 = cells[-2], cells[-3], cells[-4]
        level2 = cells[-5] if len(cells) >= 5 else ""
        if any(squeeze(level2).startswith(w) for w in LEVEL1) and len(squeeze(level2)) <= 4:
            level2 = ""
        indicator = Indicator(level1, squeeze(level2), squeeze(level3), squeeze(target), squeeze(actual), score)
        indicator.target_op, indicator.target_value, indicator.target_unit = parse_target(target)
        indicator.actual_op, indicator.actual_value, indicator.actual_unit = parse_target(actual)
        out.append(indicator)
    return out


def parse_target(text: str):
    """`≥10家` -> ('≥', 10, '家'); `90%` -> (None, 90, '%'); `按时拨付` -> (None, None, None)."""
    m = _TARGET.match(squeeze(text))
    if not m:
        return None, None, None
    return OPS.get(m.group("op")) if m.group("op") else None, within_reach(Decimal(m.group("num"))), m.group("unit") or None
