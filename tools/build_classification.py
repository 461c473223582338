"""Build `schemas/subjects.csv`, the versioned 政府收支分类科目 reference, from printed documents.

Two steps, so that what a harvest reads is looked at before it enters the reference:

    python -m tools.build_classification harvest DIR... --out /tmp/pairs.tsv
        Every (code, name) pair printed in the code/name columns of the tables of every PDF
        (决算 and 预算: pages triaged with pdfium, grids read with pdfplumber, as extract/pdf.py
        does) and of every text export (*.md, through the project's own text-export reader and
        code resolution; only codes read as printed, never codes completed from names, and no
        row whose name disagrees with the reference: in an OCR text those are merged rows).
        A folder's MANIFEST.tsv (columns `file`, `year`) gives each document's year; the source
        of each pair is `<folder name>:<path in the folder>` (`corpus:juesuan/….pdf`).

    python -m tools.build_classification merge /tmp/pairs.tsv... [--cited FILE.tsv] [--carry OLD.csv] [--out schemas/subjects.csv]
        Adds the pairs kept below as data (PAGE_DATA_PAIRS: tables of published documents stored as
        page data in a public repository) and the cited entries (CITED, plus any --cited TSV with the
        columns of subjects.csv), carries over the legacy rows of the current subjects.csv (or of the
        old classification.csv), groups everything by code and name with the years each name was seen
        printed, derives each name's validity (`assign_validity`) and writes the CSV. Pairs rejected in
        review are listed in REJECTED with the reason.

Rebuilding (the harvest needs the shared corpus):

    python -m tools.build_classification harvest /work/shared/corpus /work/shared/samples --out /tmp/pairs.tsv
    python -m tools.build_classification merge /tmp/pairs.tsv

Row parsing (`pairs_in_row`) knows three printed forms: a 3/5/7-digit code cell followed by
its name cell; 类 | 款 | 项 cells (`201 | 06 | 01`) followed by the name; and `code-name` in one
cell (`2010601-行政运行`). A code cell counts only at the start of a row, after an empty cell or
after an amount (tables print two or three code/name/amount blocks side by side), so that amounts
printed without decimals next to a text cell are not taken for codes.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

from schemas import name_key

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = ROOT / "schemas" / "subjects.csv"
FIELDS = ["code", "name", "kind", "level", "parent", "valid_from", "valid_to", "seen", "aliases", "source"]

CJK = regex.compile(r"\p{Han}")
CODE = regex.compile(r"^\d{3}(?:\d{2}){0,2}$")
PART = regex.compile(r"^\d{2}$")
JOINED = regex.compile(r"^(\d{3}(?:\d{2}){0,2})\s*[-－—]\s*(\S.*)$")
AMOUNT = regex.compile(r"^[-－]?[\d,，]*\d(?:[.．]\d+)?$")
ENUMERATED = regex.compile(r"^[一二三四五六七八九十]+[、.．]")

# What each leading digit of a printed code means (财政部 政府收支分类科目).
KINDS = {"1": "revenue", "2": "function", "3": "economic", "5": "gov-economic"}
LEVELS = {3: "类", 5: "款", 7: "项"}

# Pairs read from a document but kept out of the reference after review: (code, printed name) -> reason.
REJECTED: dict[tuple[str, str], str] = {
    ("123", "苏州市交通运输局"): "单位编码 (unit code) in the table of the department's budget units, not a subject",
}


@dataclass(frozen=True)
class Pair:
    file: str
    year: int | None
    page: int | None
    code: str
    name: str
    how: str  # "cell" (code cell + name cell), "parts" (类|款|项 cells), "joined" (code-name in one cell), "text-export"


def clean(cell: str | None) -> str:
    """A cell's text with line wraps joined (CJK names wrap without a space) and spaces squeezed."""
    if not cell:
        return ""
    text = regex.sub(r"\s*\n\s*", "", cell)
    text = regex.sub(r"(?<=[\p{Han}（）()])\s+|\s+(?=[\p{Han}（）()])", "", text)  # letter-spaced CJK: `因 公 出 国`
    return regex.sub(r"\s+", " ", text).strip()


def is_name(text: str) -> bool:
    return bool(text) and bool(CJK.search(text)) and not text[0].isdigit() and not ENUMERATED.match(text)


