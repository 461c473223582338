"""Canonical table declarations and the 政府收支分类科目 reference, read from data files.

`subjects.csv` holds one row per name of a code, with the years that name is valid (`valid_from`,
`valid_to`, inclusive, empty = no known bound), the years it was seen printed (`seen`) and where it
comes from (`source`); `tools/build_classification.py` builds it. The reference is evidence, not law:
a code it does not know, or a name it does not hold for that year, is worth a warning, never a failure,
and never a reason to change a printed code.
"""
from __future__ import annotations

import csv
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex

DATA_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Measure:
    id: str
    aliases: tuple[str, ...]
    side: str | None = None


@dataclass(frozen=True)
class TableSchema:
    id: str
    slug: str
    title: str
    aliases: tuple[str, ...]
    layout: str
    measures: tuple[Measure, ...]
    standard_columns: tuple[str, ...]
    signature_all: tuple[str, ...] = ()
    signature_none: tuple[str, ...] = ()
    groups: tuple[Measure, ...] = ()
    since: int | None = None
    required_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (side, names): one of the names must be a row
    filled_when: tuple["CellRef", ...] = ()  # cells of other tables that, when not zero, say this table holds amounts

    def in_template(self, year: int | None) -> bool:
        return self.since is None or year is None or year >= self.since

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def two_sided(self) -> bool:
        return self.layout == "two_sided"


