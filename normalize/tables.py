"""Raw table grids -> canonical tables, driven by the declarations in `schemas/`."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from dataclasses import dataclass

import regex

from extract.identify import declares_empty, header_labels, is_header_terminator
from extract.model import OCR_CELL_READABLE, RawRow, RawTable
from normalize.amounts import AMOUNT_SCALE, UNIT_DECIMALS, decimals, in_yuan, looks_like_amount, parse_amount
from normalize.junk import is_code_fragment_noise, junk_reason
from normalize.labels import has_cjk, normalize_name, squeeze
from normalize.model import CanonicalRow, CanonicalTable, Cell, DroppedRow
from schemas import Measure, TableSchema, classification, table_schema

NAME_WORDS = ("科目名称", "项目", "名称", "项目名称", "科目")
LINE_WORDS = ("行次", "行")
_CODE_AND_NAME = regex.compile(r"^(\d{3}[\d ]*+)\s*+(\p{Han}.*)$")  # on the stripped cell; possessive: linear in its length


@dataclass(frozen=True)
class Column:
    index: int
    role: str  # "code", "name", "line", "value", "ignore"
    measure: str | None = None


# ---------------------------------------------------------------- header analysis


def header_paths(header_rows: list[RawRow], width: int, spans_known: bool) -> list[list[str]]:
    """For each column, its header labels from top to bottom.

    Without cell spans (text exports), a label in an upper header row covers the empty
    cells to its right, as a merged cell does on paper.
    """
    rows = [[squeeze(c) for c in r.cells] + [""] * (width - len(r.cells)) for r in header_rows]
    paths: list[list[str]] = [[] for _ in range(width)]
    for depth, cells in enumerate(rows):
        upper = depth < len(rows) - 1 and not is_header_terminator(header_rows[depth].cells)
        carried = ""
        for c in range(width):
            label = cells[c]
            if label:
                carried = label
            elif upper and not spans_known:
                label = carried
            if label and (not paths[c] or paths[c][-1] != label):
                paths[c].append(label)
    return paths


def match_measure(path: list[str], measures: tuple[Measure, ...]) -> Measure | None:
    """The measure a column is, deepest header cell first; exact wording before containment."""
    for label in reversed(path):
        for m in measures:
            if any(label == squeeze(a) for a in m.aliases):
                return m
    for label in reversed(path):
        hits = [(len(squeeze(a)), i, m) for i, m in enumerate(measures) for a in m.aliases if squeeze(a) in label]
        if hits:
            return max(hits, key=lambda h: (h[0], -h[1]))[2]
    return None


def column_role(path: list[str], schema: TableSchema, side: str | None = None) -> Column | None:
    measures = tuple(m for m in schema.measures if side is None or m.side in (None, side))
    if schema.groups:
        measure_id = _grouped_measure(path, schema)
        if measure_id:
            return Column(-1, "value", measure_id)
    else:
        m = match_measure(path, measures)
        if m is not None:
            return Column(-1, "value", m.id)
    for label in reversed(path):
        if label in LINE_WORDS:
            return Column(-1, "line")
        if label in NAME_WORDS:
            return Column(-1, "name")
        if label in ("栏次",):
            continue
        if "编码" in label or "代码" in label or label in ("类", "款", "项", "类款项"):
            return Column(-1, "code")
    return None


def _grouped_measure(path: list[str], schema: TableSchema) -> str | None:
    group = next(
        (g.id for label in reversed(path) for g in schema.groups if any(squeeze(a) in label for a in g.aliases)), None
    )
    item = match_measure([p for p in path if not any(squeeze(a) == p for g in schema.groups for a in g.aliases)], schema.measures)
    return f"{group}/{item.id}" if group and item else None


# ---------------------------------------------------------------- table building


def canonicalize(raw: RawTable) -> CanonicalTable:
    schema = table_schema(raw.table_id)
    table = CanonicalTable(
        schema=schema,
        title=raw.title,
        unit=raw.unit,
        pages=list(raw.pages),
        identified_by=raw.identified_by,
        engine=raw.engine,
        notes=list(raw.notes),
    )
    table.declared_empty = any(declares_empty(n) for n in raw.notes)
    for row in raw.repeated:
        _drop(table, row, "total row repeated on a continuation page (kept once)")
    builder = {
        "two_sided": _two_sided,
        "coded": _coded,
        "economic": _economic,
        "single_row": _single_row,
    }[schema.layout]
    builder(raw, table)
    if not table.measures:
        table.measures = list(schema.standard_columns)
    return table


def _width(raw: RawTable) -> int:
    return max([len(r.cells) for r in raw.header_rows + raw.rows] or [0])


def _cell(raw_text: str | None, row: RawRow, index: int | None = None) -> Cell:
    amount = parse_amount(raw_text)
    box = row.boxes[index] if row.boxes and index is not None and 0 <= index < len(row.boxes) else None
    confidence = row.confidences[index] if row.confidences and index is not None and 0 <= index < len(row.confidences) else None
    if confidence is not None and confidence < OCR_CELL_READABLE:
        problem = f"OCR could not read it safely (confidence {confidence:.2f})"
        return Cell(None, raw_text or "", row.page, row.line, problem, box=box, confidence=confidence)
    return Cell(amount.value, raw_text or "", row.page, row.line, amount.problem, amount.note, box=box, confidence=confidence)


def _drop(table: CanonicalTable, row: RawRow, reason: str) -> None:
    table.dropped.append(DroppedRow(reason, "\t".join(c or "" for c in row.cells).strip(), row.page, row.line))


def _data_rows(raw: RawTable, table: CanonicalTable):
    labels = header_labels(raw.header_rows)
    for row in raw.rows:
        reason = junk_reason(row.cells, labels)
        if reason:
            _drop(table, row, reason)
            continue
        yield row


def _add_measures(table: CanonicalTable, measures: list[str]) -> None:
    ordered = [m for m in table.schema.standard_columns if m in measures]
    extra = [m for m in measures if m not in ordered]
    table.measures = ordered + [m for m in extra if m not in table.measures]


# -- coded tables (t02 t03 t05 t07 t08): code cells, a name, then values in header order


def _coded(raw: RawTable, table: CanonicalTable) -> None:
    schema = table.schema
    width = _width(raw)
    paths = header_paths(raw.header_rows, width, raw.header_spans_known)
    roles = [column_role(p, schema) for p in paths]
    name_col = next((i for i, r in enumerate(roles) if r and r.role == "name"), None)
    after_name = [_value_measure(roles[i], paths[i]) for i in range((name_col or 0) + 1, width)]
    after_name = _trim(after_name)
    header_measures = [m for m in after_name if m]
    data = list(_data_rows(raw, table))
    most_values = max((len(_trim([c if squeeze(c) else None for c in _split_row(r.cells, name_col, width)[2]])) for r in data), default=0)
    if not header_measures and 0 < most_values <= len(schema.standard_columns):
        after_name = list(schema.standard_columns)  # header unreadable: the national template's column order
        table.header_mapping = "standard"
    _add_measures(table, [m for m in after_name if m] or list(schema.standard_columns))
    for row in data:
        code_cells, name, value_cells = _split_row(row.cells, name_col, width)
        canonical = CanonicalRow(side="", name=normalize_name(name), page=row.page, line=row.line)
        noise = [c for c in code_cells if is_code_fragment_noise(c)]
        if noise and regex.search(r"\p{Han}", "".join(noise)):
            table.dropped.append(DroppedRow("garbled header fragment in code cells", " ".join(noise), row.page, row.line))
        canonical.code_cells = [c for c in code_cells if not is_code_fragment_noise(c)]
        first_value = len(row.cells) - len(value_cells)  # where the value cells start in the printed row
        for i, text in enumerate(value_cells):
            measure = after_name[i] if i < len(after_name) else None
            if not squeeze(text) or measure == SKIP:
                continue
            if measure is None:
                measure = f"列{(name_col or 0) + 2 + i}"
                if measure not in table.measures:
                    table.measures.append(measure)
            canonical.values[measure] = _cell(text, row, first_value + i)
        if not canonical.name and not canonical.code_cells:
            if canonical.values:
                _drop(table, row, "values without a subject (row merged or split by OCR)")
            continue
        table.rows.append(canonical)


def is_code_fragment_noise_label(text: str) -> bool:
    """`类`, `款`, `项` labels (or their OCR garble) printed in the code columns of the first data row."""
    return squeeze(text) in ("类", "款", "项", "类款项", "类款", "款项")


SKIP = ""  # a column that carries no amounts (行次, 栏次)


def _value_measure(role: Column | None, path: list[str]) -> str | None:
    """The canonical measure of a value column, its own header wording for a column the schema does not know,
    SKIP for 行次-like columns, None when unknown."""
    if role is not None and role.role == "value":
        return role.measure
    if role is not None and role.role in ("line", "name", "code"):
        return SKIP
    if role is None and path:
        label = normalize_name(path[-1])
        if label and not label.isdigit() and label not in ("栏次", "项目"):
            return label
    return None


def _trim(items: list) -> list:
    while items and items[-1] is None:
        items.pop()
    return items


def _split_row(cells: list[str], name_col: int | None, width: int) -> tuple[list[str], str, list[str]]:
    """Code cells, name and value cells of one coded row, tolerant of merged or missing columns."""
    cells = [c or "" for c in cells]
    cells = _unmerge_code_and_name(cells)
    if name_col is not None and len(cells) == width:
        # Positional: values sit under their headers; the name may span the code columns (合计).
        named = [i for i in range(name_col + 1) if has_cjk(cells[i]) and not is_code_fragment_noise_label(cells[i])]
        name_at = name_col if has_cjk(cells[name_col]) or _is_words(cells[name_col]) else (named[-1] if named else None)
        if name_at is not None:
            return cells[:name_at], cells[name_at], cells[name_col + 1 :]
    first_amount = next((i for i, c in enumerate(cells) if looks_like_amount(c)), len(cells))
    han = [i for i in range(first_amount) if has_cjk(cells[i])] or [i for i in range(1, first_amount) if _is_words(cells[i])]
    if not han:
        leading = [i for i in range(first_amount) if squeeze(cells[i])]
        code_end = leading[-1] + 1 if leading else 0
        if name_col is not None and len(cells) == width:
            code_end = name_col + 1
        return cells[:code_end], "", cells[code_end:]
    i = han[-1]
    return cells[:i], cells[i], cells[i + 1 :]


def _is_words(cell: str) -> bool:
    """A name without Chinese (`-2+3`, `@SUM(1,1)`, `Other`): more than digits, spaces and rule strokes."""
    text = squeeze(cell)
    return bool(text) and not looks_like_amount(cell) and not is_code_fragment_noise_label(cell) and bool(regex.search(r"[^\d.,\-lI|丨｜]", text))


# -- two-sided statements (t01 t04)


def _unmerge_code_and_name(cells: list[str]) -> list[str]:
    """`229 其他支出` in one cell: the code stays, the name moves into the empty cell after it (or is inserted)."""
    out = list(cells)
    i = 0
    while i < len(out):
        m = _CODE_AND_NAME.match(out[i].strip())
        if m and not looks_like_amount(out[i]):
            out[i] = m.group(1).rstrip()
            if i + 1 < len(out) and not squeeze(out[i + 1]):
                out[i + 1] = m.group(2)
            else:
                out.insert(i + 1, m.group(2))
            i += 1
        i += 1
    return out


def _two_sided(raw: RawTable, table: CanonicalTable) -> None:
    schema = table.schema
    width = _width(raw)
    paths = header_paths(raw.header_rows, width, raw.header_spans_known)
    item_cols = [i for i, p in enumerate(paths) if "项目" in p and not _is_value(column_role(p, schema))]
    if len(item_cols) < 2:
        item_cols = _name_columns_from_data(raw, width)[:2]
    split = item_cols[1] if len(item_cols) >= 2 else _side_split(paths, width)
    sides = {"收入": (item_cols[0] if item_cols else 0, split), "支出": (split, width)}
    columns: dict[str, list[Column]] = {}
    measures: list[str] = []
    for side, (start, end) in sides.items():
        cols = []
        for c in range(start, end):
            role = column_role(paths[c], schema, side) if c != start else Column(c, "name")
            if role is None:
                role = Column(c, "ignore")
            cols.append(Column(c, role.role, role.measure))
        values = [c for c in cols if c.role == "value"]
        if not values:
            standard = [m.split("/", 1)[1] for m in schema.standard_columns if m.startswith(side + "/")]
            candidates = [c for c in cols if c.role == "ignore"]
            cols = [Column(c.index, c.role, c.measure) for c in cols if c.role != "ignore"] + [
                Column(c.index, "value", m) for c, m in zip(candidates[-len(standard):], standard)
            ]
            table.header_mapping = "standard"
        columns[side] = cols
        measures += [f"{side}/{c.measure}" for c in cols if c.role == "value"]
    _add_measures(table, measures)
    class_codes = {normalize_name(s.name): s.code for s in classification().values() if s.kind == "function" and len(s.code) == 3}
    seen: dict[str, set[str]] = {"收入": set(), "支出": set()}
    last_plain: dict[str, str] = {}
    for row in _data_rows(raw, table):
        cells = [c or "" for c in row.cells] + [""] * (width - len(row.cells))
        for side, cols in columns.items():
            name_col = next(c.index for c in cols if c.role == "name")
            printed = cells[name_col]
            name = normalize_name(printed)
            values = {f"{side}/{c.measure}": _cell(cells[c.index], row, c.index) for c in cols if c.role == "value" and squeeze(cells[c.index])}
            line_no = next((squeeze(cells[c.index]) for c in cols if c.role == "line" and squeeze(cells[c.index])), None)
            if not name:
                if values:
                    _drop(table, row, f"{side} values without an item")
                continue
            # A name printed again under a carry-over row (年初结转和结余 / 一般公共预算财政拨款 …) is that row's part.
            if name in seen[side] and side in last_plain:
                name = f"{last_plain[side]}/{name}"
            elif normalize_name(printed) == squeeze(printed):
                last_plain[side] = name
            seen[side].add(name)
            table.rows.append(
                CanonicalRow(
                    side=side,
                    name=name,
                    code=class_codes.get(name) if side == "支出" else None,
                    level="类" if side == "支出" and name in class_codes else None,
                    values=values,
                    page=row.page,
                    line=row.line,
                    line_no=line_no,
                )
            )


def _is_value(column: Column | None) -> bool:
    return column is not None and column.role == "value"


def _side_split(paths: list[list[str]], width: int) -> int:
    for c, p in enumerate(paths):
        if p and p[0] == "支出":
            return c
    return width // 2


# -- economic blocks side by side (t06)


def _economic(raw: RawTable, table: CanonicalTable) -> None:
    width = _width(raw)
    paths = header_paths(raw.header_rows, width, raw.header_spans_known)
    name_cols = [i for i, p in enumerate(paths) if p and p[-1] in ("科目名称", "名称", "项目")]
    if not name_cols:
        name_cols = _name_columns_from_data(raw, width)
    bounds = []
    for k, n in enumerate(name_cols):
        start = 0 if k == 0 else name_cols[k - 1] + 2
        end = name_cols[k + 1] - (name_cols[k + 1] - n - 2) if k + 1 < len(name_cols) else width
        bounds.append((start, n, min(n + 2, end) if k + 1 < len(name_cols) else width))
    table.measures = ["决算数"]
    blocks: list[list[CanonicalRow]] = [[] for _ in bounds]
    for row in _data_rows(raw, table):
        cells = [c or "" for c in row.cells] + [""] * (width - len(row.cells))
        pending: CanonicalRow | None = None
        for number, (start, n, end) in enumerate(bounds):
            block_cells = cells[start:end]
            rel = n - start
            name_idx = rel if has_cjk(block_cells[rel]) else next((i for i, c in enumerate(block_cells) if has_cjk(c)), None)
            value_at = start + rel + 1
            value_text = cells[value_at] if value_at < end else ""
            if not squeeze(value_text):
                value_at = next((start + i for i in range(len(block_cells) - 1, -1, -1) if looks_like_amount(block_cells[i])), None)
                value_text = cells[value_at] if value_at is not None else ""
            if name_idx is None:
                if squeeze(value_text) and pending is not None and "决算数" not in pending.values:
                    pending.values["决算数"] = _cell(value_text, row, value_at)
                continue
            canonical = CanonicalRow(side="", name=normalize_name(block_cells[name_idx]), page=row.page, line=row.line, block=number)
            canonical.code_cells = [c for c in block_cells[:name_idx] if squeeze(c) and not is_code_fragment_noise(c)]
            if squeeze(value_text):
                canonical.values["决算数"] = _cell(value_text, row, value_at)
            blocks[number].append(canonical)
            pending = canonical
    table.rows = [row for block in blocks for row in block]


def _name_columns_from_data(raw: RawTable, width: int) -> list[int]:
    """Columns where most rows carry a Chinese name, for headers too damaged to read."""
    counts = [0] * width
    for row in raw.rows:
        for i, c in enumerate(row.cells):
            if has_cjk(c):
                counts[i] += 1
    threshold = max(counts or [0]) / 2
    return [i for i, n in enumerate(counts) if n and n >= threshold]


# -- one row of measures (t09)


def _row_group(cells: list[str], schema: TableSchema) -> str | None:
    """预算数 / 决算数 printed as the row's label (a 三公 table turned so that its groups are rows)."""
    label = next((squeeze(c) for c in cells if squeeze(c)), "")
    return next((g.id for g in schema.groups if any(label == squeeze(a) for a in g.aliases)), None)


