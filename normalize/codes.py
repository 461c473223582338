"""政府收支分类 codes: joined from however OCR or the layout split them, completed from names.

A code is resolved in this order:
1. the digits as printed, joined (`201329 9` -> 2013299; `201 | 06 | 01` -> 2010601;
   a column holding the whole code, `201 | 2013750 |` -> 2013750);
2. a well-formed code (3/5/7 digits) is kept as printed, whether or not the reference knows it
   or names it so (the reference may lack it): only where the document could have been misread
   (a text export, an OCR'd page) may a code the row's name contradicts become the same-length
   code that sibling tables print under that name, one or two digits apart;
3. a malformed code (split, truncated, spread over columns) becomes the code whose name is the
   row's name (in the same document's other tables first, then in the reference list), under
   the current 类/款, consistent with the printed digits and never shorter than them
   (`206090` + 重点研发计划 -> 2060902; `3010` + 基本工资 -> 30101).
Anything else is left unresolved and reported, never guessed. Every code not read as printed is
listed with the repairs.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from normalize.labels import normalize_name, nfkc
from schemas import Subject, classification, economic_level, function_level

FUNCTION_LENGTHS = (3, 5, 7)
ECONOMIC_LENGTHS = (3, 5)


@dataclass(frozen=True)
class CodeResolution:
    code: str | None
    how: str  # "read", "joined" (from irregular fragments), "from-name", "unresolved", "none"
    problem: str | None = None


@dataclass
class CodeContext:
    """Where in a hierarchical table we are: the last 类 and 款 seen."""

    kind: str = "function"
    lei: str | None = None
    kuan: str | None = None
    sibling_names: dict[str, set[str]] = field(default_factory=dict)  # name -> codes read cleanly elsewhere in the document
    misreadable: bool = True  # a text export or OCR: printed digits may be misread

    def advance(self, code: str) -> None:
        if len(code) == 3:
            self.lei, self.kuan = code, None
        elif len(code) == 5:
            self.lei, self.kuan = code[:3], code
        elif len(code) == 7:
            self.lei, self.kuan = code[:3], code[:5]


_CODE_CELL = regex.compile(r"[\d\s.,_\-lI|丨｜]*+")  # digits, and what OCR leaves of spaces and rules between them
_NON_DIGITS = regex.compile(r"\D")


def digit_parts(cells: list[str]) -> list[str]:
    """Digits of each code cell; cells without digits (OCR strokes like `l`) drop out, and so do cells holding
    anything else (a name such as `-2+3` or `@SUM(1,1)` is not part of a code)."""
    parts = []
    for cell in cells:
        text = nfkc(cell)
        if not _CODE_CELL.fullmatch(text):
            continue
        digits = _NON_DIGITS.sub("", text)
        if digits:
            parts.append(digits)
    return parts


def join_parts(parts: list[str], kind: str = "function") -> str:
    """The code the printed parts spell, structurally (no name lookup)."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    head = parts[0]
    parts = [head] + [p for p in parts[1:] if p != head]
    if len(parts) == 1:
        return head
    whole = [p for p in parts[1:] if p.startswith(head) and len(p) > len(head)]
    if whole:
        return max(whole, key=len)
    if kind == "economic":
        return head + parts[1][-2:]
    return head + "".join(p[-2:] if len(p) >= 2 else p for p in parts[1:])


def valid_shape(code: str, kind: str) -> bool:
    lengths = ECONOMIC_LENGTHS if kind == "economic" else FUNCTION_LENGTHS
    prefix = "3" if kind == "economic" else "2"
    return code.isdigit() and len(code) in lengths and code.startswith(prefix)


def names_match(name: str, subject: Subject) -> bool:
    return subject.code in _name_index(subject.kind)[0].get(normalize_name(name), ())


