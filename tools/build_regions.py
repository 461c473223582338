"""Build `schemas/divisions.csv`, China's 省/市/区县 divisions with the city and province each belongs to, so that a
department named after its county or city alone (`蔡甸区财政局`, `武汉市…`, `利川市…`) gets its province and level.

Source: the `adcodes.csv` resource of the MIT-licensed PyPI package cpca 0.5.5 (12-digit 统计用区划代码 and names,
3,511 divisions down to the county level). Rebuild:

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca && unzip -o /tmp/cpca/cpca-0.5.5-py3-none-any.whl -d /tmp/cpca
    python -m tools.build_regions /tmp/cpca/cpca/resources/adcodes.csv

The code says the level: `PP0000` a province, `PPCC00` a city (地级), anything else a county (区县, 县级市 included).
The placeholders 市辖区/县/省直辖县级行政区划 are left out; the counties of a 直辖市 (and counties a province governs
directly) get the province as their city.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "schemas" / "divisions.csv"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def divisions(rows: list[dict]) -> list[dict]:
    names = {row["adcode"][:6]: row["name"] for row in rows}
    out = []
    for code, name in sorted(names.items()):
        if name in PLACEHOLDERS:
            continue
        province = names.get(code[:2] + "0000", "")
        if code[2:] == "0000":
            level, city = "省", ""
        elif code[4:] == "00":
            level, city = "市", ""
        else:
            level = "区县"
            parent = names.get(code[:4] + "00", "")
            city = province if parent in PLACEHOLDERS or not parent else parent
        out.append({"adcode": code, "name": name, "level": level, "city": city, "province": province})
    return out


def main(source: str) -> None:
    with open(source, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    built = divisions(rows)
    with open(TARGET, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["adcode", "name", "level", "city", "province"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(built)
    print(f"{len(built)} divisions -> {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
