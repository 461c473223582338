"""Every publication defect is caught, in a text export and in the text-layer PDF of the same document: a copy of
a consistent document with exactly one defect gets the check made for it, and the clean document gets none.
A printed value is never repaired in a PDF; in a text export (an OCR product) a changed cell may be repaired, and
is then listed."""
from __future__ import annotations

from pathlib import Path

import pytest

from check.run import check_document
from extract import extract_document
from normalize.document import normalize_document
from synthetic import DEPARTMENT, build
from tools.typeset_export import typeset_text_export

CLEAN = build()


def _once(old: str, new: str, after: str = ""):
    """Replace the first `old` (after the first `after`, to reach one table's row)."""
    def damage(text: str) -> str:
        start = text.index(after)
        assert old in text[start:], old
        return text[:start] + text[start:].replace(old, new, 1)
    return damage


# name: (how the document is damaged, the check that must flag it, its status)
DEFECTS = {
    "wording against its numbers": (_once("决算数小于年初预算数", "决算数大于年初预算数"), "N-WORDING", "fail"),
    "increase said with a decrease": (_once("增加5.00万元,增长4.17%", "增加5.00万元,下降4.17%"), "N-WORDING", "fail"),
    "share that does not match its amounts": (_once("占本年支出52.17%", "占本年支出62.17%"), "N-SHARE", "fail"),
    "share with a digit more than its amounts give": (_once("占本年支出52.17%", "占本年支出152.17%"), "N-SHARE", "fail"),
    "completion rate that does not match": (_once("完成年初预算的80.00%", "完成年初预算的87.20%"), "N-RATE", "fail"),
    "说明 figure whose table was emptied": (
        _once("\t".join("8.00|2.00|5.00||5.00|1.00|6.00|1.00|4.00||4.00|1.00".split("|")), "\t".join([""] * 12)), "N-T09", "fail"),
    "placeholder in the department name": (lambda t: t.replace(f"部门:{DEPARTMENT}", "部门:XX局"), "TXT-PLACEHOLDER", "warn"),
    "placeholder in the 说明": (_once("本部门共有车辆2辆", "本部门共有车辆XX辆"), "TXT-PLACEHOLDER", "warn"),
    "last year's heading": (_once(f"# {DEPARTMENT}2024年度部门决算", f"# {DEPARTMENT}2023年度部门决算"), "TXT-YEAR", "warn"),
    "last year's balance date": (_once("截至2024年12月31日", "截至2023年12月31日"), "TXT-YEAR", "warn"),
    "a comparison with the wrong year": (_once("与2023年度相比", "与2022年度相比"), "TXT-YEAR", "warn"),
    "doubled punctuation": (_once("主要原因是业务量增加。", "主要原因是业务量增加。。"), "TXT-PUNCT", "warn"),
    "绩效 rate ten times its numbers": (_once("\t90.00%\t", "\t900.00%\t"), "P-RATE", "fail"),
    "绩效 score over its weight": (_once("\t90.00%\t9.00", "\t90.00%\t19.00"), "P-SCORE", "fail"),
    "绩效 total not the sum of its scores": (_once("\t100\t97", "\t100\t87"), "P-TOTAL", "fail"),
    "a changed table cell": (_once("2010601\t行政运行\t80.00\t45.00\t35.00", "2010601\t行政运行\t80.00\t45.00\t53.00",
                                   after="一般公共预算财政拨款支出决算表"), "ROW-T05", "fail"),
}


def _document(text: str, folder: Path, form: str):
    source = folder / "doc.md"
    source.write_text(text, encoding="utf-8")
    path = source if form == "text" else typeset_text_export(source, folder / "doc.pdf")
    doc = normalize_document(extract_document(path))
    return doc, check_document(doc, repair=True)


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_the_consistent_document_has_no_finding_and_no_repair(tmp_path, form):
    _, report = _document(CLEAN, tmp_path, form)
    assert [r for r in report.results if r["status"] in ("fail", "warn")] == []
    assert report.repairs == [] and report.verdict == "pass"


@pytest.mark.parametrize("form", ["text", "pdf"])
@pytest.mark.parametrize("name", list(DEFECTS))
def test_each_defect_is_flagged_by_its_check(tmp_path, name, form):
    damage, check_id, status = DEFECTS[name]
    doc, report = _document(damage(CLEAN), tmp_path, form)
    flagged = [r for r in report.results if r["check_id"] == check_id and r["status"] == status]
    if form == "text" and name == "a changed table cell" and report.repairs:
        # An OCR export could have misread the cell: repaired with the evidence of two identities, and listed.
        assert [(r.table, r.code, r.measure, r.as_read) for r in report.repairs] == [("t05", "2010601", "项目支出", "53.00")]
        return
    assert flagged, [(r["check_id"], r["status"], r["reason"]) for r in report.results if r["status"] != "pass"]
    assert report.verdict == status
    if form == "pdf":
        assert report.repairs == []  # a text layer prints what the document says: nothing is repaired


def test_a_changed_cell_in_the_pdf_keeps_its_printed_value_and_shows_the_expected_one(tmp_path):
    damage, _, _ = DEFECTS["a changed table cell"]
    doc, report = _document(damage(CLEAN), tmp_path, "pdf")
    cell = next(r for r in doc.tables["t05"].rows if r.code == "2010601").values["项目支出"]
    assert str(cell.value) == "53.00" and not cell.repaired
    failing = [r for r in report.results if r["status"] == "fail" and "t05||2010601|项目支出" in r["cells"].split(";")]
    assert failing and all("t05[2010601].项目支出印为53.00" in r["reason"] and "应为35.00" in r["reason"] for r in failing)


def test_a_share_missing_one_digit_is_a_likely_misreading_only_where_misreading_is_possible(tmp_path):
    """`2.17%` for 52.17%: OCR may drop a character, a text layer cannot; so a warning in the export, a fail in the PDF."""
    damage = _once("占本年支出52.17%", "占本年支出2.17%")
    for form, status in (("text", "warn"), ("pdf", "fail")):
        (tmp_path / form).mkdir()
        _, report = _document(damage(CLEAN), tmp_path / form, form)
        shares = [r for r in report.results if r["check_id"] == "N-SHARE" and r["actual"] == "2.17"]
        assert [r["status"] for r in shares] == [status], form


def test_the_evidence_repair_last_gathered_gives_the_implied_values_gathering_it_afresh_gives(tmp_path):
    """check_document names a contradicted printed value with the identities repair last evaluated, when no repair
    changed the tables since: the same values and identities as evaluating them again."""
    from check import narrative
    from check.repair import Evidence, implied_values, repair_document
    from normalize.narrative import first_figures

    damage, _, _ = DEFECTS["a changed table cell"]
    source = tmp_path / "doc.md"
    source.write_text(damage(CLEAN), encoding="utf-8")
    doc = normalize_document(extract_document(typeset_text_export(source, tmp_path / "doc.pdf")))
    figures = list(first_figures(doc.figures).values())
    extra = lambda tables: narrative.narrative_equations(doc, figures)  # noqa: E731
    repaired = repair_document(doc, extra=extra)
    assert repaired.evidence is not None
    described = lambda found: [(ref.address, value, sorted(eq.check_id for eq in eqs)) for ref, value, eqs in found]  # noqa: E731
    reused = described(implied_values(doc.tables, repaired.evidence))
    assert reused and reused == described(implied_values(doc.tables, Evidence.of(doc.tables, extra)))
