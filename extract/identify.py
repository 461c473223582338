"""Shared by every extractor: which standard table a title, marker or header is, and table metadata."""
from __future__ import annotations

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
    for schema in table_schemas():
        for alias in (schema.title, *schema.aliases):
            alias_key = title_key(alias)
            if key.endswith(alias_key) and _title_prefix(key[: -len(alias_key)]):
                if best is None or len(alias_key) > best[0]:
                    best = (len(alias_key), schema)
    return best[1] if best else None


def _title_prefix(prefix: str) -> bool:
    """What may stand before a title: a department name, a year; not a sentence."""
    return len(prefix) <= 30 and not regex.search(r"[，。；,;:：]", prefix)


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
