"""Subject codes: joined from split cells, completed from names, never guessed."""
import pytest

from normalize.codes import CodeContext, join_parts, resolve_code
from schemas import classification


def resolve(cells, name, kind="function", lei=None, kuan=None, siblings=None):
    ctx = CodeContext(kind=kind, lei=lei, kuan=kuan, sibling_names=siblings or {})
    return resolve_code(cells, name, ctx)


@pytest.mark.parametrize(
    "cells, name, code",
    [
        (["201329 9"], "其他组织事务支出", "2013299"),
        (["201", "06", "01"], "行政运行", "2010601"),
        (["201", "132", ""], "组织事务", "20132"),
        (["201", "2013750", ""], "事业运行", "2013750"),
        (["20604"], "技术研究与开发", "20604"),
        (["2060404"], "科技成果转化与扩散", "2060404"),
    ],
)
def test_printed_codes_are_joined(cells, name, code):
    assert resolve(cells, name).code == code


def test_code_spread_over_columns_with_extra_digits_is_read_through_its_name():
    result = resolve(["201", "1329", "99"], "其他组织事务支出", lei="201", kuan="20132")
    assert result.code == "2013299"
    assert result.how == "from-name"


@pytest.mark.parametrize(
    "cells, name, lei, kuan, code",
    [
        (["206090"], "重点研发计划", "206", "20609", "2060902"),
        (["208050"], "行政单位离退休", "208", "20805", "2080501"),
        (["208050"], "事业单位离退休", "208", "20805", "2080502"),
        (["208050"], "离退休人员管理机构", "208", "20805", "2080503"),
        (["208050"], "机关事业单位基本养老保险缴费支出", "208", "20805", "2080505"),
        (["229040"], "其他地方自行试点项目收益专项债券收入安排的支出", "229", "22904", "2290402"),
    ],
)
def test_truncated_codes_are_completed_from_the_name(cells, name, lei, kuan, code):
    result = resolve(cells, name, lei=lei, kuan=kuan)
    assert (result.code, result.how) == (code, "from-name")


def test_truncated_economic_code_is_completed_under_its_class():
    assert resolve(["3010"], "基本工资", kind="economic", lei="301").code == "30101"
    assert resolve(["3100"], "办公设备购置", kind="economic", lei="310").code == "31002"
    assert resolve(["3023"], "公务用车运行维护费", kind="economic", lei="302").code == "30231"


def test_name_cut_at_the_cell_edge_still_names_one_subject():
    assert resolve(["3010"], "机关事业单位基本养老保险缴", kind="economic", lei="301").code == "30108"


def test_missing_class_code_comes_from_the_class_name():
    assert resolve([], "社会保障和就业支出").code == "208"


def test_sibling_tables_are_evidence_before_the_reference_list():
    siblings = {"重点研发计划": {"2060902"}}
    assert resolve(["206090"], "重点研发计划", kuan="20609", siblings=siblings).code == "2060902"


def test_a_generic_name_is_resolved_only_under_its_parent():
    # 行政运行 exists under many 款: without the current 款 it cannot be completed.
    assert resolve(["2010"], "行政运行").code is None
    assert resolve(["2010"], "行政运行", lei="201", kuan="20106").code == "2010601"
    assert resolve(["215050"], "行政运行", lei="215", kuan="21505").code == "2150501"


def test_an_unknown_truncated_code_is_reported_not_guessed():
    result = resolve(["206090"], "某个不存在的科目", kuan="20609")
    assert result.code is None
    assert "incomplete" in result.problem


def test_level_comes_from_length():
    from normalize.codes import level_of

    assert [level_of(c, "function") for c in ("201", "20132", "2013299")] == ["类", "款", "项"]
    assert [level_of(c, "economic") for c in ("301", "30101")] == ["类", "款"]


def test_join_without_names_follows_the_columns():
    assert join_parts(["201", "06", "01"]) == "2010601"
    assert join_parts(["301", "01"], "economic") == "30101"


def test_reference_list_has_parents_for_every_child():
    ref = classification()
    for code, subject in ref.items():
        if subject.parent:
            assert subject.parent in ref, f"{code} {subject.name}: parent {subject.parent} missing"
