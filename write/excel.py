"""Excel workbooks analysts open directly and use without fixing: a cover sheet naming the document, a long
明细 sheet as an Excel Table (autofilter, sortable), a sheet per standard table, 校验 (checks) and 修复 (repairs),
and a 字段说明 sheet giving each column's Chinese label, field name and meaning. Chinese headers, fitted column
widths, codes as text, amounts as numbers (two decimals shown, the unit in every sheet), statuses in Chinese.

Written with xlsxwriter, set never to turn a string into a formula, number or link: `=HYPERLINK(…)` stays text."""
from __future__ import annotations

from decimal import Decimal
from itertools import chain, islice
from pathlib import Path

import regex
import xlsxwriter

from check.results import STATUS_LABELS
from write.cells import excel_text

# column -> (Chinese label, meaning): the header of every sheet and the 字段说明 sheet
FIELDS = {
    "doc_id": ("文档编号", "输出文件夹名，由源文件名生成"), "department": ("部门", "决算公开的部门"), "region": ("地区", "部门名称中的行政区划"),
    "level": ("级次", "科目级次（类/款/项）；在“文档”表中为行政级别（中央/省/市/区县/乡镇）"), "admin_level": ("行政级别", "中央/省/市/区县/乡镇"),
    "province": ("省份", "部门名称中的省级行政区"), "year": ("年度", "决算年度"), "table": ("表", "标准表编号 t01–t09"), "side": ("收支", "收入或支出（总表）"),
    "code": ("科目编码", "政府收支分类科目编码（文本）"), "name": ("科目名称", "行名称"), "measure": ("栏目", "金额所在的栏"),
    "value": ("金额", "印出的金额（单位见“单位”）"), "unit": ("单位", "金额单位：元/千元/万元/亿元"), "value_yuan": ("金额（元）", "换算为元的金额，可跨文档相加"),
    "page": ("页码", "所在页（PDF）"), "line": ("行", "所在行"), "bbox": ("位置", "页面上的位置：左 上 右 下（磅）"), "repaired": ("已修复", "是否经勾稽关系修复"),
    "note": ("备注", "识别或修复的说明"), "source": ("读取方式", "text-layer 文字层 / ocr 图像识别 / text-export 文本导出"),
    "confidence": ("识别置信度", "OCR 置信度（0–1）"), "source_file": ("来源文件", "源文件名"), "source_sha256": ("源文件校验和", "SHA-256"),
    "check_id": ("校验编号", "勾稽关系编号"), "category": ("类别", "表内/表间、说明↔表、完整性、科目、文字"), "description": ("校验内容", "检查的关系"),
    "tables": ("涉及表", ""), "row_keys": ("涉及单元格", ""), "expected": ("应为", "由关系算出的值"), "actual": ("实为", "印出的值"),
    "difference": ("差额", "实为 − 应为"), "status": ("结果", "矛盾/提示/尾数误差/通过/未检查"), "verdict": ("结论", "全部检查中最严重的结果"),
    "reason": ("原因", ""), "pages": ("页码", ""), "cells": ("单元格地址", "表|收支|编码或名称|栏目"), "as_read": ("识别值", "修复前读到的内容"),
    "repaired_value": ("修复值", ""), "identities": ("依据", "支持修复的勾稽关系"), "how": ("方式", "如何修复"), "file": ("文件", ""),
    "group": ("批次文件夹", ""), "tables_found": ("找到的表", ""), "folder": ("输出文件夹", ""), "stage": ("阶段", ""), "kind": ("错误类型", ""),
    "message": ("说明", ""), "fail": ("矛盾", ""), "warn": ("提示", ""), "rounding": ("尾数误差", ""), "pass": ("通过", ""), "skipped": ("未检查", ""),
    "repairs": ("修复", ""), "output": ("输出", ""),
    "subject": ("事项", "说明所述数字的主题"), "sentence": ("原句", ""), "section": ("章节", ""), "heading": ("标题", ""), "text": ("正文", ""),
    "lines": ("行", ""), "lei": ("类", ""), "kuan": ("款", ""), "xiang": ("项", ""), "budget_base": ("预算口径", "年初预算/全年预算"),
    "budget": ("预算数", ""), "rate": ("完成率/执行率（%）", ""), "direction": ("增减", "决算数大于/小于/等于预算数"),
    "title": ("标题", ""), "project": ("项目", ""), "implementer": ("实施单位", ""), "budget_basis": ("预算口径", "全年预算数/年初预算数/预算数"),
    "spent": ("执行数", ""), "weight": ("分值", "预算执行的分值"), "score": ("得分", ""), "total": ("总分", ""), "filled": ("填报日期", ""),
    "level1": ("一级指标", ""), "level2": ("二级指标", ""), "level3": ("三级指标", ""), "target": ("目标值", ""),
    "target_op": ("目标比较符", ""), "target_value": ("目标数值", ""), "target_unit": ("目标单位", ""), "actual_op": ("实际比较符", ""),
    "actual_value": ("实际数值", ""), "actual_unit": ("实际单位", ""),
}
TEXT_COLUMNS = {"code", "doc_id", "source", "source_file", "source_sha256"}
STATUS_COLUMNS = {"status", "verdict"}
AMOUNT_FORMAT = "#,##0.00"
MAX_WIDTH, MIN_WIDTH = 48, 6
WIDTH_SAMPLE = 2000  # rows a column's width is fitted to
TABLE_STYLE = "Table Style Light 9"
LITERAL = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
TABLE_ROWS_IN_MEMORY = 200_000  # a larger sheet streams (constant memory) with an autofilter instead of a Table