@dataclass(frozen=True)
class Period:
    """One name of a subject and the years it is valid in (inclusive; None = no known bound)."""

    name: str
    valid_from: int | None = None
    valid_to: int | None = None
    aliases: tuple[str, ...] = ()  # other spellings of this same name
    seen: tuple[int, ...] = ()  # years of the documents it was seen printed in
    source: str = ""

    def covers(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class Subject:
    code: str
    name: str  # the latest name
    kind: str  # "function" (支出功能分类), "economic" (部门预算支出经济分类), "gov-economic" (政府预算支出经济分类),
    # "economic-local" (a region's 7-digit 目 under a national economic 款, e.g. 北京 3021101 差旅费)
    level: str  # 类 / 款 / 项 (economic: 类 / 款; 目 for the local subdivisions)
    parent: str
    aliases: tuple[str, ...] = field(default=())  # every other name, earlier years' included
    periods: tuple[Period, ...] = field(default=())  # every name with its years, earliest first

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def valid_from(self) -> int | None:
        """First year the code is known to be valid; None when no lower bound is known."""
        starts = [p.valid_from for p in self.periods]
        return None if not starts or None in starts else min(starts)

    @property
    def valid_to(self) -> int | None:
        """Last year the code is known to be valid; None when it is still valid (or no upper bound is known)."""
        ends = [p.valid_to for p in self.periods]
        return None if not ends or None in ends else max(ends)

    def valid_in(self, year: int) -> bool:
        return not self.periods or any(p.covers(year) for p in self.periods)

    def names_in(self, year: int | None) -> tuple[str, ...]:
        """The names valid in that year (every name when year is None), latest first."""
        if year is None:
            return self.names
        periods = [p for p in self.periods if p.covers(year)] if self.periods else []
        names: list[str] = []
        for p in reversed(periods):
            names += [n for n in (p.name, *p.aliases) if n not in names]
        return tuple(names) if self.periods else self.names

    @property
    def sources(self) -> tuple[str, ...]:
        out: list[str] = []
        for p in self.periods:
            out += [s for s in p.source.split(" | ") if s and s not in out]
        return tuple(out)


@dataclass(frozen=True)
class ReferenceVerdict:
    """What the reference says of one printed (code, name): a warning at most, never a failure."""

    status: str  # "known" | "unknown-code" | "name-differs" | "not-valid-in-year"
    code: str
    name: str
    year: int | None
    kind: str | None
    names: tuple[str, ...] = ()  # the reference's names for that year (all its names when it has none valid)
    subject: Subject | None = field(default=None, repr=False)
    message: str = ""

    @property
    def known(self) -> bool:
        return self.status == "known"


REFERENCE_STATUSES = ("known", "unknown-code", "name-differs", "not-valid-in-year")


@dataclass(frozen=True)
class CellRef:
    """A cell of another table, named as in tables.toml: `t05::合计:基本支出` (table, side, row name|alias, measure)."""
    table: str
    side: str
    names: tuple[str, ...]
    measure: str

    @classmethod
    def parse(cls, text: str) -> "CellRef":
        table, side, names, measure = text.split(":")
        return cls(table, side, tuple(names.split("|")), measure)

    def label(self) -> str:
        return f"{self.table}[{self.side + ':' if self.side else ''}{self.names[0]}].{self.measure}"


def _required_row(text: str) -> tuple[str, tuple[str, ...]]:
    side, _, names = text.partition(":")
    return side, tuple(names.split("|"))


def _measure(raw: dict) -> Measure:
    return Measure(id=raw["id"], aliases=tuple(raw.get("aliases", [raw["id"]])), side=raw.get("side"))


@lru_cache(maxsize=1)
def table_schemas() -> tuple[TableSchema, ...]:
    raw = tomllib.loads((DATA_DIR / "tables.toml").read_text(encoding="utf-8"))
    schemas = []
    for t in raw["tables"]:
        sig = t.get("signature", {})
        schemas.append(
            TableSchema(
                id=t["id"],
                slug=t["slug"],
                title=t["title"],
                aliases=tuple(t.get("aliases", [])),
                layout=t["layout"],
                measures=tuple(_measure(m) for m in t["measures"]),
                standard_columns=tuple(t.get("standard_columns", [])),
                signature_all=tuple(sig.get("all", [])),
                signature_none=tuple(sig.get("none", [])),
                groups=tuple(_measure(g) for g in t.get("groups", [])),
                since=t.get("since"),
                required_rows=tuple(_required_row(r) for r in t.get("required_rows", [])),
                filled_when=tuple(CellRef.parse(r) for r in t.get("filled_when", [])),
            )
        )
    return tuple(schemas)


def table_schema(table_id: str) -> TableSchema:
    for schema in table_schemas():
        if schema.id == table_id:
            return schema
    raise KeyError(table_id)


SUBJECTS_FILE = DATA_DIR / "subjects.csv"


def _year(text: str) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(a for a in (text or "").split("|") if a)


@lru_cache(maxsize=1)
def classification() -> dict[str, Subject]:
    """Every 政府收支分类科目 code ever known, keyed by code: the latest name as `name`, every other name
    (earlier years' too) in `aliases`, and each name's years in `periods`."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    with open(SUBJECTS_FILE, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            grouped[row["code"]].append(row)
    subjects: dict[str, Subject] = {}
    for code, rows in grouped.items():
        periods = tuple(
            sorted(
                (
                    Period(
                        name=r["name"],
                        valid_from=_year(r["valid_from"]),
                        valid_to=_year(r["valid_to"]),
                        aliases=_split(r["aliases"]),
                        seen=tuple(int(y) for y in _split(r["seen"])),
                        source=r["source"],
                    )
                    for r in rows
                ),
                key=_chronological,
            )
        )
        latest = periods[-1]
        others: list[str] = []
        for p in reversed(periods):
            others += [n for n in (p.name, *p.aliases) if n != latest.name and n not in others]
        first = rows[0]
        subjects[code] = Subject(code, latest.name, first["kind"], first["level"], first["parent"], tuple(others), periods)
    return subjects


def _chronological(p: Period) -> tuple:
    """Earliest name first: by upper bound (open = latest), then lower bound, then last year seen."""
    return (
        p.valid_to if p.valid_to is not None else 10_000,
        p.valid_from if p.valid_from is not None else 0,
        max(p.seen) if p.seen else 0,
    )


_ORDINAL = regex.compile(r"^(?:[一二三四五六七八九十百零〇]+[、.．]|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[、.．](?!\d)|[(（]\d{1,2}[)）])")
_WHITESPACE = regex.compile(r"\s+")


def name_key(name: str | None) -> str:
    """A name as the reference compares it: NFKC (full-width brackets and digits folded), no whitespace,
    no ordinal prefix (`一、`)."""
    key = _WHITESPACE.sub("", unicodedata.normalize("NFKC", name or "")).strip("_-:：·")
    previous = None
    while previous != key:
        previous, key = key, _ORDINAL.sub("", key)
    return key


def reference_check(code: str, name: str | None, year: int | None = None, kind: str | None = None) -> ReferenceVerdict:
    """Compare one printed code and name with the reference for the document's year.

    "known": the code exists (in that year) and the name is one of its names for that year;
    "unknown-code": the reference has no such code (of that kind); "not-valid-in-year": the code exists,
    but none of its names is valid in that year; "name-differs": the code is valid that year under other
    names (`names`; the message says when the printed name was valid, if it ever was). Every status but
    "known" is a warning: the reference is incomplete, and a printed code is never changed because of it."""
    subject = classification().get(code)
    if subject is None or (kind is not None and subject.kind.removesuffix("-local") != kind):
        other = f" (its kind is {subject.kind})" if subject is not None else ""
        return ReferenceVerdict("unknown-code", code, name or "", year, kind, (), None, f"{code} is not a {kind or ''} code in the reference{other}".replace("  ", " "))
    if year is not None and not subject.valid_in(year):
        spans = "; ".join(f"{p.name} {_span(p)}" for p in subject.periods)
        return ReferenceVerdict("not-valid-in-year", code, name or "", year, kind, subject.names, subject, f"{code} is not valid in {year}: {spans}")
    names = subject.names_in(year)
    key = name_key(name)
    if not key or any(name_key(n) == key for n in names):
        return ReferenceVerdict("known", code, name or "", year, kind, names, subject)
    elsewhere = [p for p in subject.periods if any(name_key(n) == key for n in (p.name, *p.aliases))]
    when = f"; {name} is its name {', '.join(_span(p) for p in elsewhere)}" if elsewhere else ""
    in_year = f" in {year}" if year is not None else ""
    return ReferenceVerdict("name-differs", code, name or "", year, kind, names, subject, f"{code} is {' / '.join(names)}{in_year}{when}")


def _span(p: Period) -> str:
    if p.valid_from is None and p.valid_to is None:
        return "(no known bounds)"
    return f"({p.valid_from or '…'}–{p.valid_to or '…'})"


def function_level(code: str) -> str | None:
    """类/款/项 from the length of a 功能分类 code (3/5/7 digits)."""
    return {3: "类", 5: "款", 7: "项"}.get(len(code))


def economic_level(code: str) -> str | None:
    return {3: "类", 5: "款"}.get(len(code))
