"""Shared by every extractor: which standard table a title, marker or header is, and table metadata."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import regex

from normalize.amounts import looks_like_amount
from normalize.labels import TOTAL_NAMES, squeeze, title_key
from schemas import TableSchema, table_schemas

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MARKER = regex.compile(
    r"(?:公开|预算|决算)\s*(\d{1,2})\s*表|公开表\s*([一二三四五六七八九十])|^表\s*(\d{1,2})(?!\d)|^表([一二三四五六七八九十])"
)
_UNIT = regex.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|亿元|元)")
_DEPARTMENT = regex.compile(
    r"(?:部门|单位名称|编制部门|编制单位)\s*[:：]\s*(.+?)\s*(?=(?:公开|预算|决算)?\s*表\s*[\d一二三四五六七八九]|公开\s*\d|(?:金额)?单位\s*[:：]|$)"
)
_YEAR = regex.compile(r"(20\d{2})\s*年")
_CODE_CELL = regex.compile(r"^\d{3}[\d\s]*$")
_TRAILING_MARKER = regex.compile(r"[(（]?(?:公开|预算|决算)?(?:\d{1,2}|[一二三四五六七八九])表[)）]?$|(?:金额)?单位[:：].*$")


def match_title(line: str) -> TableSchema | None:
    """The table this line is the title of; the longest alias wins (收入支出决算总表 ⊂ 财政拨款收入支出决算总表)."""
    key = _TRAILING_MARKER.sub("", title_key(line))
    if not key or len(key) > 60:
        return None
    best: tuple[int, TableSchema] | None = None
    for alias_key, schema in _title_keys():
        if key.endswith(alias_key) and _title_prefix(key[: -len(alias_key)]):
            if best is None or len(alias_key) > best[0]:
                best = (len(alias_key), schema)
    return best[1] if best else None


@lru_cache(maxsize=1)
def _title_keys() -> tuple[tuple[str, TableSchema], ...]:
    return tuple((title_key(alias), schema) for schema in table_schemas() for alias in (schema.title, *schema.aliases))


_SENTENCE_MARKS = regex.compile(r"[，。；,;:：]")


def _title_prefix(prefix: str) -> bool:
    """What may stand before a title: a department name, a year; not a sentence."""
    return len(prefix) <= 30 and not _SENTENCE_MARKS.search(prefix)


_LEADER = regex.compile(r"(?:[.．…·•]{2,}|\s{2,})\s*\d{0,4}\s*")
CONTENTS_MINIMUM = 5  # a 目录 lists every table; fewer title lines are passing mentions


def contents_tables(lines) -> list[str] | None:
    """The standard tables a document's own 目录 lists, in its order (None when it prints no such list):
    title lines with or without leader dots and page numbers (`五、一般公共预算财政拨款支出决算表 ....9`)."""
    found: list[str] = []
    for line in lines:
        for part in _LEADER.split(line):
            schema = match_title(part.strip())
            if schema is not None and schema.id not in found:
                found.append(schema.id)
    return found if len(found) >= CONTENTS_MINIMUM else None


def find_marker(text: str) -> str | None:
    """`公开01表`, `表1`, `公开表一`, `预算01表` -> the printed number as a string ('01', '1')."""
    s = squeeze(text)
    m = _MARKER.search(s) or next(filter(None, (_MARKER.search(squeeze(token)) for token in text.split())), None)
    if not m:
        return None
    number = next(g for g in m.groups() if g)
    return str(_CN_DIGITS.get(number) or int(number))


def find_unit(text: str) -> str | None:
    m = _UNIT.search(squeeze(text))
    return m.group(1) if m else None


def find_department(text: str) -> str | None:
    m = _DEPARTMENT.search(text.replace("\\_", "_"))
    if not m:
        return None
    name = squeeze(m.group(1)).strip("_ ")
    name = regex.sub(r"(?:公开)?\d+表.*$", "", name)
    return name or None


# The standard parts of a 部门决算 name the department: 第一部分 X概况, 第二部分 X2024年度部门决算表, 第三部分 X…情况说明.
_PART_HEADING = regex.compile(r"^第[一二三]部分\s*(\p{Han}[\p{Han}()（）]{1,40}?)\s*(?:(?:20\d{2}\s*年度?\s*)?部门决算|概况)")


def department_from_headings(texts: Iterable[str]) -> str | None:
    """The department the part headings name, when at least two of them name the same one (a cover OCR could not read,
    or a cover without the name)."""
    named = Counter(m.group(1) for m in map(_PART_HEADING.match, map(squeeze, texts)) if m)
    name, count = max(named.items(), key=lambda item: item[1], default=(None, 0))
    return name if count >= 2 else None


def find_year(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def match_signature(labels: set[str]) -> TableSchema | None:
    """The table whose header signature these header labels carry (for tables that lost their title)."""
    joined = "|".join(labels)
    matches = [
        s
        for s in table_schemas()
        if s.signature_all
        and all(word in joined for word in s.signature_all)
        and not any(word in joined for word in s.signature_none)
    ]
    if not matches:
        return None
    return max(matches, key=lambda s: len(s.signature_all))


def header_labels(rows) -> set[str]:
    return {squeeze(c) for r in rows for c in r.cells if c and squeeze(c)}


def is_data_row(cells: list[str]) -> bool:
    """A row that carries values or a subject code, as opposed to a header row."""
    non_empty = [squeeze(c) for c in cells if c and squeeze(c)]
    if not non_empty:
        return False
    if any(looks_like_amount(c) for c in cells if c):
        return True
    if non_empty[0] in TOTAL_NAMES:
        # A 合计 row, unless its other cells are column labels (sub-headers printed in the 合计 row).
        return not any(regex.search(r"\p{Han}", c) for c in non_empty[1:])
    return bool(_CODE_CELL.match(non_empty[0]) and len(non_empty) > 1)


def is_header_terminator(cells: list[str]) -> bool:
    """`栏次` rows and column-number rows close a header block."""
    squeezed = [squeeze(c) for c in cells if c and squeeze(c)]
    if any(c in ("栏次", "行次栏次") for c in squeezed):
        return True
    numbers = [c for c in squeezed if c.isdigit()]
    return len(numbers) >= 3 and len(numbers) >= len(squeezed) - 2 and _consecutive([int(n) for n in numbers[-3:]])


def _consecutive(values: list[int]) -> bool:
    return all(b == a + 1 for a, b in zip(values, values[1:]))


def split_header(rows):
    """Leading header rows (up to and including a 栏次/column-number row) and the data rows after them."""
    for i, row in enumerate(rows):
        if is_header_terminator(row.cells):
            return rows[: i + 1], rows[i + 1 :]
        if is_data_row(row.cells):
            return rows[:i], rows[i:]
    return rows, []


def declares_empty(text: str) -> bool:
    """`本部门2024年度无国有资本经营预算财政拨款支出。`, `故本表无数据` and the like."""
    s = squeeze(text)
    return bool(
        regex.search(r"(本部门|本单位|我部门|我单位|本局|单位|部门)[^。]{0,20}(无|没有)[^。]{0,40}(收入|支出|数据|经费)", s)
        or regex.search(r"本表(为空|无数据)|故本表无数据|此表为空|空表", s)
    )


# ---------------------------------------------------------------- documents that are not 部门决算

# A region's own accounts (政府决算, 决算草案): tables of the budget's revenue and spending, not of a department's
# 财政拨款. `一般公共预算财政拨款支出决算表` is a department's; `一般公共预算收入决算表` is a region's.
_GOVERNMENT_TABLE = regex.compile(r"(?:一般公共预算|政府性基金(?:预算)?|社会保险基金(?:预算)?|国有资本经营预算)(?!财政拨款)(?:收入|支出|收支)(?:决算|预算执行情况)(?:总)?表")
_GOVERNMENT_REPORT = regex.compile(r"决算草案|总决算|财政决算|本级决算|预算执行情况的报告")
GOVERNMENT_MINIMUM = 2  # two such tables (or the report's own words) make it a region's accounts


def refusal(tables, cover_text: str, texts) -> str | None:
    """Why a document whose tables look like the nine is not a 部门决算, or None: a 预算 (its tables hold budgets),
    or a government's 决算 (region totals). `texts`: captions and narrative lines to look for their titles in."""
    cover = squeeze(cover_text)
    own = "部门决算" in cover or "单位决算" in cover
    government_tables = {m.group() for text in texts for m in _GOVERNMENT_TABLE.finditer(squeeze(text))}
    if not own and (_GOVERNMENT_REPORT.search(cover) or len(government_tables) >= GOVERNMENT_MINIMUM):
        return "a government 决算 (region totals), not a 部门决算"
    titled_final = any("决算" in (t.title or "") for t in tables if t.identified_by == "title")
    headers = " ".join(squeeze(c) for t in tables for r in t.header_rows for c in r.cells)
    if not titled_final and ("预算" in cover or ("预算数" in headers and "决算数" not in headers)):
        return "a 预算 (budget) document, not a 决算; its tables are not 决算 tables"
    return None


def structure_fits(schema: TableSchema, labels: set[str]) -> bool:
    """A table found by its number alone (`表1`) must also be laid out as that 部门决算 table: two sides for the
    总表, code columns and one of its measures for the coded tables, 人员/公用经费 for t06, 三公 items for t09."""
    joined = "|".join(labels)
    measure_words = [squeeze(a) for m in schema.measures for a in m.aliases]
    if schema.layout == "two_sided":
        return "收入" in joined and "支出" in joined
    if schema.layout == "economic":
        return "人员经费" in joined or "公用经费" in joined or "经济分类" in joined
    if schema.layout == "single_row":
        return "因公出国" in joined or "公务接待" in joined
    coded = any(w in joined for w in ("科目编码", "编码", "科目名称", "功能分类", "类", "款"))
    return coded and any(w in joined for w in measure_words if len(w) > 2)
