"""What a check says, in one shape for every family of checks: the rows of checks.csv, their categories,
and the document's verdict.

Statuses:
- `fail`: printed figures contradict each other (within a table, between tables, 说明 against tables,
  说明 arithmetic, wording against its own numbers);
- `warn`: a defect a reader should see that is not a numeric contradiction (a code or name not in the
  reference for that year, a rate stated against a zero 年初预算, doubled punctuation, a placeholder);
- `rounding`: off by no more than the rounding of the printed cells (尾数误差);
- `pass`; `skipped`: nothing to compare (a table or row absent, a cell unreadable).
Verdict: the worst status of any check; `empty` for a document whose tables hold no values (a blank template).
"""
from __future__ import annotations

from decimal import Decimal

from normalize.amounts import format_amount

CHECK_COLUMNS = ["check_id", "category", "description", "tables", "row_keys", "expected", "actual", "difference", "status",
                 "reason", "pages", "cells"]
STATUSES = ("fail", "warn", "rounding", "pass", "skipped")
VERDICTS = ("fail", "warn", "rounding", "pass", "empty")

IDENTITIES, NARRATIVE, COMPLETENESS, SUBJECTS, WORDING = "表内/表间", "说明↔表", "完整性", "科目", "文字"
CATEGORIES = (IDENTITIES, NARRATIVE, COMPLETENESS, SUBJECTS, WORDING)
# Check ids by prefix, longest first: every check id belongs to one category.
_CATEGORY_BY_PREFIX = (
    ("DOC-CODE", SUBJECTS), ("X-NAMES", SUBJECTS), ("DOC-", COMPLETENESS), ("TXT-", WORDING), ("N-WORDING", WORDING),
    ("N-", NARRATIVE), ("", IDENTITIES),
)
STATUS_LABELS = {"fail": "矛盾", "warn": "提示", "rounding": "尾数误差", "pass": "通过", "skipped": "未检查", "empty": "空表"}


def category_of(check_id: str) -> str:
    return next(category for prefix, category in _CATEGORY_BY_PREFIX if check_id.startswith(prefix))


def finding(check_id: str, description: str, tables: str, keys: str, status: str, reason: str = "", pages: str = "",
            expected=None, actual=None, difference=None, cells: str = "") -> dict:
    """One row of checks.csv; amounts as printed strings (Decimal -> plain, at least two decimals)."""
    assert status in STATUSES, status
    return {"check_id": check_id, "category": category_of(check_id), "description": description, "tables": tables, "row_keys": keys,
            "expected": _text(expected), "actual": _text(actual), "difference": _text(difference), "status": status, "reason": reason,
            "pages": pages, "cells": cells}


def _text(value) -> str:
    if value is None:
        return ""
    return format_amount(value) if isinstance(value, Decimal) else str(value)


def verdict_of(results: list[dict], has_values: bool) -> str:
    if not has_values:
        return "empty"
    statuses = {r["status"] for r in results}
    return next((s for s in ("fail", "warn", "rounding") if s in statuses), "pass")


def worse_or_equal(verdict: str, level: str) -> bool:
    """`fail` reaches `warn`; `warn` does not reach `fail` (for --fail-on)."""
    order = {"fail": 0, "warn": 1, "rounding": 2, "pass": 3, "empty": 4}
    return order.get(verdict, 9) <= order[level]
