"""Canonical table declarations and the 政府收支分类科目 reference list, read from data files."""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def two_sided(self) -> bool:
        return self.layout == "two_sided"


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    kind: str  # "function" (功能分类) or "economic" (经济分类)
    level: str  # 类 / 款 / 项
    parent: str
    aliases: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


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
            )
        )
    return tuple(schemas)


def table_schema(table_id: str) -> TableSchema:
    for schema in table_schemas():
        if schema.id == table_id:
            return schema
    raise KeyError(table_id)


@lru_cache(maxsize=1)
def classification() -> dict[str, Subject]:
    """Reference list of 功能分类 and 经济分类 subjects, keyed by code."""
    subjects: dict[str, Subject] = {}
    with open(DATA_DIR / "classification.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = tuple(a for a in row["aliases"].split("|") if a)
            subjects[row["code"]] = Subject(row["code"], row["name"], row["kind"], row["level"], row["parent"], aliases)
    return subjects


def function_level(code: str) -> str | None:
    """类/款/项 from the length of a 功能分类 code (3/5/7 digits)."""
    return {3: "类", 5: "款", 7: "项"}.get(len(code))


def economic_level(code: str) -> str | None:
    return {3: "类", 5: "款"}.get(len(code))
