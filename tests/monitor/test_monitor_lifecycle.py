"""The findings lifecycle (idempotent re-runs, resolved, dismissed), the cache, and the registry."""

from __future__ import annotations

import re
from datetime import date

import pytest
from monitor_world import build_report

from monitor.check import check
from monitor.query import set_status
from monitor.registry import RULE_CODES, all_rules, rule


def broken(world, agency_id="a1"):
    world.agency(agency_id, "甲局")
    return world.report(agency_id, new=5, cells={"requests": {"new.natural": 6, "new.total": 6}})


def test_every_interface_rule_is_registered_with_a_bilingual_docstring():
    rules = {r.code: r for r in all_rules()}
    assert set(RULE_CODES) <= set(rules)
    for code, registered in rules.items():
        first_line = registered.doc.splitlines()[0]
        assert re.search(r"[\u4e00-\u9fff]", first_line), f"{code}: docstring must start in Chinese"
        assert re.search(r"[A-Za-z]{4,} [a-z]+", registered.doc), f"{code}: docstring needs English too"


def test_registering_a_code_twice_raises():
    all_rules()
    with pytest.raises(ValueError, match="already registered"):
        rule("late", severity="error")(lambda db, ctx: [])
    with pytest.raises(ValueError, match="severity"):
        rule("new.code", severity="fatal")


def test_rerun_is_idempotent_and_moves_last_seen(world):
    broken(world)
    first = world.check()
    before = world.findings()
    assert first["inconsistent.balance"] == {"new": 2, "open": 2, "resolved": 0}
    second = check(world.db, today=date(2021, 6, 1), year=2020, now="2099-01-01T00:00:00")
    after = world.findings()
    assert second["inconsistent.balance"] == {"new": 0, "open": 2, "resolved": 0}
    assert [f["id"] for f in after] == [f["id"] for f in before]
    assert all(f["last_seen"] == "2099-01-01T00:00:00" for f in after)
    assert [f["first_seen"] for f in after] == [f["first_seen"] for f in before]


def test_fixed_report_resolves_and_a_new_break_reopens(world):
    url = "http://www.example.gov.cn/a1/2020.html"
    broken(world)
    world.check()
    world.report("a1", url=url, new=5)  # corrected version
    summary = world.check()
    assert summary["inconsistent.balance"] == {"new": 0, "open": 0, "resolved": 2}
    assert all(f["resolved_at"] for f in world.findings("inconsistent.balance", status="resolved"))
    world.report(
        "a1", build_report(name="a1", new=5, cells={"requests": {"new.natural": 6, "new.total": 6}}), url=url
    )
    assert world.check()["inconsistent.balance"]["new"] == 2
    assert len(world.findings("inconsistent.balance")) == 2


def test_dismissed_stays_dismissed(world):
    broken(world)
    world.check()
    finding = world.findings("inconsistent.balance")[0]
    set_status(world.db, finding["id"], "dismissed", now="2021-06-02T00:00:00")
    summary = world.check()
    assert summary["inconsistent.balance"]["open"] == 1
    [dismissed] = world.findings("inconsistent.balance", status="dismissed")
    assert dismissed["id"] == finding["id"]
    world.report("a1", url="http://www.example.gov.cn/a1/2020.html", new=5)  # fixed: still dismissed
    world.check()
    assert world.findings("inconsistent.balance", status="dismissed")[0]["id"] == finding["id"]


def test_cached_run_gives_the_same_findings_as_a_fresh_one(world):
    broken(world)
    world.agency("t1", kind="township")
    world.report("t1", cells={"active": {"enforcement.decisions": 5000}})
    world.agency("m1")
    world.check()
    cached = {f["key"] for f in world.findings()}
    assert world.db.execute("SELECT count(*) FROM monitor_cache").fetchone()[0] == 3
    world.check(use_cache=False)
    assert {f["key"] for f in world.findings()} == cached
    # a change in today's relation to the deadline is seen even though nothing stored changed
    world.check(today="2021-01-15")
    assert world.findings("missing") == []


def test_scope_to_some_agencies_leaves_the_others_alone(world):
    broken(world, "a1")
    broken(world, "a2")
    world.check()
    world.report("a2", url="http://www.example.gov.cn/a2/2020.html", new=5)
    summary = world.check(agencies=["a1"])
    assert summary["inconsistent.balance"]["resolved"] == 0
    assert {f["agency_id"] for f in world.findings("inconsistent.balance")} == {"a1", "a2"}
