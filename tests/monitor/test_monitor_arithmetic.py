"""The hard rules of table 2 and 3 (FORMATS.md §8a), and format.unreadable when a check must skip."""

from __future__ import annotations

import pytest
from monitor_world import build_report


def test_consistent_report_gives_no_arithmetic_findings(world):
    world.agency("a1")
    world.report("a1", new=5, carried_over=2, carried_forward=1)
    world.agency("b1")
    world.report("b1", build_report(2021, name="b1", new=4))
    world.check(year=2020)
    world.check(today="2022-06-01", year=2021)
    assert [f for f in world.findings() if f["rule"] != "missing"] == []


def test_balance_fires_per_column(world):
    world.agency("a1", "甲局")
    world.report("a1", new=5, cells={"requests": {"new.natural": 6, "new.total": 6}})
    world.check()
    found = {f["subject"]: f for f in world.findings("inconsistent.balance")}
    assert set(found) == {"requests.natural", "requests.total"}
    balance = found["requests.natural"]
    assert balance["severity"] == "error"
    assert balance["evidence"]["cells"] == {
        "new.natural": 6, "carried_over.natural": 0, "total.natural": 5, "carried_forward.natural": 0
    }  # fmt: skip
    assert "甲局" in balance["message"] and "6" in balance["message"] and "5" in balance["message"]
    # the row_total of `new` still holds (6 = 6), so only balance fires there
    assert world.findings("inconsistent.row_total") == []


def test_outcome_total_fires_when_outcomes_do_not_add_up(world):
    world.agency("a1")
    world.report("a1", new=5, cells={"requests": {"granted.natural": 4, "granted.total": 4}})
    world.check()
    subjects = {f["subject"] for f in world.findings("inconsistent.outcome_total")}
    assert subjects == {"requests.natural", "requests.total"}


def test_outcome_total_2021_uses_the_three_other_rows(world):
    world.agency("a1")
    cells = {"requests": {"granted.natural": 3, "granted.total": 3, "other.unpaid_fee.natural": 1,
                          "other.unpaid_fee.total": 1}}  # fmt: skip
    world.report("a1", build_report(2021, name="a1", new=4, cells=cells))
    world.check(today="2022-06-01", year=2021)
    assert world.findings("inconsistent.outcome_total") == []
    world.agency("a2")
    cells["requests"]["other.other.total"] = 2
    world.report("a2", build_report(2021, name="a2", new=4, cells=cells))
    world.check(today="2022-06-01", year=2021)
    assert {f["agency_id"] for f in world.findings("inconsistent.outcome_total")} == {"a2"}


def test_row_total_fires_for_a_row(world):
    world.agency("a1")
    world.report("a1", new=5, cells={"requests": {"new.commercial": 1}})
    world.check()
    assert {f["subject"] for f in world.findings("inconsistent.row_total")} == {"requests.new"}


def test_appeals_total(world):
    world.agency("a1")
    world.report("a1", cells={"appeals": {"review.upheld": 1, "review.total": 2}})
    world.agency("a2")
    world.report("a2", cells={"appeals": {"review.upheld": 1, "review.pending": 1, "review.total": 2}})
    world.check()
    [found] = world.findings("inconsistent.appeals_total")
    assert (found["agency_id"], found["subject"]) == ("a1", "appeals.review")


def test_blank_is_not_zero_checks_skip_and_unreadable_is_info(world):
    world.agency("zero")
    world.report("zero", cells={"appeals": {"review.total": 0}})
    world.agency("blank")
    blank = {f"review.{c}": None for c in ("upheld", "corrected", "other", "pending", "total")}
    problems = [{"code": "blank_cells", "where": "appeals.review", "message": "empty"}]
    world.report("blank", cells={"appeals": blank}, problems=problems)
    world.check()
    assert world.findings("inconsistent.appeals_total") == []
    [unreadable] = world.findings("format.unreadable")
    assert unreadable["agency_id"] == "blank" and unreadable["severity"] == "info"
    assert [s["rule"] for s in unreadable["evidence"]["skipped"]] == ["inconsistent.appeals_total"]


def test_ambiguous_cells_make_unreadable_a_warning_and_one_per_report(world):
    world.agency("a1")
    row = {
        f"new.{c}": None
        for c in ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")
    }
    problems = [
        {"code": "ambiguous_cells", "where": "requests.new", "message": "'4 04'"},
        {"code": "blank_cells", "where": "appeals.review", "message": ""},
    ]
    world.report("a1", cells={"requests": row, "appeals": {"review.total": None}}, problems=problems)
    world.check()
    [unreadable] = world.findings("format.unreadable")
    assert unreadable["severity"] == "warning"
    rules = {s["rule"] for s in unreadable["evidence"]["skipped"]}
    assert rules == {"inconsistent.balance", "inconsistent.row_total", "inconsistent.appeals_total"}
    assert world.findings("inconsistent.balance") == []


def test_missing_table_is_not_unreadable(world):
    world.agency("a1")
    blank = {f"{g}.{c}": None for g in ("review", "suit_direct", "suit_after_review")
             for c in ("upheld", "corrected", "other", "pending", "total")}  # fmt: skip
    problems = [{"code": "missing_table", "where": "tables.appeals", "message": "no table 3"}]
    world.report("a1", cells={"appeals": blank}, problems=problems)
    world.check()
    assert world.findings("format.unreadable") == []
    [missing] = world.findings("format.missing_table")
    assert missing["severity"] == "error" and missing["subject"] == "tables.appeals"


@pytest.mark.parametrize(
    "year, fmt, fires", [(2021, "2019", True), (2020, "2021", True), (2020, "2019", False)]
)
def test_wrong_template(world, year, fmt, fires):
    world.agency("a1")
    world.report("a1", build_report(year, fmt, name="a1"))
    world.check(today=f"{year + 1}-06-01", year=year)
    assert len(world.findings("format.wrong_template")) == int(fires)
