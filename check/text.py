"""文字: defects a reader sees in the words, not in the figures: placeholders left from the template, a year
that contradicts the document's, doubled punctuation. Each is a warning with the text it was found in."""
from __future__ import annotations

from collections import Counter

import regex

from check.results import finding
from extract.identify import find_year
from normalize.document import NormalizedDocument
from normalize.labels import PLACEHOLDER, nfkc

_DOUBLED = regex.compile(r"[。,、;:!?，；：！？]\s*[。,、;:!?，；：！？]")
_AS_OF = regex.compile(r"截[至止](\d{4})年\s*12\s*月\s*31\s*日")
_VERSUS = regex.compile(r"(?:与|比|较)(\d{4})年度?(?:相比|相较|增|减|下降|上升|持平|决算)")
_REPORT_TITLE = regex.compile(r"(?<![与比较同上]\s*)(\d{4})\s*年度?\s*(?:部门|单位)决算")  # `XX局2024年度部门决算`
_OWN_YEAR = regex.compile(r"^\s*(\d{4})年度?\s*(?:部门决算|单位决算|收[、,，]?\s*支总计|收入合计|支出合计|财政拨款|一般公共预算财政拨款|"
                          r"[\"“”]?三公[\"“”]?经费|机关运行经费|政府采购|本部门|本单位)")
SNIPPET = 40


def document_year(doc: NormalizedDocument) -> int | None:
    """The year the document reports on: what its table titles and standard sentences mostly say, else its cover."""
    years = Counter(y for y in (find_year(t.title) for t in doc.raw.tables) if y)
    years.update(int(m.group(1)) for p in doc.paragraphs if (m := _OWN_YEAR.match(nfkc(p.text))))
    if doc.raw.year:
        years[doc.raw.year] += 1
    return years.most_common(1)[0][0] if years else None


def _texts(doc: NormalizedDocument):
    """Every text a reader reads, as (text, kind, where, page): the 说明 paragraphs, table titles, the department
    name, row names."""
    for p in doc.paragraphs:
        yield nfkc(p.text), "说明", "说明", p.page
    for table in doc.raw.tables:
        yield table.title, "title", table.table_id, table.pages[0] if table.pages else None
    if doc.raw.department:
        yield doc.raw.department, "部门", "部门", None
    for table in doc.tables.values():
        for row in table.rows:
            yield row.name, "row", table.id, row.page


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(0, start - SNIPPET // 2): end + SNIPPET // 2]


def placeholders(doc: NormalizedDocument) -> list[dict]:
    out = []
    for text, _, where, page in _texts(doc):
        for m in PLACEHOLDER.finditer(text):
            out.append(finding("TXT-PLACEHOLDER", "无模板占位符（XX、××、某某）", where, m.group(), "warn", _snippet(text, m.start(), m.end()), str(page or "")))
    return out or [finding("TXT-PLACEHOLDER", "无模板占位符（XX、××、某某）", "", "", "pass")]


def _wrong_years(text: str, kind: str, year: int):
    """(match, the year it should say) for each year in the text that contradicts the document's."""
    for m in _AS_OF.finditer(text):
        if int(m.group(1)) != year:
            yield m, year
    for m in _VERSUS.finditer(text):
        if int(m.group(1)) != year - 1:
            yield m, year - 1
    own = _OWN_YEAR.match(text) if kind == "说明" else regex.search(r"(\d{4})年", text) if kind == "title" else None
    if own is not None and int(own.group(1)) != year:
        yield own, year
    for m in _REPORT_TITLE.finditer(text):
        if int(m.group(1)) != year and (own is None or m.start() != own.start()):
            yield m, year


def years(doc: NormalizedDocument) -> list[dict]:
    year = document_year(doc)
    if year is None:
        return [finding("TXT-YEAR", "年份与文档年度一致", "", "", "skipped", "文档未写明年度")]
    out = []
    for text, kind, where, page in _texts(doc):
        for match, expected in _wrong_years(text, kind, year):
            out.append(finding("TXT-YEAR", "年份与文档年度一致", where, match.group(), "warn",
                               f"{_snippet(text, match.start(), match.end())}（本文档为{year}年度决算，应为{expected}）", str(page or "")))
    return out or [finding("TXT-YEAR", "年份与文档年度一致", "", str(year), "pass")]


def punctuation(doc: NormalizedDocument) -> list[dict]:
    out = []
    for p in doc.paragraphs:
        if p.ocr:
            continue  # punctuation is where OCR is least reliable (`；` read as `;,`)
        for m in _DOUBLED.finditer(p.text):
            out.append(finding("TXT-PUNCT", "标点无重复", "说明", m.group(), "warn", _snippet(p.text, m.start(), m.end()), str(p.page or "")))
    return out or [finding("TXT-PUNCT", "标点无重复", "", "", "pass")]
