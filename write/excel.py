"""Excel workbooks analysts open directly: a sheet per table with Chinese headers, codes as text,
amounts as numbers with two decimals, a 校验 sheet (checks) and a 修复 sheet (repairs)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from write.cells import excel_text

LABELS = {
    "doc_id": "文档", "department": "部门", "region": "地区", "year": "年度", "table": "表", "side": "收支", "code": "科目编码",
    "level": "级次", "name": "科目名称", "measure": "项目", "value": "金额", "unit": "单位", "page": "页码", "line": "行",
    "repaired": "已修复", "note": "说明", "source": "读取方式", "confidence": "识别置信度", "source_file": "来源文件", "check_id": "校验编号", "description": "校验内容", "tables": "涉及表",
    "row_keys": "涉及单元格", "expected": "应为", "actual": "实为", "difference": "差额", "status": "结果", "reason": "原因",
    "pages": "页码", "as_read": "识别值", "repaired_value": "修复值", "identities": "依据", "confidence": "置信度", "how": "方式",
}
TEXT_COLUMNS = {"code", "doc_id", "year", "source", "source_file"}
AMOUNT_FORMAT = "#,##0.00"
BOLD = Font(bold=True)


def label(column: str) -> str:
    return LABELS.get(column, column)


def add_sheet(workbook: Workbook, title: str, columns: list[str], rows: list[dict], amount_columns: set[str]) -> None:
    """A streamed (write-only) sheet: bold Chinese header, frozen first row, typed cells."""
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 36 if column == "name" else 14
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=label(column))
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    formats = [AMOUNT_FORMAT if c in amount_columns else ("@" if c in TEXT_COLUMNS else None) for c in columns]
    for row in rows:
        cells = []
        for column, number_format in zip(columns, formats):
            value = _value(column, row.get(column), amount_columns)
            if isinstance(value, str):
                cells.append(_text_cell(sheet, value, number_format))
            elif number_format is None or value is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        sheet.append(cells)


def _text_cell(sheet, text: str, number_format: str | None) -> WriteOnlyCell:
    """Always a string cell, never a formula (`=HYPERLINK(…)` stays text)."""
    cell = WriteOnlyCell(sheet, value=excel_text(text))
    cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _value(column: str, value, amount_columns: set[str]):
    if value is None or value == "":
        return None
    if column in amount_columns:
        return float(Decimal(str(value)))  # Excel stores binary floats; the CSV/Parquet keep the exact decimals
    if column in TEXT_COLUMNS:
        return str(value)
    return value


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, "_")
    return title[:31]


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(workbook: Workbook, path: Path) -> None:
    if not workbook.sheetnames:
        workbook.create_sheet("空")
    workbook.save(path)
