"""Reading printed amounts: every rule of the normalizer, one example each."""
from decimal import Decimal

import pytest

from normalize.amounts import amount_tokens, format_amount, parse_amount


@pytest.mark.parametrize(
    "printed, value",
    [
        ("6, 558. 53", "6558.53"),
        ("1, 391. 75", "1391.75"),
        ("360.0", "360.0"),
        ("６，５５８．５３", "6558.53"),
        ("2,946.25", "2946.25"),
        ("9, 266, 11", "9266.11"),
        ("0. 27", "0.27"),
        ("12.345678", "12.345678"),
        ("-340", "-340"),
        ("(12.50)", "-12.50"),
        ("0.00", "0.00"),
    ],
)
def test_printed_amounts_read_as_decimal(printed, value):
    amount = parse_amount(printed)
    assert amount.problem is None
    assert amount.value == Decimal(value)
    assert isinstance(amount.value, Decimal)


@pytest.mark.parametrize("printed", ["", "   ", "-", "—", "--", "－", None])
def test_blanks_and_dashes_are_empty_not_zero(printed):
    amount = parse_amount(printed)
    assert amount.value is None and amount.problem is None and amount.empty


def test_last_comma_before_two_digits_is_a_decimal_point():
    amount = parse_amount("9, 266, 11")
    assert amount.value == Decimal("9266.11")
    assert amount.note == "last comma read as decimal point"


@pytest.mark.parametrize(
    "printed, problem",
    [
        ("1 901 75", "digits separated by spaces only"),
        ("1, 391. 75 110. 25", "2 amounts in one cell"),
        ("l", "rule-line noise"),
        ("00.00", "leading zero"),
        ("12,34,5", "malformed"),
        ("abc", "not an amount"),
    ],
)
def test_unsafe_cells_are_unreadable_never_guessed(printed, problem):
    amount = parse_amount(printed)
    assert amount.value is None
    assert problem in amount.problem


def test_two_glued_amounts_are_both_recoverable_for_repair():
    assert amount_tokens("1, 391. 75 110. 25") == [Decimal("1391.75"), Decimal("110.25")]


def test_output_keeps_at_least_two_decimals():
    assert format_amount(Decimal("360.0")) == "360.00"
    assert format_amount(Decimal("0.123456")) == "0.123456"


@pytest.mark.parametrize("printed, value, marker", [
    ("364.05¹", "364.05", "¹"), ("361.55²", "361.55", "²"), ("12.00①", "12.00", "①"), ("*12.00", "12.00", "*"),
    ("5.00(注1)", "5.00", "(注1)"), ("5.00 注1", "5.00", "注1"), ("1,234.50³", "1234.50", "³"),
])
def test_footnote_markers_are_split_off_not_read_as_digits(printed, value, marker):
    amount = parse_amount(printed)
    assert amount.value == Decimal(value) and marker in amount.note


def test_a_footnote_marker_alone_is_an_empty_cell_with_a_note():
    amount = parse_amount("¹")
    assert amount.empty and "¹" in amount.note


def test_an_amount_with_more_decimals_than_its_table_prints_is_unreadable(tmp_path):
    from normalize.tables import limit_decimals
    from synthetic import document

    doc = document(tmp_path, overrides={"t06.30101": "25.001", "t06.30102": "15.00"})
    t06 = doc.tables["t06"]
    limit_decimals(t06, "万元")
    cell = next(r for r in t06.rows if r.code == "30101").values["决算数"]
    assert cell.value is None and "3 decimals" in cell.problem
    assert next(r for r in t06.rows if r.code == "30102").values["决算数"].value == Decimal("15.00")


def test_six_decimals_are_a_value_where_the_whole_table_prints_six(tmp_path):
    from normalize.tables import limit_decimals
    from synthetic import VALUES, document

    six = {k: "|".join(f"{Decimal(p):.6f}" if p else "" for p in v.split("|")) for k, v in VALUES.items() if k.startswith("t05.")}
    doc = document(tmp_path, overrides=six)
    limit_decimals(doc.tables["t05"], "万元")
    assert all(c.value is not None for _, _, c in doc.tables["t05"].cells() if c.raw.strip())
