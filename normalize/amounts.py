"""Amounts as printed in 决算 tables, read into Decimal.

Every reading is explicit about what it did: a cell is a value, empty, or
unreadable with a reason. Nothing is ever guessed into a number here; repairs
that need evidence from other cells belong to the check stage.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from normalize.labels import nfkc

# Yuan in one unit of each unit tables print; amounts carry at most AMOUNT_SCALE decimals (a 万元 table printed to
# the fen of a 元 has six), the one decimal scale of every Parquet file and DuckDB column.
YUAN_PER_UNIT = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
AMOUNT_SCALE = 6
MAX_INTEGER_DIGITS = 15  # 10^15 万元 is a thousand times the world's output: more digits are a misread, not an amount
_BEYOND_REACH = Decimal(10) ** MAX_INTEGER_DIGITS
UNIT_DECIMALS = {unit: min(AMOUNT_SCALE, 2 + len(str(int(f))) - 1) for unit, f in YUAN_PER_UNIT.items()}


def within_reach(value: Decimal | None) -> Decimal | None:
    """The value, or None when it has more integer digits than any amount (a misread, or digits run together)."""
    if value is None or not value.is_finite() or abs(value) >= _BEYOND_REACH:
        return None
    return value


def in_yuan(value: Decimal | None, unit: str | None) -> Decimal | None:
    """The amount in 元 (so that tables in 元 and 万元 can be summed); None when the unit is not known."""
    if value is None or unit not in YUAN_PER_UNIT:
        return None
    return value * YUAN_PER_UNIT[unit]


EMPTY_MARKS = {"", "-", "--", "—", "——", "–", "/", "\\", "－", "─", "…", "...", "——"}
# Single strokes left by table rules when OCR reads a vertical line as a glyph.
RULE_NOISE = {"1", "l", "I", "|", "丨", "｜", "!", "i"}

# Footnote markers printed against an amount: NFKC would turn `364.05¹` or `364.05①` into the digits 364.051.
FOOTNOTE_MARKS = r"\u00b9\u00b2\u00b3\u2070-\u2079\u2460-\u249b\u24ea-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf*※†‡"
_MARKER_CHARS = r"[" + FOOTNOTE_MARKS + "#]"
# Anchored and possessive: linear in the cell's length, whatever runs of spaces it holds.
_LEADING_MARKER = regex.compile(_MARKER_CHARS + r"++")
_TRAILING_MARKER = regex.compile(r"(?:" + _MARKER_CHARS + r"++|[(（\[［]?+注[\d①-⑳]*+[)）\]］]?+|(?<=\d)[(（]\d{1,2}[)）])$")
_SPACES_AROUND_SEPARATORS = regex.compile(r"\s*([,.])\s*")
_PLAIN = regex.compile(r"^-?\d+(\.\d+)?$")
_GROUPED = regex.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_NOT_AMOUNT_CHARACTER = regex.compile(r"[^\d,.\-]")
_LEADING_ZERO = regex.compile(r"^-?0\d")
_COMMA_DECIMAL = regex.compile(r"^-?\d{1,3}(,\d{3})*,\d{2}$")


@dataclass(frozen=True)
class Amount:
    """What one cell says: `value` when readable, else `problem` says why not (None + no problem = empty)."""

    value: Decimal | None
    raw: str
    problem: str | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.value is None and self.problem is None

    @property
    def readable(self) -> bool:
        return self.problem is None


def parse_amount(raw: str | None) -> Amount:
    """Read one printed amount.

    `6, 558. 53` -> 6558.53; `６，５５８．５３` -> 6558.53; `9, 266, 11` -> 9266.11
    (a last comma followed by exactly two digits is a misread decimal point);
    blanks and dashes -> empty; two numbers in one cell, digits separated only by
    spaces, or stray rule strokes -> unreadable.
    """
    text = raw or ""
    unmarked, marker = split_footnote(text)
    if marker and nfkc(unmarked).strip(" _") in EMPTY_MARKS:
        return Amount(None, text, note=f"footnote marker {marker} in an empty cell")
    s = nfkc(unmarked).replace("，", ",").replace("．", ".").replace("。", ".").strip()
    s = s.strip("_ ")
    if s in EMPTY_MARKS:
        return Amount(None, text)
    if s in RULE_NOISE:
        return Amount(None, text, problem="rule-line noise, not an amount")
    negative = False
    if s.startswith(("(", "（")) and s.endswith((")", "）")):
        negative, s = True, s[1:-1].strip()
    compact = _SPACES_AROUND_SEPARATORS.sub(r"\1", s)
    tokens = compact.split()
    if len(tokens) > 1:
        if all(_well_formed(t) and "." in t for t in tokens):
            return Amount(None, text, problem=f"{len(tokens)} amounts in one cell: {' | '.join(tokens)}")
        if all(t.isdigit() for t in tokens):
            return Amount(None, text, problem="digits separated by spaces only: decimal point unknown")
        return Amount(None, text, problem="not an amount")
    if _NOT_AMOUNT_CHARACTER.search(compact):
        return Amount(None, text, problem="not an amount")
    if _LEADING_ZERO.match(compact):
        return Amount(None, text, problem="leading zero: not a printed amount")
    note = None
    if _PLAIN.match(compact):
        number = compact
    elif _GROUPED.match(compact):
        number = compact.replace(",", "")
    elif _COMMA_DECIMAL.match(compact):
        head, _, cents = compact.rpartition(",")
        number = head.replace(",", "") + "." + cents
        note = "last comma read as decimal point"
    else:
        return Amount(None, text, problem="malformed separators")
    if len(number.lstrip("-").split(".")[0]) > MAX_INTEGER_DIGITS:
        return Amount(None, text, problem=f"more than {MAX_INTEGER_DIGITS} digits before the decimal point: not an amount")
    try:
        value = Decimal(number)
    except InvalidOperation:
        return Amount(None, text, problem="not an amount")
    if marker:
        note = "; ".join(filter(None, [note, f"footnote marker {marker} split off"]))
    return Amount(-value if negative else value, text, note=note)


def split_footnote(text: str) -> tuple[str, str]:
    """The amount and the footnote marker printed against it: `364.05¹` -> (`364.05`, `¹`); `*12.00` -> (`12.00`, `*`);
    `5.00(注1)` -> (`5.00`, `(注1)`); `5.00(1)` -> (`5.00`, `(1)`) (only after a digit: `(12)` alone is left as printed)."""
    markers = []
    text = text.strip()
    while True:
        if m := _LEADING_MARKER.match(text):
            markers.insert(0, m.group())
            text = text[m.end():].strip()
        elif (m := _TRAILING_MARKER.search(text, max(0, len(text) - 16))) and m.group():
            markers.append(m.group())
            text = text[: m.start()].strip()
        else:
            return text, " ".join(markers)


def _well_formed(token: str) -> bool:
    return bool(_PLAIN.match(token) or _GROUPED.match(token) or _COMMA_DECIMAL.match(token))


def amount_tokens(raw: str | None) -> list[Decimal]:
    """Every well-formed amount inside a cell (where OCR glued two values into one cell)."""
    compact = _SPACES_AROUND_SEPARATORS.sub(r"\1", nfkc(split_footnote(raw or "")[0]).replace("，", ",").replace("．", "."))
    return [parse_amount(t).value for t in compact.split() if _well_formed(t)]


def looks_like_amount(raw: str | None) -> bool:
    """A cell that is meant to be an amount (has a decimal mark or digit groups), readable or not."""
    s = _SPACES_AROUND_SEPARATORS.sub(r"\1", nfkc(raw).replace("，", ",").replace("．", ".")).strip()
    return bool(_AMOUNT_LIKE.search(s)) and not _WORDS.search(s)


_AMOUNT_LIKE = regex.compile(r"\d[.,]\d")
_WORDS = regex.compile(r"\p{Han}|[A-Za-z]{2,}|^[=@+]")  # a name or a formula that holds digits (`@SUM(1,1)`), not an amount


def decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_amount(value: Decimal, min_decimals: int = 2) -> str:
    """Plain decimal string with at least two decimals: 360.0 -> '360.00'."""
    places = max(min_decimals, decimals(value))
    return f"{value:.{places}f}"
