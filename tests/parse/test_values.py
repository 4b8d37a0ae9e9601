"""Cell values (FORMATS.md §10): the domain, units, placeholders and the run-together rule."""

from __future__ import annotations

import pytest

from crawler.parse.values import read_cell, split_run

COUNT3 = ["count"] * 3


@pytest.mark.parametrize(
    ("raw", "kind", "value", "problem"),
    [
        ("0", "count", 0, None),
        ("１２", "count", 12, None),  # full-width digits
        (" 7 ", "count", 7, None),
        ("1,234", "count", 1234, None),
        ("5件", "count", 5, None),
        ("", "count", None, "blank_cells"),
        ("-", "count", None, "blank_cells"),
        ("—", "count", None, "blank_cells"),
        ("／", "count", None, "blank_cells"),
        ("+5", "signed", 5, None),
        ("-8", "signed", -8, None),
        ("-8", "count", None, "unparsed_value"),
        ("3.5", "count", None, "unparsed_value"),
        ("若干", "count", None, "unparsed_value"),
        ("8477万元", "amount", 8477.0, None),
        ("2096.16万元", "amount", 2096.16, None),
        ("1751292.6元", "amount", 175.12926, None),
        ("2468", "amount", 2468.0, "unit_assumed"),
        ("0", "amount", 0.0, None),
    ],
)
def test_read_cell(raw, kind, value, problem):
    cell = read_cell(raw, kind)
    assert cell.problem == problem
    if value is None:
        assert cell.value is None
    else:
        assert cell.value == pytest.approx(value)


def test_header_unit_applies_to_bare_amount():
    assert read_cell("35", "amount", header_unit="万元").problem is None
    assert read_cell("350000", "amount", header_unit="元").value == pytest.approx(35.0)


@pytest.mark.parametrize(
    ("text", "kinds", "expected"),
    [
        ("000", COUNT3, ["0", "0", "0"]),  # only one split
        ("8062133", COUNT3, None),  # many splits
        (" 0 0 0", COUNT3, ["0", "0", "0"]),
        ("0", ["count", "count"], None),  # one value for two columns
        ("20 2096.16万元", ["count", "amount"], ["20", "2096.16万元"]),
        ("4 04", ["count"] * 7, None),
        ("2000002", ["count"] * 7, None),  # 2/0/0/0/0/0/2 or 20/0/0/0/0/2 with a blank
        (" 0 0 0 0 0 0 0", ["count"] * 7, ["0"] * 7),
        ("35-15", ["count", "signed"], ["35", "-15"]),  # a sign starts a new number
        ("2648-18538", ["count", "signed", "count"], None),
        ("13575394432.52元", ["count", "amount"], None),  # count fused into the amount
        ("", COUNT3, [None, None, None]),
        ("- - 3", COUNT3, [None, None, "3"]),
        ("abc", COUNT3, None),
    ],
)
def test_split_run(text, kinds, expected):
    assert split_run(text, kinds) == expected


def test_split_run_is_fast_on_long_runs():
    assert split_run("1" * 60, ["count"] * 7) is None