def resolve_code(cells: list[str], name: str, context: CodeContext) -> CodeResolution:
    """Resolve one row's code from its code cells and its name (see module docstring)."""
    reference = classification()
    parts = digit_parts(cells)
    joined = join_parts(parts, context.kind)
    how = "read" if _as_printed(cells, parts, wrapped_ok=not context.misreadable) else "joined"
    if joined and valid_shape(joined, context.kind):
        subject = reference.get(joined)
        known_here = joined in context.sibling_names.get(normalize_name(name), set())
        if known_here or (subject is not None and names_match(name, subject)) or not context.misreadable:
            return CodeResolution(joined, how)
        misread = {c for c in _codes_by_name(name, joined, parts, context) if _one_or_two_digits_apart(c, joined)}
        if len(misread) == 1:
            return CodeResolution(misread.pop(), "from-name")
        return CodeResolution(joined, how)
    by_name = _codes_by_name(name, joined, parts, context)
    if len(by_name) == 1:
        code = by_name.pop()
        return CodeResolution(code, "read" if code == joined and how == "read" else "from-name")
    if not joined:
        if len(by_name) > 1:
            return CodeResolution(None, "unresolved", problem=f"no code printed; name fits {sorted(by_name)}")
        return CodeResolution(None, "none")
    detail = f"; name fits {sorted(by_name)}" if by_name else ""
    return CodeResolution(None, "unresolved", problem=f"code {' '.join(c.strip() for c in cells if c.strip())!r} is incomplete{detail}")


def _as_printed(cells: list[str], parts: list[str], wrapped_ok: bool) -> bool:
    """One cell holding the code, or 类 | 款 | 项 columns split where the code splits (`201 | 06 | 01`,
    `201 | 20106 | 2010601`): read as printed, not pieced together from fragments. A code a text layer wraps
    inside its cell (`201329⏎9`) is printed so; the same space in an OCR export is damage."""
    if len(parts) <= 1:
        text = "".join(cells).strip()
        return not cells or text.isdigit() or (wrapped_ok and "".join(text.split()).isdigit())
    head = parts[0]
    return len(head) == 3 and all(len(p) == 2 or p.startswith(head) for p in parts[1:])


def _one_or_two_digits_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and 0 < sum(x != y for x, y in zip(a, b)) <= 2


def _codes_by_name(name: str, joined: str, parts: list[str], context: CodeContext) -> set[str]:
    key = normalize_name(name)
    if not key:
        return set()
    exact, ordered = _name_index(context.kind)
    candidates = set(context.sibling_names.get(key, set())) or set(exact.get(key, ()))
    candidates = {c for c in candidates if _fits_context(c, context) and _consistent(c, joined, parts)}
    if not candidates and len(key) >= 6:
        # A name cut off at the cell edge (`机关事业单位基本养老保险缴`) still names one subject.
        truncated = set()
        for known, code in ordered[bisect_left(ordered, (key, "")) :]:
            if not known.startswith(key):
                break
            truncated.add(code)
        candidates = {c for c in truncated if _fits_context(c, context) and _consistent(c, joined, parts)}
    return candidates


@lru_cache(maxsize=4)
def _name_index(kind: str) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """The reference's codes of one kind by normalized name, and (name, code) sorted for prefix lookups: a row's
    name is looked up, not compared with every subject."""
    exact: dict[str, set[str]] = {}
    for subject in classification().values():
        if subject.kind == kind:
            for n in subject.names:
                exact.setdefault(normalize_name(n), set()).add(subject.code)
    return exact, sorted((known, code) for known, codes in exact.items() for code in codes)


def _fits_context(code: str, context: CodeContext) -> bool:
    """A 款 sits under the current 类, a 项 under the current 款 (tables list children after parents)."""
    if context.kind == "economic":
        return len(code) == 3 or context.lei is None or code[:3] == context.lei
    if len(code) == 5:
        return context.lei is None or code[:3] == context.lei
    if len(code) == 7:
        return context.kuan is None or code[:5] == context.kuan
    return True


def _consistent(code: str, joined: str, parts: list[str]) -> bool:
    """The printed digits could be this code: a truncation of it, or it read across split columns."""
    if not parts:
        return True
    raw = "".join(parts)
    if len(code) < len(joined):
        return False  # a 项's printed code never names its 款 (2120201 城乡社区规划与管理 is not 21202)
    return code.startswith(joined) or code.startswith(raw) or _is_subsequence(code, raw)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def level_of(code: str | None, kind: str) -> str | None:
    if not code:
        return None
    return function_level(code) if kind == "function" else economic_level(code)
