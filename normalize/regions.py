"""Where a department sits: its region (上海市普陀区) and level (中央/省/市/区县/乡镇), from the place its name starts
with. The divisions and the words that only look like places are data in schemas/regions.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from normalize.labels import squeeze

LEVELS = ("中央", "省", "市", "区县", "乡镇")


@dataclass(frozen=True)
class Region:
    name: str  # the place as printed, province to township (empty for 中央 and unknown)
    level: str  # one of LEVELS, or "" when the name says nothing
    province: str = ""  # the 省级 division when the name prints it (中央: "中央")


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
    """`中共上海市普陀区委社会工作部` -> 上海市普陀区, 区县; `国家信访局` -> 中央; `武汉市蔡甸区经济信息化和科技创新局` -> 武汉市蔡甸区, 区县."""
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
        return Region("", "中央", "中央") if _central(name) else Region("", "")
    return Region(place, _level(parts), parts.get("province", ""))


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
