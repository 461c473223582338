"""Where a department sits: its region (上海市普陀区) and level (中央/省/市/区县/乡镇), from the place its name starts
with. The words that only look like places are data in schemas/regions.toml; the 省/市/区县 divisions, with the city
and province of each, in schemas/divisions.csv (a county or city named alone still gets its province and level)."""
from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from normalize.labels import squeeze

LEVELS = ("中央", "省", "市", "区县", "乡镇")


@dataclass(frozen=True)
class Region:
    name: str  # the place as printed, province to township; 中央 for a central department, empty when unknown
    level: str  # one of LEVELS, or "" when the name says nothing
    province: str = ""  # the 省级 division the name prints, or the one its city or county lies in (中央: "中央")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((Path(__file__).resolve().parents[1] / "schemas" / "regions.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _pattern():
    provinces = "|".join(sorted(_data()["provinces"], key=len, reverse=True))
    return regex.compile(
        rf"^(?P<province>{provinces})?(?P<city>\p{{Han}}{{2,9}}?自治州|\p{{Han}}{{2,4}}?(?:市|州|盟|地区))?(?P<county>\p{{Han}}{{1,5}}?(?:自治县|自治旗|区|县|旗)|(?(city)\p{{Han}}{{2,3}}?市|(?!)))?"
        rf"(?P<town>\p{{Han}}{{1,4}}?(?:乡|镇|街道))?"
    )


def region_of(department: str | None) -> Region:
    """`中共上海市普陀区委社会工作部` -> 上海市普陀区, 区县; `国家信访局` -> 中央, 中央; `武汉市蔡甸区经济信息化和科技创新局` -> 武汉市蔡甸区, 区县."""
    name = squeeze(department)
    for prefix in _data()["honorific_prefixes"]:
        if name.startswith(prefix) and not name.startswith(prefix + "中央"):
            name = name[len(prefix):]
    m = _pattern().match(name)
    parts = {k: v or "" for k, v in m.groupdict().items()} if m else {}
    if parts.get("county") and any(parts["county"].endswith(w) or w in parts["county"] for w in _data()["not_places"]):
        parts["county"], parts["town"] = "", ""
    place = "".join(parts.get(k, "") for k in ("province", "city", "county", "town"))
    if not place:
        return Region("中央", "中央", "中央") if _central(name) else Region("", "")
    known = _division(parts)
    if known is None:
        return Region(place, _level(parts), parts.get("province", ""))
    return Region(place, "乡镇" if parts.get("town") else known.level, parts.get("province") or known.province)


@dataclass(frozen=True)
class Division:
    name: str
    level: str  # 省, 市 or 区县
    city: str
    province: str


@lru_cache(maxsize=1)
def _divisions() -> dict[str, list[Division]]:
    by_name: dict[str, list[Division]] = defaultdict(list)
    with open(Path(__file__).resolve().parents[1] / "schemas" / "divisions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_name[row["name"]].append(Division(row["name"], row["level"], row["city"], row["province"]))
    return dict(by_name)


def _division(parts: dict) -> Division | None:
    """The one division the most specific printed part names, consistent with the parts printed before it; None when
    the name is not a division or names several (鼓楼区 is a district of four cities)."""
    for key in ("county", "city"):
        if not parts.get(key):
            continue
        found = [d for d in _divisions().get(parts[key], [])
                 if (not parts.get("province") or d.province == parts["province"])
                 and (key != "county" or not parts.get("city") or d.city == parts["city"])]
        return found[0] if len(found) == 1 else None
    return None


def _level(parts: dict) -> str:
    if parts.get("town"):
        return "乡镇"
    if parts.get("county"):
        return "区县"
    if parts.get("city"):
        return "市"
    return "省"


def _central(name: str) -> bool:
    data = _data()
    return any(name.startswith(p) for p in data["central_prefixes"]) or any(name.endswith(s) for s in data["central_suffixes"])
