"""Cross-year rules: carryover (also 2020→2021) and the implausible stock checks."""

from __future__ import annotations

from monitor_world import build_report


def test_carryover_fires_when_years_disagree(world):
    world.agency("a1", "甲局")
    world.report("a1", build_report(2019, name="a1", new=5, carried_forward=2))
    world.report("a1", build_report(2020, name="a1", new=3, carried_over=1))
    world.check()
    found = world.findings("inconsistent.carryover")
    assert {f["subject"] for f in found} == {"requests.natural", "requests.total"}
    assert found[0]["evidence"]["previous_carried_forward"] == 2 and found[0]["evidence"]["carried_over"] == 1


def test_carryover_quiet_when_years_agree_and_across_the_format_change(world):
    world.agency("a1")
    world.report("a1", build_report(2020, name="a1", new=5, carried_forward=2))
    world.report("a1", build_report(2021, name="a1", new=3, carried_over=2))
    world.check(today="2022-06-01", year=2021)
    assert world.findings("inconsistent.carryover") == []
    world.agency("a2")
    world.report("a2", build_report(2020, name="a2", new=5, carried_forward=2))
    world.report("a2", build_report(2021, name="a2", new=3, carried_over=0))
    world.check(today="2022-06-01", year=2021)
    assert [f["agency_id"] for f in world.findings("inconsistent.carryover")] == ["a2", "a2"]


def test_carryover_skipped_in_the_first_stored_year(world):
    world.agency("a1")
    world.report("a1", new=3, carried_over=4)
    world.check()
    assert world.findings("inconsistent.carryover") == []
    assert world.findings("format.unreadable") == []


def test_implausible_2019_item_counts_across_years(world):
    world.agency("a1")
    world.report(
        "a1",
        build_report(2019, name="a1", cells={"active": {"licensing.prev_items": 40, "licensing.change": 5}}),
    )
    world.report("a1", build_report(2020, name="a1", cells={"active": {"licensing.prev_items": 120}}))
    world.agency("a2")
    world.report(
        "a2",
        build_report(2019, name="a2", cells={"active": {"licensing.prev_items": 40, "licensing.change": 5}}),
    )
    world.report("a2", build_report(2020, name="a2", cells={"active": {"licensing.prev_items": 47}}))
    world.check()
    found = world.findings("implausible")
    assert [(f["agency_id"], f["subject"], f["severity"]) for f in found] == [
        ("a1", "crossyear.licensing", "warning")
    ]
    assert found[0]["evidence"]["expected"] == 45


def test_implausible_2021_documents_in_force(world):
    def stock(in_force, issued=0, repealed=0):
        return {"active": {"normative_docs.in_force": in_force, "normative_docs.issued": issued,
                           "normative_docs.repealed": repealed}}  # fmt: skip

    world.agency("gap")
    world.report("gap", build_report(2021, name="gap", cells=stock(100)))
    world.report("gap", build_report(2022, name="gap", cells=stock(20, issued=3)))
    world.agency("fine")
    world.report("fine", build_report(2021, name="fine", cells=stock(100)))
    world.report("fine", build_report(2022, name="fine", cells=stock(95, issued=3, repealed=2)))
    world.agency("formatchange")  # never compare a 2019 table 1 with a 2021 one
    world.report(
        "formatchange",
        build_report(2020, name="formatchange", cells={"active": {"normative_docs.total": 100}}),
    )
    world.report("formatchange", build_report(2021, name="formatchange", cells=stock(5)))
    world.check(today="2023-06-01", year=2022)
    world.check(today="2022-06-01", year=2021)
    assert [(f["agency_id"], f["year"]) for f in world.findings("implausible")] == [("gap", 2022)]
