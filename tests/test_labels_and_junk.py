"""Names, labels and junk rows."""
import pytest

from normalize.junk import junk_reason
from normalize.labels import normalize_name


@pytest.mark.parametrize(
    "printed, name",
    [
        ("一、一般公共服务支出", "一般公共服务支出"),
        ("二十三、其他支出", "其他支出"),
        ("（一）行政运行", "行政运行"),
        ("机关事业单位基本养老保险\n缴费支出", "机关事业单位基本养老保险缴费支出"),
        ("因 公 出 国 （ 境 ） 费\n用", "因公出国(境)费用"),
        ("使用非财政拨款结余 (含专用结余)", "使用非财政拨款结余(含专用结余)"),
    ],
)
def test_names_are_nfkc_without_spaces_or_ordinals(printed, name):
    assert normalize_name(printed) == name


@pytest.mark.parametrize(
    "cells, reason",
    [
        (["栏次", "", "1", "栏次", "", "2"], "栏次 row"),
        (["1", "2", "3", "4", "5", "6"], "column-number row"),
        (["1 125 71", "00", "0,200.11", "וא אפא", "00", "0,200.11"], "OCR garbage"),
        (["关", "承人", "坝"], "garbled header row"),
        (["", "", ""], "empty row"),
    ],
)
def test_junk_rows_are_recognised_with_a_reason(cells, reason):
    assert reason in junk_reason(cells)


@pytest.mark.parametrize(
    "cells",
    [
        ["201", "一般公共服务支出", "364.05"],
        ["", "9", "", "九、卫生健康支出", "39", "126. 89"],
        ["矢  萩", "坝", "合计", "", ""],
    ],
)
def test_data_rows_are_not_junk(cells):
    assert junk_reason(cells) is None