def pairs_in_row(cells: list[str | None]) -> list[tuple[str, str, str]]:
    """(code, name, how) for every code/name block printed in one table row."""
    texts = [clean(c) for c in cells]
    out: list[tuple[str, str, str]] = []
    previous = ""  # the last non-empty cell before the current position
    gap = False  # an empty cell since then
    i = 0
    while i < len(texts):
        text = texts[i]
        joined = JOINED.match(text)
        if joined and is_name(joined.group(2)):
            out.append((joined.group(1), joined.group(2), "joined"))
            previous, gap, i = text, False, i + 1
            continue
        if CODE.match(text) and (not previous or gap or AMOUNT.match(previous) or JOINED.match(previous)):
            code, parts, j, empties = text, 0, i + 1, 0
            while j < len(texts) and (PART.match(texts[j]) or not texts[j]) and empties <= 3:
                if texts[j]:
                    if len(code) + 2 > 7 or parts == 2:
                        break
                    code += texts[j]
                    parts += 1
                else:
                    empties += 1
                j += 1
            if j < len(texts) and is_name(texts[j]) and len(code) in LEVELS:
                out.append((code, texts[j], "parts" if parts else "cell"))
                previous, gap, i = texts[j], False, j + 1
                continue
        if text:
            previous, gap = text, False
        else:
            gap = True
        i += 1
    return out


# ---------------------------------------------------------------- harvesting


def manifest_years(folder: Path) -> dict[str, int]:
    manifest = folder / "MANIFEST.tsv"
    if not manifest.exists():
        return {}
    with open(manifest, encoding="utf-8", newline="") as f:
        return {row["file"]: int(row["year"]) for row in csv.DictReader(f, delimiter="\t") if row.get("year", "").isdigit()}


def harvest_pdf(path: Path, year: int | None, label: str) -> list[Pair]:
    import pdfplumber
    import pypdfium2 as pdfium

    from extract.identify import find_year
    from extract.pdf import read_tables, triage

    pairs: list[Pair] = []
    document = pdfium.PdfDocument(str(path))
    try:
        kinds = [triage(document[n])[0] for n in range(len(document))]
        if year is None:
            textpage = document[0].get_textpage()
            year = find_year(textpage.get_text_range())
            textpage.close()
    finally:
        document.close()
    with pdfplumber.open(path) as plumber:
        for number, kind in enumerate(kinds, start=1):
            if kind != "table":
                continue
            page = plumber.pages[number - 1]
            try:
                for table in read_tables(page, number, "pdfplumber"):
                    for row in table.grid:
                        for code, name, how in pairs_in_row(row):
                            pairs.append(Pair(label, year, number, code, name, how))
            finally:
                page.close()
    return pairs


def harvest_text_export(path: Path, year: int | None, label: str) -> list[Pair]:
    """Codes the project's own text-export reading resolves as printed (read or joined), with their row names."""
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    doc = normalize_document(extract_text_export(path))
    year = year or doc.raw.year
    pairs = []
    for table in doc.tables.values():
        for row in table.rows:
            # A name that differs from the reference's is left out: in an OCR text that is mostly two rows
            # merged into one; a code the reference does not know is kept for review.
            fits = not row.code_problem or row.code_problem.endswith("is not in the reference list")
            if row.code and row.code_how in ("read", "joined") and row.name and fits:
                pairs.append(Pair(label, year, row.page, row.code, row.name, "text-export"))
    return pairs


def harvest(folders: list[Path]) -> list[Pair]:
    pairs: list[Pair] = []
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".pdf", ".md"))
        years = manifest_years(folder if folder.is_dir() else folder.parent)
        for path in files:
            rel = path.relative_to(folder).as_posix() if folder.is_dir() else path.name
            label = f"{folder.name}:{rel}" if folder.is_dir() else f"file:{path.name}"
            if "scanned" in path.parts:
                continue  # image-only copies of corpus documents: no text layer to read
            year = years.get(rel)
            found = harvest_text_export(path, year, label) if path.suffix.lower() == ".md" else harvest_pdf(path, year, label)
            print(f"{label}: {len(found)} pairs", file=sys.stderr)
            pairs.extend(found)
    return pairs


