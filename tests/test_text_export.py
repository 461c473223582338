"""Finding the nine tables in a text export, whatever the titles look like."""
from pathlib import Path

import pytest

from extract import extract_document
from extract.identify import find_department, find_marker, find_unit, match_title
from extract.model import InputError
from extract.text_export import extract_text_export
from normalize.document import normalize_document


@pytest.mark.parametrize(
    "line, table",
    [
        ("#### 2024年度收入支出决算总表", "t01"),
        ("## 2024年度收入决算表", "t02"),
        ("支出决算表", "t03"),
        ("### 2024年度财政拨款收入支出决算总表", "t04"),
        ("2024年度一般公共预算财政拨款支出决算表", "t05"),
        ("一般公共预算财政拨款基本支出决算明细表", "t06"),
        ("政府性基金预算财政拨款收入支出决算表", "t07"),
        ("国有资本经营预算财政拨款支出决算表", "t08"),
        ('2024年度财政拨款"三公"经费支出决算表', "t09"),
        ("一般公共预算财政拨款“三公”经费支出决算表", "t09"),
        ("某某局2024年度收入决算表（公开02表）", "t02"),
    ],
)
def test_titles_identify_tables(line, table):
    assert match_title(line).id == table


@pytest.mark.parametrize(
    "line",
    ["三、支出决算情况说明", "第二部分 某某局 2024 年度部门决算表", "2024年度收入合计9266.11万元，与2023年度相比，收入决算表显示增加"],
)
def test_headings_and_sentences_are_not_titles(line):
    assert match_title(line) is None


def test_caption_metadata():
    caption = "部门: 武汉市蔡甸区经济信息化和科技创 新局(汇总) 公开 01 表 单位: 万元"
    assert find_department(caption) == "武汉市蔡甸区经济信息化和科技创新局(汇总)"
    assert find_marker(caption) == "1"
    assert find_unit(caption) == "万元"
    assert find_unit("金额单位：元") == "元"
    assert find_marker("表3") == "3" and find_marker("公开表三") == "3" and find_marker("预算01表") == "1"


SMALL_EXPORT = """# 某某局2024年度部门决算

- 一、收入决算表
- 二、支出决算表

## 2024年度收入决算表

部门:某某局

公开 02 表 单位:万元

科目编码\t科目名称\t本年收入合计\t财政拨款收入\t其他收入
栏次\t\t1\t2\t3
\t合计\t1, 200. 00\t1, 000. 00\t200. 00
201\t一般公共服务支出\t1, 200. 00\t1, 000. 00\t200. 00
20106\t财政事务\t1, 200. 00\t1, 000. 00\t200. 00
201060 1\t行政运行\t1, 200. 00\t1, 000. 00\t200. 00

注: 本表反映部门本年度取得的各项收入情况。

## 2024年度国有资本经营预算财政拨款支出决算表

公开 08 表 单位:万元

项目\t\t本年支出
科目编码\t科目名称\t合计\t基本支出\t项目支出
\t合计\t\t\t

本部门2024年度无国有资本经营预算财政拨款支出。

# 第三部分 情况说明

2024年度收入合计1200.00万元。
"""


def write(tmp_path: Path, text: str, name: str = "doc.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tables_are_found_and_the_table_of_contents_is_not(tmp_path):
    raw = extract_text_export(write(tmp_path, SMALL_EXPORT))
    assert [t.table_id for t in raw.tables] == ["t02", "t08"]
    t02 = raw.tables[0]
    assert t02.department == "某某局" and t02.unit == "万元" and t02.marker == "2"
    assert len(t02.header_rows) == 2 and len(t02.rows) == 4


def test_header_rows_are_kept_apart_from_data_rows(tmp_path):
    doc = normalize_document(extract_text_export(write(tmp_path, SMALL_EXPORT)))
    t02 = doc.tables["t02"]
    assert [r.code for r in t02.rows] == [None, "201", "20106", "2010601"]
    assert str(t02.rows[3].values["其他收入"].value) == "200.00"
    assert t02.measures == ["本年收入合计", "财政拨款收入", "其他收入"]


def test_a_table_declared_empty_in_words_is_kept_and_marked(tmp_path):
    doc = normalize_document(extract_text_export(write(tmp_path, SMALL_EXPORT)))
    assert doc.tables["t08"].declared_empty
    assert not any(c.value is not None for _, _, c in doc.tables["t08"].cells())


def test_narrative_is_kept_by_section(tmp_path):
    raw = extract_text_export(write(tmp_path, SMALL_EXPORT))
    block = next(b for b in raw.narrative if "1200.00万元" in b.text)
    assert block.section == ("第三部分 情况说明",)


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00junk" * 50, "binary"),
        ("# 只有标题的文件\n\n没有任何表格。\n".encode(), "not-juesuan"),
    ],
)
def test_malformed_exports_raise_one_line_errors_naming_the_file(tmp_path, content, kind):
    path = tmp_path / "broken.md"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        extract_document(path)
    assert err.value.kind == kind
    assert "broken.md" in str(err.value) and "\n" not in str(err.value)


def test_truncated_export_keeps_the_tables_it_has(tmp_path):
    truncated = SMALL_EXPORT[: SMALL_EXPORT.index("20106\t")]
    doc = normalize_document(extract_text_export(write(tmp_path, truncated)))
    assert [r.code for r in doc.tables["t02"].rows] == [None, "201"]
    assert doc.missing == ["t01", "t03", "t04", "t05", "t06", "t07", "t08", "t09"]


def test_a_three_public_table_with_budget_and_actual_as_rows_and_extra_columns_is_read(tmp_path):
    from check.run import check_document
    from normalize.document import normalize_document
    from synthetic import build

    text = build()
    start = text.index('## 2024年度财政拨款"三公"经费支出决算表')
    end = text.index("# 第三部分")
    turned = "\n".join([
        '## 2024年度财政拨款"三公"经费支出决算表', "", "公开 09 表 单位:万元", "",
        "项目\t合计\t因公出国(境)费\t公务用车购置及运行维护费\t\t\t公务接待费\t会议费\t培训费",
        "\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t",
        "预算数\t8.00\t2.00\t5.00\t\t5.00\t1.00\t3.00\t4.50",
        "决算数\t6.00\t1.00\t4.00\t\t4.00\t1.00\t2.50\t4.00", "", ""])
    path = tmp_path / "turned.md"
    path.write_text(text[:start] + turned + text[end:], encoding="utf-8")
    doc = normalize_document(extract_document(path))
    [row] = doc.tables["t09"].rows
    assert {m: str(c.value) for m, c in row.values.items()} == {
        "预算数/合计": "8.00", "预算数/因公出国(境)费": "2.00", "预算数/公务用车购置及运行维护费": "5.00", "预算数/公务用车运行维护费": "5.00",
        "预算数/公务接待费": "1.00", "预算数/会议费": "3.00", "预算数/培训费": "4.50",
        "决算数/合计": "6.00", "决算数/因公出国(境)费": "1.00", "决算数/公务用车购置及运行维护费": "4.00", "决算数/公务用车运行维护费": "4.00",
        "决算数/公务接待费": "1.00", "决算数/会议费": "2.50", "决算数/培训费": "4.00"}
    results = [r for r in check_document(doc, repair=False).results if r["check_id"] in ("T09-TOTAL", "N-T09")]
    assert results and all(r["status"] == "pass" for r in results)
