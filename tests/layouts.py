"""PDF layouts other provinces use, typeset from the synthetic document's values (tests/synthetic.py)."""
from __future__ import annotations

from pathlib import Path

from synthetic import CLASS_LINES, NAMES, VALUES
from tools.typeset import HeaderCell as H
from tools.typeset import Paragraphs, TableSpec, typeset

CODED = {
    "t02": ["201", "20106", "2010601", "212", "21208", "2120803", "221", "22102", "2210201"],
    "t03": ["201", "20106", "2010601", "212", "21208", "2120803", "221", "22102", "2210201"],
    "t05": ["201", "20106", "2010601", "221", "22102", "2210201"],
    "t07": ["212", "21208", "2120803"],
}


def split_code(code: str) -> list[str]:
    """`2010601` -> 类 | 款 | 项 columns (`201 | 06 | 01`)."""
    return [code[:3], code[3:5], code[5:7]]


def coded_rows(tid: str, width: int, three_columns: bool, line_numbers: bool, total_at_bottom: bool, repeat: int = 1):
    rows = []
    for n in range(repeat):
        for code in CODED[tid]:
            cells = VALUES[f"{tid}.{code}"].split("|")
            cells += [""] * (width - len(cells))
            key = split_code(code) if three_columns else [code]
            rows.append(key + [NAMES[code]] + ([str(len(rows) + 1)] if line_numbers else []) + cells)
    total = VALUES[f"{tid}.合计"].split("|")
    total += [""] * (width - len(total))
    total_row = ([""] * 3 if three_columns else [""]) + ["合计"] + (["0"] if line_numbers else []) + total
    return rows + [total_row] if total_at_bottom else [total_row] + rows


