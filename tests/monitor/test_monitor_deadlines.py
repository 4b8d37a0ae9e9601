"""Deadlines: late (evidence strength, deadline day, first_seen bound, month-only, migrations),
missing (after the deadline only, never while a source fails) and unreachable."""

from __future__ import annotations

from datetime import date

import pytest

from db.store import record_source
from monitor.deadlines import deadline_for, parse_evidence_date


def test_deadline_for_kind_override_and_leap_day():
    assert deadline_for({"kind": "department"}, 2020) == date(2021, 1, 31)
    assert deadline_for({"kind": "government"}, 2020) == date(2021, 3, 31)
    assert deadline_for({"kind": "township", "deadline": "02-20"}, 2021) == date(2022, 2, 20)
    assert deadline_for({"kind": "township", "deadline": "02-29"}, 2020) == date(2021, 2, 28)


@pytest.mark.parametrize(
    "text, expected, month_only",
    [
        ("2021-01-29", date(2021, 1, 29), False),
        ("2022-01-5", date(2022, 1, 5), False),
        ("2021-03-2918:26", date(2021, 3, 29), False),
        ("2022-01-07 00:00", date(2022, 1, 7), False),
        ("2020-09", date(2020, 9, 1), True),
        ("202301", date(2023, 1, 1), True),
    ],
)
def test_parse_evidence_date(text, expected, month_only):
    found = parse_evidence_date(text)
    assert (found.day, found.month_only) == (expected, month_only)


def test_late_fires_with_strong_evidence_as_error(world):
    world.agency("a1", "甲局")
    world.report("a1", published="2021-02-01", published_from="byline")
    world.check()
    [late] = world.findings("late")
    assert late["severity"] == "error" and late["agency_id"] == "a1" and late["year"] == 2020
    assert late["evidence"]["days_late"] == 1 and late["evidence"]["deadline"] == "2021-01-31"
    assert "甲局" in late["message"] and "2021-02-01" in late["message"]


def test_published_on_the_deadline_day_is_on_time(world):
    world.agency("a1")
    world.agency("gov", kind="government")
    world.report("a1", published="2021-01-31", published_from="meta")
    world.report("gov", published="2021-03-31", published_from="byline")
    world.check()
    assert world.findings("late") == []


def test_government_report_after_march_is_late(world):
    world.agency("gov", kind="government")
    world.report("gov", published="2021-04-01", published_from="byline", seen="2021-04-02T10:00:00")
    world.check()
    assert [f["agency_id"] for f in world.findings("late")] == ["gov"]


@pytest.mark.parametrize("source", ["url", "signature"])
def test_weak_evidence_gives_a_warning(world, source):
    world.agency("a1")
    world.report("a1", published="2021-02-10", published_from=source)
    world.check()
    assert [f["severity"] for f in world.findings("late")] == ["warning"]


def test_township_late_is_a_warning(world):
    world.agency("t1", kind="township")
    world.report("t1", published="2021-02-10", published_from="byline")
    world.check()
    assert [f["severity"] for f in world.findings("late")] == ["warning"]


def test_first_seen_before_the_deadline_is_never_late(world):
    world.agency("a1")
    world.report("a1", published="2021-08-13", published_from="url", seen="2021-01-20T09:00:00")
    world.check()
    assert world.findings("late") == []


def test_month_only_evidence(world):
    world.agency("jan")
    world.agency("sep")
    world.report("jan", published="2021-01", published_from="url")  # the day could be before the 31st
    world.report("sep", published="2021-09", published_from="url")
    world.check(today="2021-12-01")
    [late] = world.findings("late")
    assert late["agency_id"] == "sep" and late["severity"] == "warning" and late["evidence"]["month_only"]


def test_url_date_far_after_the_signature_is_a_migration(world):
    world.agency("a1")
    report_dates = [{"date": "2022-08-21", "from": "url"}, {"date": "2021-01-27", "from": "signature"}]
    world.report("a1", published="2022-08-21", published_from="url", dates=report_dates)
    world.check(today="2022-09-01")
    assert world.findings("late") == []


def test_missing_only_after_the_deadline(world):
    world.agency("a1", "甲局", sources=[("http://a1.gov.cn/nb/", "ok")])
    world.agency("gov", "某市人民政府", kind="government", sources=[("http://gov.gov.cn/nb/", "ok")])
    world.check(today="2021-01-31")
    assert world.findings("missing") == []
    world.check(today="2021-02-01")
    assert [f["agency_id"] for f in world.findings("missing")] == ["a1"]
    world.check(today="2021-04-01")
    # gov's source was last crawled on 03-01, before its 03-31 deadline: not judged yet.
    assert [f["agency_id"] for f in world.findings("missing")] == ["a1"]
    record_source(world.db, "http://gov.gov.cn/nb/", status="ok", crawled_at="2021-04-01T06:00:00")
    world.check(today="2021-04-01")
    assert sorted(f["agency_id"] for f in world.findings("missing")) == ["a1", "gov"]


def test_missing_needs_a_crawl_after_the_deadline(world):
    world.agency("a1", sources=[("http://a1.gov.cn/nb/", "ok")])
    record_source(world.db, "http://a1.gov.cn/nb/", status="ok", crawled_at="2021-01-31T23:00:00")
    world.check(today="2021-03-01")
    assert world.findings("missing") == []
    record_source(world.db, "http://a1.gov.cn/nb/", status="ok", crawled_at="2021-02-01T06:00:00")
    world.check(today="2021-03-01")
    assert [f["agency_id"] for f in world.findings("missing")] == ["a1"]


def test_agency_without_sources_and_report_is_missing(world):
    world.agency("a1")
    world.check()
    [missing] = world.findings("missing")
    assert missing["severity"] == "error" and missing["evidence"]["sources"] == []


def test_failing_source_gives_unreachable_not_missing(world):
    world.agency("a1", sources=[("http://a1.gov.cn/nb/", "ok"), ("http://a1.gov.cn/old/", "unreachable")])
    world.agency("a2", sources=[("http://a2.gov.cn/nb/", "blocked")])
    world.check()
    assert world.findings("missing") == []
    found = {(f["agency_id"], f["subject"]) for f in world.findings("unreachable")}
    assert found == {("a1", "http://a1.gov.cn/old/"), ("a2", "http://a2.gov.cn/nb/")}


def test_unreachable_quiet_when_the_report_is_there(world):
    world.agency("a1", sources=[("http://a1.gov.cn/nb/", "not_found")])
    world.report("a1", published="2021-01-20", published_from="meta")
    world.agency("a2", sources=[("http://a2.gov.cn/nb/", "ok")])
    world.report("a2")
    world.check()
    assert world.findings("unreachable") == []


def test_never_crawled_source_is_not_judged_missing(world):
    world.agency("a1", sources=[("http://a1.gov.cn/nb/", None)])
    world.check()
    assert world.findings("missing") == [] and world.findings("unreachable") == []


def test_missing_resolves_and_late_opens_when_the_report_appears(world):
    world.agency("a1", sources=[("http://a1.gov.cn/nb/", "ok")])
    world.check(today="2021-03-01")
    [missing] = world.findings("missing")
    world.report("a1", published="2021-03-05", published_from="byline", seen="2021-03-06T08:00:00")
    summary = world.check(today="2021-03-10")
    assert summary["missing"]["resolved"] == 1 and summary["late"]["new"] == 1
    [resolved] = world.findings("missing", status="resolved")
    assert resolved["id"] == missing["id"] and resolved["resolved_at"]
    assert [f["evidence"]["days_late"] for f in world.findings("late")] == [33]
