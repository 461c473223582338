"""Linear identities between table cells, evaluated with the rounding envelope of published tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from normalize.amounts import decimals
from normalize.model import CanonicalRow, CanonicalTable, Cell

HALF = Decimal("0.5")


def cell_address(table: str, row: CanonicalRow, measure: str) -> str:
    return f"{table}|{row.side}|{row.code or row.name}|{measure}"


@dataclass(frozen=True)
class Ref:
    """One cell: table, row (object identity), measure."""

    table: str
    row: CanonicalRow = field(compare=False, hash=False)
    measure: str
    row_id: int = 0

    @staticmethod
    def of(table: CanonicalTable, row: CanonicalRow, measure: str) -> "Ref":
        return Ref(table.id, row, measure, id(row))

    @property
    def key(self) -> tuple:
        """The cell, whichever equation refers to it."""
        return (self.table, self.row_id, self.measure)

    @property
    def cell(self) -> Cell | None:
        return self.row.values.get(self.measure)

    @property
    def address(self) -> str:
        """The cell as checks.csv names it: table|side|code-or-name|measure."""
        return cell_address(self.table, self.row, self.measure)

    def label(self) -> str:
        who = self.row.code or self.row.name or "行"
        side = f"{self.row.side}:" if self.row.side else ""
        return f"{self.table}[{side}{who}].{self.measure.split('/', 1)[-1]}"


@dataclass
class Equation:
    """`total` = Σ sign × part; `kind` "eq" or "le" (total ≤ Σ parts)."""

    check_id: str
    description: str
    total: Ref
    parts: list[tuple[int, Ref]]
    kind: str = "eq"

    @property
    def refs(self) -> list[Ref]:
        return [self.total] + [r for _, r in self.parts]

    @property
    def tables(self) -> str:
        return ",".join(sorted({r.table for r in self.refs}))


def value_of(ref: Ref) -> Decimal | None:
    """Empty cells count as zero in sums; unreadable cells have no value (None)."""
    cell = ref.cell
    if cell is None:
        return Decimal(0)
    if cell.value is None:
        return None if cell.problem else Decimal(0)
    return cell.value


def tolerance(eq: Equation) -> Decimal:
    """(n + 1) × half a unit of the last printed digit, n = number of summed cells."""
    places = max([decimals(c.value) for c in (r.cell for r in eq.refs) if c is not None and c.value is not None] + [2])
    return (len(eq.parts) + 1) * HALF * Decimal(1).scaleb(-places)


@dataclass
class Evaluation:
    equation: Equation
    status: str  # pass / rounding / fail / skipped
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    reason: str = ""


def evaluate(eq: Equation) -> Evaluation:
    unreadable = [r for r in eq.refs if value_of(r) is None]
    if unreadable:
        return Evaluation(eq, "skipped", reason="无法识别的单元格：" + "、".join(r.label() for r in unreadable))
    expected = sum((sign * value_of(r) for sign, r in eq.parts), Decimal(0))
    actual = value_of(eq.total)
    difference = actual - expected
    if eq.kind == "le":
        status = "pass" if difference <= tolerance(eq) else "fail"
        return Evaluation(eq, status, expected, actual, difference)
    if difference == 0:
        status = "pass"
    elif abs(difference) <= tolerance(eq):
        status = "rounding"
    else:
        status = "fail"
    return Evaluation(eq, status, expected, actual, difference)


def same_cell(a: Ref, b: Ref) -> bool:
    return a.key == b.key
