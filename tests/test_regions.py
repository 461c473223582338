"""Where a department sits, from its name: the place it starts with, its level, and its province, also when the
name prints only its county or city (the divisions in schemas/divisions.csv say which province holds it)."""
from __future__ import annotations

import pytest

from normalize.regions import region_of

CASES = {
    "中共上海市普陀区委社会工作部": ("上海市普陀区", "区县", "上海市"),  # the party prefix is not a place
    "武汉市蔡甸区经济信息化和科技创新局(汇总)": ("武汉市蔡甸区", "区县", "湖北省"),  # the province is not printed
    "蔡甸区财政局": ("蔡甸区", "区县", "湖北省"),  # a county name found once in the country
    "利川市财政局": ("利川市", "区县", "湖北省"),  # a county-level city is a 区县, not a 市
    "武汉市财政局": ("武汉市", "市", "湖北省"),
    "湖北省财政厅": ("湖北省", "省", "湖北省"),
    "北京市东城区财政局": ("北京市东城区", "区县", "北京市"),
    "国家信访局": ("中央", "中央", "中央"),
    "鼓楼区教育局": ("鼓楼区", "区县", ""),  # four cities have a 鼓楼区: no guess
    "普陀区财政局": ("普陀区", "区县", ""),  # 上海 and 舟山 both have one
    "某某局": ("", "", ""),
    "天津市滨海新区社区管理局": ("天津市滨海新区", "区县", "天津市"),
}


@pytest.mark.parametrize("department", list(CASES))
def test_region_level_and_province_of_a_department(department):
    region = region_of(department)
    assert (region.name, region.level, region.province) == CASES[department]


def test_a_county_of_the_same_name_elsewhere_is_told_apart_by_the_province_printed():
    assert region_of("浙江省舟山市普陀区财政局").province == "浙江省"
    assert region_of("上海市普陀区财政局").province == "上海市"
