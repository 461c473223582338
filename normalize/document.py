"""A whole document normalized: every table canonical, every code resolved across sibling tables."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from extract.model import RawDocument
from normalize.codes import CodeContext, CodeResolution, level_of, resolve_code
from normalize.model import CanonicalRow, CanonicalTable, Cell, DroppedRow
from normalize.labels import TOTAL_NAMES, clean_text, is_placeholder, name_in
from normalize.narrative import Item, StatedFigure, all_figures, narrative_items, split_numbers
from normalize.performance import Evaluation, parse_self_evaluations
from normalize.sections import Paragraph, build_paragraphs
from normalize.tables import canonicalize, decimal_counts, limit_decimals
from schemas import table_schemas




@dataclass
class NormalizedDocument:
    raw: RawDocument
    tables: dict[str, CanonicalTable] = field(default_factory=dict)
    paragraphs: list[Paragraph] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    figures: list[StatedFigure] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    text_hygiene: dict[str, int] = field(default_factory=dict)  # invisible characters removed, by kind
    narrative_unreadable: list[dict] = field(default_factory=list)  # 说明 numbers left unread (digits split by spaces)
    placeholders: list[dict] = field(default_factory=list)  # template rows (`XX(类)XX(款)`, `XX` indicators) kept out of the data
    names_cleaned: list[dict] = field(default_factory=list)  # project names OCR added a stray character to, as the 说明 prints them

    @property
    def missing(self) -> list[str]:
        return [s.id for s in table_schemas() if s.id not in self.tables]

    def problems(self) -> list[dict]:
        """Every cell or code that could not be read safely: left empty, listed for the reader."""
        found = []
        for table in self.tables.values():
            for row in table.rows:
                if row.code_problem:
                    found.append(_problem(table, row, "code", " ".join(row.code_cells), row.code_problem))
                for measure, cell in row.values.items():
                    if cell.problem and cell.value is None:
                        found.append(_problem(table, row, measure, cell.raw, cell.problem))
        return found


def _problem(table: CanonicalTable, row: CanonicalRow, measure: str, raw: str, problem: str) -> dict:
    return {
        "table": table.id,
        "side": row.side,
        "code": row.code or "",
        "name": row.name,
        "measure": measure,
        "as_printed": raw,
        "problem": problem,
        "page": row.page,
        "line": row.line,
    }


def normalize_document(raw: RawDocument) -> NormalizedDocument:
    doc = NormalizedDocument(raw=raw)
    doc.text_hygiene = clean_raw_text(raw)
    for raw_table in raw.tables:
        doc.tables[raw_table.table_id] = canonicalize(raw_table)
    precision = sum((decimal_counts(t) for t in doc.tables.values()), Counter())
    for table in doc.tables.values():
        limit_decimals(table, table.unit or raw.unit, precision)
    resolve_codes(doc.tables.values(), misreadable=lambda table: raw.kind == "text" or any(c.confidence is not None for _, _, c in table.cells()))
    doc.paragraphs = build_paragraphs(raw.narrative)
    doc.items = narrative_items(doc.paragraphs, doc.tables)
    doc.figures = all_figures(doc.paragraphs)
    doc.narrative_unreadable = split_numbers(doc.paragraphs)
    doc.evaluations = parse_self_evaluations(raw.other_tables)
    doc.placeholders = drop_placeholders(doc)
    doc.names_cleaned = clean_project_names(doc)
    return doc


def drop_placeholders(doc: NormalizedDocument) -> list[dict]:
    """Statements and 绩效 rows the template left blank (`1、XX(类)XX(款)XX(项)`, an indicator `XX`): not data."""
    dropped = [{"kind": "narrative item", "text": f"{i.lei}/{i.kuan}/{i.xiang}", "page": i.page} for i in doc.items
               if any(is_placeholder(n) for n in (i.lei, i.kuan, i.xiang))]
    doc.items = [i for i in doc.items if not any(is_placeholder(n) for n in (i.lei, i.kuan, i.xiang))]
    for e in doc.evaluations:
        dropped += [{"kind": "performance indicator", "text": i.level3, "page": e.pages[0] if e.pages else None} for i in e.indicators
                    if is_placeholder(i.level3) or is_placeholder(i.target)]
        e.indicators = [i for i in e.indicators if not (is_placeholder(i.level3) or is_placeholder(i.target))]
    dropped += [{"kind": "performance project", "text": e.project or e.title, "page": e.pages[0] if e.pages else None}
                for e in doc.evaluations if is_placeholder(e.project)]
    doc.evaluations = [e for e in doc.evaluations if not is_placeholder(e.project)]
    return dropped


def clean_project_names(doc: NormalizedDocument) -> list[dict]:
    """A 绩效 project named with a stray character OCR added takes the name the 说明 prints (listed)."""
    text = "".join(p.text for p in doc.paragraphs)
    cleaned = []
    for e in doc.evaluations:
        name = name_in(e.project, text)
        if name != e.project:
            cleaned.append({"as_read": e.project, "name": name})
            e.project = name
    return cleaned


def clean_raw_text(raw: RawDocument) -> dict[str, int]:
    """Control, bidi and zero-width characters removed from every cell, title, note and narrative line;
    never a reason to lose a document. Returns how many of each kind were removed."""
    counts: dict[str, int] = {}
    for table in raw.tables + raw.other_tables:
        table.title = clean_text(table.title, counts)
        table.notes = [clean_text(n, counts) for n in table.notes]
        if table.department:
            table.department = clean_text(table.department, counts)
        for row in table.header_rows + table.rows:
            row.cells = [clean_text(c, counts) if c else c for c in row.cells]
    for block in raw.narrative:
        block.text = clean_text(block.text, counts)
    if raw.department:
        raw.department = clean_text(raw.department, counts)
    return counts


def resolve_codes(tables, misreadable=lambda table: True) -> None:
    """Resolve every coded row, using names read cleanly in sibling tables as first evidence."""
    coded = [t for t in tables if t.schema.layout in ("coded", "economic")]
    siblings: dict[str, dict[str, set[str]]] = {"function": {}, "economic": {}}
    for table in coded:
        kind = _kind(table)
        for row, resolution in _walk(table, CodeContext(kind=kind, misreadable=misreadable(table))):
            if resolution.code and resolution.how in ("read", "joined") and not resolution.problem:
                siblings[kind].setdefault(row.name, set()).add(resolution.code)
    for table in coded:
        kind = _kind(table)
        for row, resolution in _walk(table, CodeContext(kind=kind, sibling_names=siblings[kind], misreadable=misreadable(table))):
            row.code = resolution.code
            row.code_how = resolution.how
            row.code_problem = resolution.problem
            row.level = level_of(resolution.code, kind)


def _kind(table: CanonicalTable) -> str:
    return "economic" if table.schema.layout == "economic" else "function"


def _walk(table: CanonicalTable, context: CodeContext):
    contexts = {}
    for row in table.rows:
        ctx = contexts.setdefault(row.block, CodeContext(kind=context.kind, sibling_names=context.sibling_names, misreadable=context.misreadable))
        if row.name in TOTAL_NAMES or row.name.endswith("经费合计"):
            yield row, CodeResolution(None, "none")
            continue
        resolution = resolve_code(row.code_cells, row.name, ctx)
        if resolution.code:
            ctx.advance(resolution.code)
        yield row, resolution
