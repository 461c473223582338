"""What the HTML report says about each cell and each check, linked both ways through the cell addresses
checks.csv carries (`table|side|code-or-name|measure`, see `check.equations.cell_address`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from check.equations import cell_address
from check.repair import Repair
from check.run import CheckReport
from normalize.amounts import format_amount
from normalize.document import NormalizedDocument
from normalize.model import CanonicalRow, Cell
from write.tables import READ_FROM

@dataclass
class CellView:
    index: int
    table: str
    row: CanonicalRow
    measure: str
    cell: Cell
    address: str
    state: str = "neutral"
    checks: list[int] = field(default_factory=list)  # indices into the report's checks
    repair: Repair | None = None

    @property
    def anchor(self) -> str:
        return f"c{self.index}"


@dataclass
class CheckView:
    index: int
    result: dict  # the checks.csv row
    addresses: list[str]
    cells: list[int] = field(default_factory=list)  # indices of the cells its addresses name
    pages: list[int] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"k{self.index}"

    @property
    def status(self) -> str:
        return self.result["status"]


def address_label(address: str) -> str:
    """`t04|收入|总计|收入/决算数` as the checks print it: `t04[收入:总计].决算数`."""
    table, side, who, measure = (address.split("|") + ["", "", ""])[:4]
    return f"{table}[{side + ':' if side else ''}{who or '行'}].{measure.split('/', 1)[-1]}"


def measure_label(side: str, measure: str) -> str:
    """A two-sided table's measure without its side (`收入/决算数` -> `决算数`); other measures as they are."""
    prefix = side + "/"
    return measure[len(prefix):] if side and measure.startswith(prefix) else measure


def parse_pages(text: str) -> list[int]:
    return sorted({int(part) for part in str(text or "").replace(";", ",").split(",") if part.strip().isdigit()})


def build_views(doc: NormalizedDocument, report: CheckReport) -> tuple[list[CellView], list[CheckView]]:
    """Every cell worth showing and every check, each knowing the other."""
    checks = [CheckView(i, r, [a for a in r.get("cells", "").split(";") if a], pages=parse_pages(r.get("pages")))
              for i, r in enumerate(report.results)]
    named = {a for check in checks for a in check.addresses}
    repairs = {f"{r.table}|{r.side}|{r.code or r.name}|{r.measure}": r for r in report.repairs if not r.measure.startswith("(")}
    cells = []
    for table in doc.tables.values():
        for row, measure, cell in table.cells():
            address = cell_address(table.id, row, measure)
            if _worth_showing(cell) or address in named:
                cells.append(CellView(len(cells), table.id, row, measure, cell, address, repair=repairs.get(address)))
    by_address: dict[str, list[CellView]] = {}
    for view in cells:
        by_address.setdefault(view.address, []).append(view)
    for check in checks:
        for address in dict.fromkeys(check.addresses):
            for view in by_address.get(address, []):
                check.cells.append(view.index)
                view.checks.append(check.index)
    for view in cells:
        view.state = _state(view, checks)
    return cells, checks


def _worth_showing(cell: Cell) -> bool:
    return bool(cell.raw.strip()) or cell.value is not None or bool(cell.problem) or cell.repaired


def _state(view: CellView, checks: list[CheckView]) -> str:
    """How a cell is outlined, most telling first: a cell that fails a check is red even when it was repaired."""
    if any(checks[k].status == "fail" for k in view.checks):
        return "fail"
    if view.cell.repaired:
        return "repaired"
    if view.cell.problem and view.cell.value is None:
        return "unreadable"
    return "neutral"


def read_from(cell: Cell, kind: str) -> str:
    if cell.confidence is not None:
        return f"ocr (confidence {cell.confidence:.2f})"
    return READ_FROM.get(kind, kind)


def cell_details(view: CellView, kind: str) -> dict:
    """What the report shows on hovering or clicking a cell (JSON for the page's script)."""
    cell, row = view.cell, view.row
    details = {
        "label": address_label(view.address),
        "row": " ".join(filter(None, [row.side, row.code or "", row.name])),
        "measure": measure_label(row.side, view.measure),
        "raw": cell.raw,
        "value": format_amount(cell.value) if cell.value is not None else "",
        "state": view.state,
        "source": read_from(cell, kind),
        "page": cell.page,
        "line": cell.line if kind == "text" else None,  # in a PDF the row's index on the page, not a line a reader can find
        "problem": cell.problem or "",
        "note": cell.note if view.repair is not None else cell.repair or cell.note,  # a repair is shown in full below
        "checks": view.checks,
    }
    if view.repair is not None:
        r = view.repair
        details["repair"] = {"as_read": r.as_read, "repaired": r.repaired, "how": r.how, "evidence": r.identities,
                             "confidence": r.confidence}
    return _without_empty(details)


def _without_empty(details: dict) -> dict:
    """The report's script reads an absent field as empty: a thousand cells need not say so one by one."""
    return {k: v for k, v in details.items() if v not in ("", None, [])}