class Book:
    """An xlsxwriter workbook and its cell formats."""

    def __init__(self, path: Path, streaming: bool = False, small: bool = False):
        # a small workbook (one document's) is assembled in memory, without a temporary file per part; a batch's
        # parts go through temporary files, so that their XML is never all in memory at once
        self.workbook = xlsxwriter.Workbook(str(path), {**LITERAL, "constant_memory": streaming, "in_memory": small and not streaming})
        self.streaming = streaming
        self.bold = self.workbook.add_format({"bold": True})
        self.amount = self.workbook.add_format({"num_format": AMOUNT_FORMAT})
        self.text = self.workbook.add_format({"num_format": "@"})
        self.titles: set[str] = set()

    def sheet(self, title: str):
        name = _sheet_title(title)
        while name in self.titles:
            name = name[:29] + f"_{len(self.titles)}"
        self.titles.add(name)
        return self.workbook.add_worksheet(name)


def label(column: str) -> str:
    return FIELDS.get(column, (column, ""))[0]


def new_workbook(path: Path, streaming: bool = False, small: bool = False) -> Book:
    return Book(path, streaming, small)


def save(book: Book) -> None:
    if not book.titles:
        book.sheet("空")
    book.workbook.close()


def add_sheet(book: Book, title: str, columns: list[str], rows, amount_columns: set[str], as_table: bool = False) -> None:
    """Bold Chinese header, frozen first row, fitted widths (from the first rows), typed cells; `rows` may be any
    iterable of dicts (streamed from a database). `as_table` makes it an Excel Table (autofilter and sorting on every
    column) — or, streaming a large batch, an autofilter."""
    sheet = book.sheet(title)
    headers = _unique([label(c) for c in columns])
    formats = [book.amount if c in amount_columns else (book.text if c in TEXT_COLUMNS else None) for c in columns]
    rows = iter(rows)
    cell_values = ([_value(c, row.get(c), amount_columns) for c in columns] for row in rows)
    sample = list(islice(cell_values, WIDTH_SAMPLE))
    for index, column in enumerate(columns):
        sheet.set_column(index, index, _width(headers[index], (v[index] for v in sample)))
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, headers, book.bold)
    count = 0
    for count, values in enumerate(chain(sample, cell_values), start=1):
        for c, value in enumerate(values):
            _write(sheet, count, c, value, formats[c])
    if as_table and count and columns:
        last = (count, len(columns) - 1)
        if book.streaming or count > TABLE_ROWS_IN_MEMORY:
            sheet.autofilter(0, 0, *last)
        else:
            sheet.add_table(0, 0, *last, {"columns": [{"header": h} for h in headers], "style": TABLE_STYLE, "name": _table_name(title)})


def add_cover(book: Book, title: str, facts: list[tuple[str, object]]) -> None:
    """The first sheet: what the workbook is (document, department, year, unit, verdict …), one line each."""
    sheet = book.sheet(title)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, _width("", (_display(v) for _, v in facts)))
    for r, (key, value) in enumerate(facts):
        sheet.write_string(r, 0, key, book.bold)
        _write(sheet, r, 1, _display(value), None)


def add_field_notes(book: Book, columns: list[str]) -> None:
    """字段说明: each column's Chinese label, the field name the CSV/Parquet files use, and its meaning."""
    sheet = book.sheet("字段说明")
    for index, width in enumerate((14, 16, 60)):
        sheet.set_column(index, index, width)
    sheet.write_row(0, 0, ("中文列名", "字段名", "含义"), book.bold)
    for r, column in enumerate(dict.fromkeys(columns), start=1):
        sheet.write_row(r, 0, (label(column), column, FIELDS.get(column, ("", ""))[1]))


def _write(sheet, row: int, col: int, value, cell_format) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, excel_text(value), cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _value(column: str, value, amount_columns: set[str]):
    if value is None or value == "":
        return None
    if column in amount_columns:  # Excel stores binary floats; the CSV/Parquet keep the exact decimals
        return float(value) if isinstance(value, Decimal) else float(Decimal(str(value)))
    if column in STATUS_COLUMNS:
        return STATUS_LABELS.get(str(value), str(value))
    if column in TEXT_COLUMNS:
        return str(value)
    if column == "year" and str(value).isdigit():
        return int(value)
    if isinstance(value, (int, float, bool)):
        return value
    return str(value)


def _display(value):
    return STATUS_LABELS.get(value, value) if isinstance(value, str) else value


def _width(header: str, values) -> float:
    """Characters wide enough for the header and the longest value (CJK characters count twice), within bounds."""
    distinct = {(type(v), v) for v in values}  # columns repeat their values (units, tables, names): each is measured once
    longest = max([_display_width(header)] + [_display_width(_text(v)) for _, v in distinct])
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _text(value) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


_WIDE = regex.compile("[\u2e81-\U0010ffff]")  # characters a spreadsheet shows two columns wide (CJK)


def _display_width(text: str) -> int:
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def _unique(headers: list[str]) -> list[str]:
    """Excel Tables need distinct column names."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}{seen[h]}")
    return out


def _table_name(title: str) -> str:
    return "T_" + "".join(ch if ch.isalnum() else "_" for ch in title)[:200]


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, "_")
    return title[:31]