def _single_row_by_group_rows(raw: RawTable, table: CanonicalTable, data: list[RawRow], paths: list[list[str]]) -> bool:
    """Groups as rows, items as columns (会议费, 培训费 beside the 三公 items): one canonical row, `group/item` each.
    Returns False when the table is not printed that way."""
    grouped = [(row, _row_group(row.cells, table.schema)) for row in data]
    if not any(group for _, group in grouped):
        return False
    items = [match_measure(p, table.schema.measures) for p in paths]
    canonical = CanonicalRow(side="", name="", page=data[0].page, line=data[0].line)
    for row, group in grouped:
        if group is None:
            continue
        for i, text in enumerate(row.cells):
            if i < len(items) and items[i] is not None and squeeze(text):
                canonical.values[f"{group}/{items[i].id}"] = _cell(text, row, i)
    _add_measures(table, list(canonical.values))
    if canonical.values:
        table.rows.append(canonical)
    return True


def _single_row(raw: RawTable, table: CanonicalTable) -> None:
    schema = table.schema
    width = _width(raw)
    paths = header_paths(raw.header_rows, width, raw.header_spans_known)
    data = list(_data_rows(raw, table))
    if _single_row_by_group_rows(raw, table, data, paths):
        return
    mapped = [column_role(p, schema) for p in paths]
    measures = [r.measure if r and r.role == "value" else None for r in mapped]
    if len({m for m in measures if m}) < len(schema.standard_columns):
        numeric_width = max((len(r.cells) for r in data), default=0)
        if numeric_width == len(schema.standard_columns) or len({m for m in measures if m}) == 0:
            measures = list(schema.standard_columns)
            table.header_mapping = "standard"
    _add_measures(table, [m for m in measures if m])
    for row in data:
        canonical = CanonicalRow(side="", name="", page=row.page, line=row.line)
        for i, text in enumerate(row.cells):
            if i < len(measures) and measures[i] and squeeze(text):
                canonical.values[measures[i]] = _cell(text, row, i)
        if canonical.values:
            table.rows.append(canonical)