def province_layout(path: Path) -> Path:
    """表1…表9 markers, 三公 (表7) before 基金, codes in 类|款|项 columns, 栏次 and 行次 columns, `项 目` spaced,
    合计 at the bottom, a long table repeating title and header on every page, and a 支出决算表 that lost its title."""
    specs: list = []
    cap = lambda n: f"表{n}  金额单位：万元"  # noqa: E731
    income = [("一、一般公共预算财政拨款收入", "t01.一般公共预算财政拨款收入"), ("二、政府性基金预算财政拨款收入", "t01.政府性基金预算财政拨款收入"), ("八、其他收入", "t01.其他收入")]
    rows = []
    for i in range(3):
        rows.append([income[i][0], str(i + 1), VALUES[income[i][1]], CLASS_LINES[i][1], str(i + 31), VALUES["t01." + CLASS_LINES[i][0]]])
    rows += [["本年收入合计", "27", VALUES["t01.本年收入合计"], "本年支出合计", "57", VALUES["t01.本年支出合计"]],
             ["年初结转和结余", "29", VALUES["t01.年初结转和结余"], "年末结转和结余", "59", VALUES["t01.年末结转和结余"]],
             ["总计", "30", VALUES["t01.收入总计"], "总计", "60", VALUES["t01.支出总计"]]]
    specs.append(TableSpec("收入支出决算总表", [[H("收 入", 3), H("支 出", 3)], [H("项 目"), H("行次"), H("金额"), H("项 目"), H("行次"), H("金额")],
                                          [H("栏次"), H(""), H("1"), H("栏次"), H(""), H("2")]], rows, [140, 30, 70, 140, 30, 70], "部门：某某局", cap(1)))

    head = lambda measures, extra=(): [  # noqa: E731
        [H("项 目", 5)] + [H(m, 1, 2) for m in measures],
        [H("类"), H("款"), H("项"), H("科目名称"), H("行次")],
        [H("栏次", 5)] + [H(str(i + 1)) for i in range(len(measures))],
    ]
    m02 = ["本年收入合计", "财政拨款收入", "其他收入"]
    long_rows = coded_rows("t02", 3, True, True, True, repeat=1)
    # Long enough to run over pages: the same rows printed with a tall row height; title and header repeat.
    specs.append(TableSpec("收入决算表", head(m02), long_rows, [30, 24, 24, 150, 30, 70, 70, 70], "部门：某某局", cap(2),
                           repeat_title=True, repeat_header=True, row_height=90))
    m03 = ["本年支出合计", "基本支出", "项目支出"]
    specs.append(TableSpec(None, head(m03), coded_rows("t03", 3, True, True, True), [30, 24, 24, 150, 30, 70, 70, 70], "部门：某某局", cap(3)))

    rows = []
    for i, (code, label) in enumerate(CLASS_LINES):
        left = [("一、一般公共预算财政拨款", "t04.一般公共预算财政拨款"), ("二、政府性基金预算财政拨款", "t04.政府性基金预算财政拨款"), ("", None)][i]
        rows.append([left[0], VALUES[left[1]] if left[1] else "", label] + VALUES[f"t04.{code}"].split("|"))
    rows += [["本年收入合计", VALUES["t04.本年收入合计"], "本年支出合计"] + VALUES["t04.本年支出合计"].split("|"),
             ["年初财政拨款结转和结余", "", "年末财政拨款结转和结余"] + VALUES["t04.年末财政拨款结转和结余"].split("|"),
             ["总计", VALUES["t04.收入总计"], "总计"] + VALUES["t04.支出总计"].split("|")]
    specs.append(TableSpec("财政拨款收入支出决算总表", [[H("收 入", 2), H("支 出", 4)], [H("项 目", 1, 2), H("金额", 1, 2), H("项 目", 1, 2), H("决算数", 3)],
                                                  [H("小计"), H("一般公共预算财政拨款"), H("政府性基金预算财政拨款")]],
                           rows, [120, 60, 140, 60, 60, 60], "部门：某某局", cap(4), row_height=18))
    m05 = ["小计", "基本支出", "项目支出"]
    specs.append(TableSpec("一般公共预算财政拨款支出决算表", head(m05), coded_rows("t05", 3, True, True, True), [30, 24, 24, 150, 30, 70, 70, 70], "部门：某某局", cap(5)))

    left = ["301", "30101", "30102", "303", "30302"]
    right = ["302", "30201", "30217", "310", "31002"]
    rows = [[a, NAMES[a], VALUES["t06." + a], b, NAMES[b], VALUES["t06." + b]] for a, b in zip(left, right)]
    rows.append(["人员经费合计", "", VALUES["t06.人员经费合计"], "公用经费合计", "", VALUES["t06.公用经费合计"]])
    specs.append(TableSpec("一般公共预算财政拨款基本支出决算表", [[H("人员经费", 3), H("公用经费", 3)], [H("科目编码"), H("科目名称"), H("决算数")] * 2],
                           rows, [50, 120, 60] * 2, "部门：某某局", cap(6)))

    values = VALUES["t09.row"].split("|")
    interleaved = [v for pair in zip(values[:6], values[6:]) for v in pair]  # 预算数/决算数 side by side per item (Shanghai style)
    specs.append(TableSpec("财政拨款“三公”经费支出决算表",
                           [[H("合计", 2, 2), H("因公出国(境)费", 2, 2), H("公务用车购置及运行维护费", 6), H("公务接待费", 2, 2)],
                            [H("小计", 2), H("公务用车购置费", 2), H("公务用车运行维护费", 2)],
                            [H("预算数"), H("决算数")] * 6],
                           [interleaved], [45] * 12, "部门：某某局", cap(7), landscape=True, row_height=20))
    specs.append(TableSpec("政府性基金预算财政拨款收入支出决算表",
                           [[H("项 目", 5), H("年初结转和结余", 1, 2), H("本年收入", 1, 2), H("本年支出", 3), H("年末结转和结余", 1, 2)],
                            [H("类"), H("款"), H("项"), H("科目名称"), H("行次"), H("小计"), H("基本支出"), H("项目支出")]],
                           coded_rows("t07", 6, True, True, True), [30, 24, 24, 120, 30] + [52] * 6, "部门：某某局", cap(8), landscape=True))
    specs.append("blank")
    specs.append(TableSpec("国有资本经营预算财政拨款支出决算表", [[H("项 目", 2), H("本年支出", 3)], [H("科目编码"), H("科目名称"), H("小计"), H("基本支出"), H("项目支出")]],
                           [["", "合计", "", "", ""]], [60, 150, 70, 70, 70], "部门：某某局", cap(9), notes=["说明：本单位没有国有资本经营预算财政拨款支出，故本表无数据。"]))
    specs.append(Paragraphs(["第三部分 情况说明", "2024年度收、支总计均为135.00万元。"]))
    return typeset(path, specs)
