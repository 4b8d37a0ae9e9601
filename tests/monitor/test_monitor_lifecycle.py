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


def test_worker_processes_give_the_same_findings_as_one_process(world):
    """check() computes batches in worker processes; the findings must not depend on it."""
    for i in range(6):
        world.agency(f"a{i}", f"第{i}局", sources=[(f"http://a{i}.gov.cn/nb/", "ok")])
    world.report("a0", new=5, cells={"requests": {"new.natural": 6, "new.total": 6}})  # inconsistent
    world.report("a1", published="2021-02-20", published_from="meta")  # late
    world.report("a2", year=2019, carried_forward=2)
    world.report("a2", carried_over=0)  # carryover mismatch with 2019
    world.report("a3", overview="本年度共收到政府信息公开申请9件。")  # prose against the table
    # a4, a5: no report -> missing

    def findings_now():
        rows = world.db.execute(
            "SELECT key, severity, message, evidence FROM findings ORDER BY key"
        ).fetchall()
        return [tuple(r) for r in rows]

    import monitor.check as check_module

    pools = []
    real_submit = check_module.ProcessPoolExecutor.submit
    check_module.ProcessPoolExecutor.submit = lambda self, *a, **kw: (
        pools.append(self) or real_submit(self, *a, **kw)
    )
    try:
        world.check(workers=2, batch_size=1, use_cache=False)
    finally:
        check_module.ProcessPoolExecutor.submit = real_submit
    assert pools, "the batches went through worker processes"
    pooled = findings_now()
    world.db.execute("DELETE FROM findings")
    world.db.execute("DELETE FROM monitor_cache")
    world.db.conn.commit()
    world.check(workers=1, use_cache=False)
    assert findings_now() == pooled
    rules = {key.split("|")[0] for key, *_ in pooled}
    assert {
        "inconsistent.balance",
        "late",
        "missing",
        "inconsistent.carryover",
        "inconsistent.prose",
    } <= rules
