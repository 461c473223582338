"""绩效自评表 arithmetic: 执行率 = 执行数 ÷ 预算数; 得分 = 分值 × 执行率 (never above 分值); 总分 = Σ 得分."""
from __future__ import annotations

from decimal import Decimal

from check.narrative import percent_status
from check.results import finding
from normalize.document import NormalizedDocument

SCORE_ROUNDING = Decimal("1")  # scoring rules that round to whole points stay `rounding`, not `fail`


def self_evaluations(doc: NormalizedDocument) -> list[dict]:
    out = []
    for e in doc.evaluations:
        pages = ",".join(map(str, e.pages))
        name = e.project or e.title
        if e.budget and e.spent is not None and e.rate is not None:
            computed = e.spent / e.budget * 100
            out.append(finding("P-RATE", f"绩效自评表执行率 = 执行数 ÷ 预算数：{name}", "绩效自评表", name, percent_status(e.rate, computed), "", pages,
                               expected=f"{computed:.2f}", actual=e.rate, difference=f"{e.rate - computed:.2f}"))
        if e.weight and e.rate is not None and e.score is not None:
            expected = min(e.weight, e.weight * e.rate / 100)
            off = abs(e.score - expected)
            status = "pass" if off <= Decimal("0.05") else ("rounding" if off <= SCORE_ROUNDING else "fail")
            out.append(finding("P-SCORE", f"绩效自评表预算执行得分 = 分值 × 执行率（不超过分值）：{name}", "绩效自评表", name, status, "", pages,
                               expected=expected.quantize(Decimal("0.01")), actual=e.score, difference=(e.score - expected).quantize(Decimal("0.01"))))
        scores = [i.score for i in e.indicators]
        if e.indicators_by_header and e.total is not None and e.score is not None and scores and None not in scores:
            expected = e.score + sum(scores, Decimal(0))
            difference = e.total - expected
            status = "pass" if difference == 0 else ("rounding" if abs(difference) <= Decimal("0.01") * (len(scores) + 1) else "fail")
            out.append(finding("P-TOTAL", f"绩效自评表总分 = 各项得分之和：{name}", "绩效自评表", name, status, "", pages,
                               expected=expected, actual=e.total, difference=difference))
    return out