CONSISTENT_SHARE = 0.9  # when this share of a table's amounts print N decimals, N is the table's own precision
CONSISTENT_MINIMUM = 10
LARGEST_YUAN = Decimal(10) ** 17  # within the 18 integer digits every output stores; no budget comes near it


def decimal_counts(table: CanonicalTable) -> Counter:
    """How many of the table's read amounts print 0, 1, 2, … decimals."""
    return Counter(decimals(c.value) for _, _, c in table.cells() if c.value is not None and not c.repaired)


def _consistent_precision(counts: Counter) -> int | None:
    """The decimals nearly all of enough amounts print, if there is such a number."""
    total = sum(counts.values())
    if total >= CONSISTENT_MINIMUM:
        precision, seen = counts.most_common(1)[0]
        if seen >= CONSISTENT_SHARE * total:
            return precision
    return None


def limit_decimals(table: CanonicalTable, unit: str | None, document: Counter | None = None) -> None:
    """An amount printed with more decimals than its unit allows, or than its table prints everywhere else
    (`364.051` among two-decimal amounts: a footnote or a stray mark read as a digit), is unreadable, not a value.
    A table too small or too mixed to show its own precision takes the document's (`document`: decimal_counts over
    its tables)."""
    cells = [c for _, _, c in table.cells() if c.value is not None and not c.repaired]
    allowed = UNIT_DECIMALS.get(unit or "", AMOUNT_SCALE)
    precision = _consistent_precision(Counter(decimals(c.value) for c in cells))
    if precision is None and document is not None:
        precision = _consistent_precision(document)
    if precision is not None:
        allowed = min(allowed, max(precision, 2))
    for cell in cells:
        places = decimals(cell.value)
        if places > allowed:
            cell.value = None
            cell.problem = f"{places} decimals where the table prints {allowed}: not a printed amount"
        elif abs(in_yuan(cell.value, unit) or 0) >= LARGEST_YUAN:
            cell.value = None
            cell.problem = f"{cell.raw.strip()} {unit} is more than any budget holds: not a printed amount"