def write_pairs(pairs: list[Pair], out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow(["file", "year", "page", "code", "name", "how"])
        for p in pairs:
            w.writerow([p.file, p.year or "", p.page or "", p.code, p.name, p.how])


def read_pairs(path: Path) -> list[Pair]:
    with open(path, encoding="utf-8", newline="") as f:
        return [
            Pair(r["file"], int(r["year"]) if r["year"] else None, int(r["page"]) if r["page"] else None, r["code"], r["name"], r["how"])
            for r in csv.DictReader(f, delimiter="\t")
        ]


# ---------------------------------------------------------------- merging

LEGACY = "legacy:schemas/classification.csv@9272a9a (the project's first hand-made list; not yet matched to a printed or cited source)"


def kind_of(code: str) -> str | None:
    kind = KINDS.get(code[:1])
    if kind in ("economic", "gov-economic") and len(code) == 7:
        # 7-digit economic codes (北京 `3021101 差旅费`) are local 目 under a national 款, not national subjects:
        # a kind of their own, so that name lookups among national 款 (差旅费 -> 30211) stay unambiguous.
        return kind + "-local"
    return kind


def level_of(code: str, kind: str | None = None) -> str | None:
    if (kind or kind_of(code) or "").startswith(("economic", "gov-economic")):
        return {3: "类", 5: "款", 7: "目"}.get(len(code))
    return LEVELS.get(len(code))


def parent_of(code: str) -> str:
    return code[:-2] if len(code) > 3 else ""


def canonical_spelling(name: str) -> str:
    """Half-width brackets, as the 科目 lists print them in plain text; the name otherwise as printed."""
    return name.replace("（", "(").replace("）", ")").strip()


@dataclass
class NameRow:
    """One name of one code: the years it was seen printed and where."""

    code: str
    name: str
    kind: str
    level: str
    years: set[int]
    sources: list[str]
    valid_from: str = ""  # explicit bounds from a cited list override the computed ones
    valid_to: str = ""
    aliases: list[str] | None = None

    def add_source(self, source: str) -> None:
        if source and source not in self.sources:
            self.sources.append(source)


def collect(pairs: list[Pair], cited: list[dict], carried: list[dict]) -> dict[tuple[str, str], NameRow]:
    rows: dict[tuple[str, str], NameRow] = {}
    spellings: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def row_for(code: str, name: str, kind: str | None = None, level: str | None = None) -> NameRow:
        key = (code, name_key(name))
        if key not in rows:
            kind = kind or kind_of(code)
            rows[key] = NameRow(code, canonical_spelling(name), kind, level or level_of(code, kind), set(), [])
        return rows[key]

    for p in pairs:
        if (p.code, p.name) in REJECTED or kind_of(p.code) is None or level_of(p.code) is None:
            continue
        row = row_for(p.code, p.name)
        spellings[(p.code, name_key(p.name))][canonical_spelling(p.name)] += 1
        if p.year:
            row.years.add(p.year)
        row.add_source(p.file)
    for key, counts in spellings.items():
        rows[key].name = max(counts.items(), key=lambda kv: kv[1])[0]
    for c in cited:
        row = row_for(c["code"], c["name"], c.get("kind") or None, c.get("level") or None)
        row.years.update(int(y) for y in (c.get("seen") or "").split("|") if y)
        row.valid_from = c.get("valid_from") or row.valid_from
        row.valid_to = c.get("valid_to") or row.valid_to
        for source in (c.get("source") or "").split(" | "):
            row.add_source(source.strip())
    for c in carried:
        names = [c["name"], *(a for a in (c.get("aliases") or "").split("|") if a)]
        for name in names:
            key = (c["code"], name_key(name))
            if key in rows:
                continue
            row = row_for(c["code"], name, c.get("kind") or None, c.get("level") or None)
            row.add_source(LEGACY)
    return rows


def assign_validity(rows: list[NameRow]) -> None:
    """Bounds of each name of a code from the years its names were seen printed.

    A name is valid in every year it was seen. With several names, the earlier name stays valid until the
    year before the next name was first seen (or its own last sighting, if later), the later one from the
    year after the earlier was last seen (or its own first sighting, if earlier): the years between two
    sightings accept both names, since the change happened somewhere in them. Names never seen in a dated
    document (cited without a year) count as the earliest. The first name has no lower bound and the last
    no upper bound: a code first printed in 2024 may well have existed before. Explicit bounds of a cited
    list win."""
    by_code: dict[str, list[NameRow]] = defaultdict(list)
    for row in rows:
        by_code[row.code].append(row)
    for names in by_code.values():
        # earliest first; between names seen in the same years, the one printed by more documents counts as the later
        names.sort(key=lambda r: (min(r.years) if r.years else 0, max(r.years) if r.years else 0, len(r.sources), r.name))
        for i, row in enumerate(names):
            computed_from = computed_to = ""
            if i > 0 and names[i - 1].years:
                after_previous = max(names[i - 1].years) + 1
                computed_from = str(min(after_previous, min(row.years)) if row.years else after_previous)
            if i < len(names) - 1 and names[i + 1].years:
                before_next = min(names[i + 1].years) - 1
                computed_to = str(max(before_next, max(row.years)) if row.years else before_next)
            row.valid_from = row.valid_from or computed_from
            row.valid_to = row.valid_to or computed_to


def read_cited(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_carried(path: Path) -> list[dict]:
    """Legacy rows to keep: every row of the old classification.csv, or the subjects.csv rows whose only
    source is that list (everything else is rebuilt from the harvest and the cited data below)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and "source" in rows[0]:
        return [r for r in rows if r["source"] == LEGACY]
    return rows


def page_data_pairs() -> list[Pair]:
    return [
        Pair(source, year, None, *line.split(" ", 1), "page-data")
        for (source, year), text in PAGE_DATA_PAIRS.items()
        for line in text.splitlines()
        if line.strip()
    ]


def merge(pairs: list[Pair], cited: list[dict], carried: list[dict]) -> list[dict]:
    rows = list(collect(pairs + page_data_pairs(), CITED + cited, carried).values())
    assign_validity(rows)
    codes = {r.code for r in rows}
    out = []
    for r in rows:
        parent = parent_of(r.code)
        out.append(
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "level": r.level,
                "parent": parent if parent in codes else "",
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "seen": "|".join(str(y) for y in sorted(r.years)),
                "aliases": "|".join(r.aliases or []),
                "source": " | ".join(r.sources),
            }
        )
    order = {"function": 0, "economic": 1, "gov-economic": 2, "revenue": 3}
    out.sort(key=lambda r: (order.get(r["kind"], 9), r["code"], r["valid_from"] or "0000", r["valid_to"] or "9999"))
    return out


def write_subjects(rows: list[dict], out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.build_classification", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("harvest", help="read (code, name) pairs from documents")
    h.add_argument("inputs", nargs="+", type=Path)
    h.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("merge", help="turn reviewed pairs (and cited lists) into schemas/subjects.csv")
    m.add_argument("pairs", type=Path, nargs="+", help="harvested (and reviewed) pair files")
    m.add_argument("--cited", type=Path, action="append", default=[], help="TSV of cited entries (columns of subjects.csv)")
    m.add_argument("--carry", type=Path, action="append", default=[], help="earlier reference whose legacy rows to keep (default: the current subjects.csv)")
    m.add_argument("--out", type=Path, default=SUBJECTS)
    args = parser.parse_args(argv)
    if args.command == "harvest":
        pairs = harvest(args.inputs)
        write_pairs(pairs, args.out)
        print(f"{len(pairs)} pairs -> {args.out}", file=sys.stderr)
        return 0
    cited = [c for path in args.cited for c in read_cited(path)]
    carry = args.carry or ([SUBJECTS] if SUBJECTS.exists() else [])
    carried = [c for path in carry for c in read_carried(path)]
    rows = merge([p for path in args.pairs for p in read_pairs(path)], cited, carried)
    write_subjects(rows, args.out)
    print(f"{len(rows)} rows -> {args.out}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- cited data (not harvestable from the corpus)

FIELD_NOTES = "doc:shared/reference/field-notes.md (names and codes measured on unseen 决算 documents, 2026-11-30)"
ISHARE = "page:http://m.ishare.iask.sina.com.cn/f/oIuBYFV8aL.html (政府预算和部门预算支出经济分类科目对照表, xls uploaded 2020-04-30)"

# Entries taken from a cited source, with the columns of subjects.csv; `seen` are years the source dates them to.
CITED: list[dict] = [
    {"code": "210", "name": "医疗卫生与计划生育支出", "kind": "function", "level": "类", "source": FIELD_NOTES},
    {"code": "21208", "name": "国有土地使用权出让收入及对应专项债务收入安排的支出", "kind": "function", "level": "款", "source": FIELD_NOTES},
    # 赠与 printed in a 2019 决算; the complete 399 lists printed in 2024 (国家信访局 决算 t06) and 2026 (福州 预算)
    # carry 39909 经常性赠与 and 39910 资本性赠与 instead, hence the upper bound.
    {"code": "39906", "name": "赠与", "kind": "economic", "level": "款", "seen": "2019", "valid_to": "2023", "source": FIELD_NOTES},
    {"code": "501", "name": "机关工资福利支出", "kind": "gov-economic", "level": "类", "source": ISHARE},
    {"code": "502", "name": "机关商品和服务支出", "kind": "gov-economic", "level": "类", "source": ISHARE},
]

# Tables of published documents kept as page data (text and grids read from the PDFs) in a public repository:
# (source, year of the document) -> "code name" lines, as printed in the documents' code/name columns.
PAGE_DATA_PAIRS: dict[tuple[str, int], str] = {
    (
        "github:zxj6827111-blip/GovBudgetChecker/tests/fixtures/shiquan_narrative_truth_page_data.json@0e03cb2 (上海市普陀区人民政府石泉路街道办事处 2025年度部门决算)",
        2025,
    ): """\
201 一般公共服务支出
20105 统计信息事务
2010505 专项统计业务
2010506 统计管理
20129 群众团体事务
2012902 一般行政管理事务
20132 组织事务
2013202 一般行政管理事务
20133 宣传事务
2013302 一般行政管理事务
20134 统战事务
2013402 一般行政管理事务
20138 市场监督管理事务
2013802 一般行政管理事务
204 公共安全支出
20406 司法
2040607 公共法律服务
20499 其他公共安全支出
2049999 其他公共安全支出
205 教育支出
20599 其他教育支出
2059999 其他教育支出
206 科学技术支出
20607 科学技术普及
2060702 科普活动
207 文化旅游体育与传媒支出
20701 文化和旅游
2070109 群众文化
20703 体育
2070308 群众体育
208 社会保障和就业支出
20805 行政事业单位离退休
2080501 行政单位离退休
2080502 事业单位离退休
2080505 机关事业单位基本养老保险缴费支出
2080506 机关事业单位职业年金缴费支出
2080599 其他行政事业单位养老支出
20807 就业补助
2080705 公益性岗位补贴
20808 抚恤
2080801 死亡抚恤
20816 红十字事业
2081602 一般行政管理事务
20825 其他生活救助
2082501 其他城市生活救助
20899 其他社会保障和就业支出
2089999 其他社会保障和就业支出
210 卫生健康支出
21007 计划生育事务
2100717 计划生育服务
21011 行政事业单位医疗
2101101 行政单位医疗
2101102 事业单位医疗
211 节能环保支出
21111 污染减排
2111101 减排专项支出
212 城乡社区支出
21201 城乡社区管理事务
2120101 行政运行
2120102 一般行政管理事务
2120104 城管执法
2120199 其他城乡社区管理事务支出
21203 城乡社区公共设施
2120399 其他城乡社区公共设施支出
21205 城乡社区环境卫生
2120501 城乡社区环境卫生
21299 其他城乡社区支出
2129999 其他城乡社区支出
221 住房保障支出
22102 住房改革支出
2210201 住房公积金
2210203 购房补贴
22103 城乡社区住宅
2210399 其他城乡社区住宅支出
224 灾害防治及应急管理支出
22402 消防救援事务
2240299 其他消防救援事务支出
301 工资福利支出
30101 基本工资
30102 津贴补贴
30103 奖金
30106 伙食补助费
30107 绩效工资
30108 机关事业单位基本养老保险缴费
30109 职业年金缴费
30110 职工基本医疗保险缴费
30111 公务员医疗补助缴费
30112 其他社会保障缴费
30113 住房公积金
30114 医疗费
30199 其他工资福利支出
302 商品和服务支出
30201 办公费
30202 印刷费
30203 咨询费
30204 手续费
30205 水费
30206 电费
30207 邮电费
30208 取暖费
30209 物业管理费
30211 差旅费
30212 因公出国（境）费用
30213 维修（护）费
30214 租赁费
30215 会议费
30216 培训费
30217 公务接待费
30218 专用材料费
30224 被装购置费
30225 专用燃料费
30226 劳务费
30227 委托业务费
30228 工会经费
30229 福利费
30231 公务用车运行维护费
30239 其他交通费用
30240 税金及附加费用
30299 其他商品和服务支出
303 对个人和家庭的补助
30301 离休费
30302 退休费
30303 退职（役）费
30304 抚恤金
30305 生活补助
30306 救济费
30307 医疗费补助
30308 助学金
30309 奖励金
30310 个人农业生产补贴
30311 代缴社会保险费
30399 其他对个人和家庭的补助
310 资本性支出
31001 房屋建筑物购建
31002 办公设备购置
31003 专用设备购置
31007 信息网络及软件购置更新
31013 公务用车购置
31019 其他交通工具购置
31021 文物和陈列品购置
31022 无形资产购置
31099 其他资本性支出
""",
    (
        "github:zxj6827111-blip/GovBudgetChecker/tests/fixtures/jianguanwei_budget_page_data.json@80b8ed4 (上海市普陀区建设和管理委员会 2026年部门预算, pdf sha256 73528f0b)",
        2026,
    ): """\
208 社会保障和就业支出
20805 行政事业单位养老支出
2080501 行政单位离退休
2080502 事业单位离退休
2080505 机关事业单位基本养老保险缴费支出
2080506 机关事业单位职业年金缴费支出
2080599 其他行政事业单位养老支出
20807 就业补助
2080704 社会保险补贴
2080705 公益性岗位补贴
20808 抚恤
2080801 死亡抚恤
210 卫生健康支出
21011 行政事业单位医疗
2101101 行政单位医疗
2101102 事业单位医疗
212 城乡社区支出
21201 城乡社区管理事务
2120101 行政运行
2120199 其他城乡社区管理事务支出
21203 城乡社区公共设施
2120399 其他城乡社区公共设施支出
21206 建设市场管理与监督
2120601 建设市场管理与监督
21208 国有土地使用权出让收入安排的支出
2120803 城市建设支出
213 农林水支出
21303 水利
2130306 水利工程运行与维护
215 资源勘探工业信息等支出
21508 支持中小企业发展和管理支出
2150899 其他支持中小企业发展和管理支出
221 住房保障支出
22102 住房改革支出
2210201 住房公积金
2210203 购房补贴
301 工资福利支出
30101 基本工资
30102 津贴补贴
30107 绩效工资
30108 机关事业单位基本养老保险缴费
30109 职业年金缴费
30110 职工基本医疗保险缴费
30112 其他社会保障缴费
30113 住房公积金
30199 其他工资福利支出
302 商品和服务支出
30201 办公费
30202 印刷费
30204 手续费
30205 水费
30206 电费
30207 邮电费
30209 物业管理费
30211 差旅费
30213 维修（护）费
30215 会议费
30216 培训费
30226 劳务费
30227 委托业务费
30228 工会经费
30231 公务用车运行维护费
30239 其他交通费用
30299 其他商品和服务支出
303 对个人和家庭的补助
30302 退休费
310 资本性支出
31002 办公设备购置
""",
    (
        "github:zxj6827111-blip/GovBudgetChecker/tests/fixtures/wenlvju_budget_page_data.json@c5fdaea (上海市普陀区文化和旅游局 2026年部门预算, pdf sha256 19447c3c)",
        2026,
    ): """\
207 文化旅游体育与传媒支出
20701 文化和旅游
2070101 行政运行
2070104 图书馆
2070105 文化展示及纪念机构
2070108 文化活动
2070109 群众文化
2070110 文化和旅游交流与合作
2070111 文化创作与保护
2070112 文化和旅游市场管理
2070113 旅游宣传
2070114 文化和旅游管理事务
2070199 其他文化和旅游支出
20799 其他文化旅游体育与传媒支出
2079903 文化产业发展专项支出
2079999 其他文化旅游体育与传媒支出
208 社会保障和就业支出
20805 行政事业单位养老支出
2080501 行政单位离退休
2080502 事业单位离退休
2080505 机关事业单位基本养老保险缴费支出
2080506 机关事业单位职业年金缴费支出
2080599 其他行政事业单位养老支出
210 卫生健康支出
21011 行政事业单位医疗
2101101 行政单位医疗
2101102 事业单位医疗
215 资源勘探工业信息等支出
21508 支持中小企业发展和管理支出
2150899 其他支持中小企业发展和管理支出
221 住房保障支出
22102 住房改革支出
2210201 住房公积金
2210203 购房补贴
301 工资福利支出
30101 基本工资
30102 津贴补贴
30107 绩效工资
30108 机关事业单位基本养老保险缴费
30109 职业年金缴费
30110 职工基本医疗保险缴费
30112 其他社会保障缴费
30113 住房公积金
30199 其他工资福利支出
302 商品和服务支出
30201 办公费
30202 印刷费
30204 手续费
30205 水费
30206 电费
30207 邮电费
30209 物业管理费
30211 差旅费
30213 维修（护）费
30214 租赁费
30215 会议费
30216 培训费
30217 公务接待费
30218 专用材料费
30226 劳务费
30227 委托业务费
30228 工会经费
30231 公务用车运行维护费
30239 其他交通费用
30299 其他商品和服务支出
303 对个人和家庭的补助
30302 退休费
30399 其他对个人和家庭的补助
310 资本性支出
31002 办公设备购置
31003 专用设备购置
""",
    (
        "github:zxj6827111-blip/GovBudgetChecker/tests/fixtures/chengguan_budget_page_data.json@c5fdaea (上海市普陀区城市管理行政执法局 2026年部门预算, pdf sha256 c56f4368)",
        2026,
    ): """\
208 社会保障和就业支出
20805 行政事业单位养老支出
2080501 行政单位离退休
2080505 机关事业单位基本养老保险缴费支出
2080506 机关事业单位职业年金缴费支出
2080599 其他行政事业单位养老支出
20808 抚恤
2080801 死亡抚恤
210 卫生健康支出
21011 行政事业单位医疗
2101101 行政单位医疗
212 城乡社区支出
21201 城乡社区管理事务
2120104 城管执法
221 住房保障支出
22102 住房改革支出
2210201 住房公积金
2210203 购房补贴
301 工资福利支出
30101 基本工资
30102 津贴补贴
30108 机关事业单位基本养老保险缴费
30109 职业年金缴费
30110 职工基本医疗保险缴费
30112 其他社会保障缴费
30113 住房公积金
30199 其他工资福利支出
302 商品和服务支出
30201 办公费
30202 印刷费
30204 手续费
30205 水费
30206 电费
30207 邮电费
30209 物业管理费
30211 差旅费
30213 维修（护）费
30214 租赁费
30215 会议费
30216 培训费
30217 公务接待费
30218 专用材料费
30227 委托业务费
30228 工会经费
30231 公务用车运行维护费
30239 其他交通费用
30299 其他商品和服务支出
303 对个人和家庭的补助
30302 退休费
310 资本性支出
31002 办公设备购置
""",
    (
        "github:zxj6827111-blip/GovBudgetChecker/tests/fixtures/sample_page_data.json@55d3e26 (上海市普陀区生态环境局 2025年度部门决算, pdf sha256 113b98bb)",
        2025,
    ): """\
208 社会保障和就业支出
20805 行政事业单位养老支出
2080501 行政单位离退休
2080502 事业单位离退休
2080505 机关事业单位基本养老保险缴费支出
2080506 机关事业单位职业年金缴费支出
2080599 其他行政事业单位养老支出
20808 抚恤
2080801 死亡抚恤
210 卫生健康支出
21011 行政事业单位医疗
2101101 行政单位医疗
2101102 事业单位医疗
211 节能环保支出
21101 环境保护管理事务
2110101 行政运行
2110104 生态环境保护宣传
2110105 环境保护法规、规划及标准
2110107 生态环境保护行政许可
2110199 其他环境保护管理事务支出
21103 污染防治
2110301 大气
2110302 水体
2110399 其他污染防治支出
21111 污染减排
2111101 生态环境监测与信息
2111102 生态环境执法监察
221 住房保障支出
22102 住房改革支出
2210201 住房公积金
2210203 购房补贴
""",
}


if __name__ == "__main__":
    sys.exit(main())
