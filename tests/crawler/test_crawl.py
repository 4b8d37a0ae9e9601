"""Crawls of the loopback portal farm (crawler.portalfarm), run in subprocesses (Twisted's reactor
starts once per process). One farm and three crawls are shared by the assertions of this module."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from crawler.crawl import crawl_in_subprocess
from crawler.portalfarm import demo_spec, start_farm

FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 1, "DOWNLOAD_TIMEOUT": 10}
FAST_ENV = {"AUTOTHROTTLE_ENABLED": "0", "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "10"}


@pytest.fixture(scope="module")
def farm():
    farm = start_farm(demo_spec())
    yield farm
    farm.stop()


@pytest.fixture(scope="module")
def crawled(farm, tmp_path_factory):
    """First crawl through the real console script; then an unchanged recrawl; then a revised report."""
    tmp = tmp_path_factory.mktemp("crawl")
    db_path = str(tmp / "nianbao.db")
    registry = farm.registry_yaml(str(tmp / "registry.yml")) and str(tmp / "registry.yml")
    nianbao = shutil.which("nianbao") or os.path.join(os.path.dirname(sys.executable), "nianbao")
    first = subprocess.run(
        [nianbao, "crawl", "--registry", registry, "--db", db_path],
        env={**os.environ, **farm.env(), **FAST_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    first_hits = farm.requests()
    farm.reset_counts()
    # Long after publication: no known report is due for a recheck.
    second = crawl_in_subprocess(
        db_path, env=farm.env(), settings_overrides=FAST, today="2030-01-01", quiet=True
    )
    second_hits = farm.requests()
    farm.reset_counts()
    farm.revise("www.demo-trs.gov.cn", 0)  # 示范县发展和改革局 2023, published 2024-01-20
    third = crawl_in_subprocess(
        db_path, env=farm.env(), settings_overrides=FAST, today="2024-02-15", quiet=True
    )
    return {
        "db": sqlite3.connect(db_path),
        "first": first,
        "first_hits": first_hits,
        "second": second,
        "second_hits": second_hits,
        "third": third,
        "third_hits": farm.requests(),
    }


def rows(db, sql, *params):
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_cli_crawl_prints_progress_and_summary(crawled):
    first = crawled["first"]
    assert first.returncode == 0, first.stderr[-2000:]
    assert "crawl: [11/11]" in first.stderr
    assert "Traceback" not in first.stderr
    assert "robots.txt" in first.stdout and "not_found" in first.stdout
    assert "11 sources: 6 ok, 5 failed; 20 reports (20 new, 0 changed)" in first.stdout


def test_every_family_stores_its_reports_with_agency(crawled):
    found = rows(crawled["db"], "SELECT agency_id, count(*) n FROM reports GROUP BY agency_id")
    by_agency = {r["agency_id"]: r["n"] for r in found}
    assert by_agency == {
        # TRS, with a report published only as a PDF and one of an unregistered unit.
        "demo-trs-fgw": 2,
        "demo-trs-jyj": 2,
        None: 1,
        "demo-hw-gov": 4,  # Hanweb datastore + GET dataproxy, incl. an attachment and a 函
        "demo-hwp-mzj": 5,  # Hanweb POST dataproxy
        "demo-mod-sfj": 1,  # xxgkAnnualReport.jsp module
        "demo-gk-wjj": 2,  # gkmlpt JSON API
        "demo-gen-jd": 3,  # generic 下一页 list in GBK without a charset
    }
    sources = {r["url"]: r for r in rows(crawled["db"], "SELECT * FROM sources")}
    families = {r["family"] for r in sources.values() if r["status"] == "ok"}
    assert families == {"trs", "hanweb", "gkmlpt", "generic"}


def test_source_health(crawled):
    status = {
        r["url"].split("/")[2]: (r["status"], r["detail"])
        for r in rows(crawled["db"], "SELECT * FROM sources")
    }
    assert status["www.demo-gone.gov.cn"][0] == "not_found"
    assert status["www.demo-down.gov.cn"][0] == "unreachable" and "500" in status["www.demo-down.gov.cn"][1]
    assert status["www.demo-rs.gov.cn"][0] == "blocked" and "412" in status["www.demo-rs.gov.cn"][1]
    assert status["www.demo-jsl.gov.cn"][0] == "blocked" and "cookie" in status["www.demo-jsl.gov.cn"][1]
    assert status["www.demo-robots.gov.cn"] == ("blocked", "robots.txt")
    assert status["www.demo-trs.gov.cn"] == ("ok", "")


def test_robots_and_challenges_are_not_circumvented(crawled):
    hits = crawled["first_hits"]
    assert [h.target for h in hits if h.host == "www.demo-robots.gov.cn"] == ["/robots.txt"]
    # One request to the challenge page, no retry, no cookie replay.
    assert len([h for h in hits if h.host == "www.demo-jsl.gov.cn" and h.target != "/robots.txt"]) == 1
    assert len([h for h in hits if h.host == "www.demo-rs.gov.cn" and h.target != "/robots.txt"]) == 1


def test_dates_and_where_they_come_from(crawled):
    got = {
        r["url"].rsplit("/", 1)[1]: (r["published"], r["published_from"])
        for r in rows(crawled["db"], "SELECT url, published, published_from FROM reports")
    }
    assert got["t20240120_1000.html"] == ("2024-01-20", "meta")  # TRS PubDate meta
    assert got["post_1000.html"] == ("2024-01-30", "meta")  # gkmlpt: page has no date, the API has
    assert got["content_1000.html"] == ("2024-01-15", "byline")  # generic: the byline
    attachment = rows(crawled["db"], "SELECT * FROM reports WHERE url LIKE '%art_1229000001_1002.html'")[0]
    # The .docx is the report; the page gave the date.
    assert attachment["format"] == "2021" and attachment["published"] == "2022-03-10"


def test_companions_offsite_and_wap_twins_are_not_fetched(crawled):
    targets = [(h.host, h.target) for h in crawled["first_hits"]]
    assert not [t for t in targets if t[0] == "www.elsewhere.gov.cn"]
    assert not [t for t in targets if "_5000" in t[1] or "_5001" in t[1]]  # 解读 / 通知 / 图解 pages
    assert not [t for t in targets if "_wap" in t[1]]
    fetched = [(h.host, h.target) for h in crawled["first_hits"] if h.status < 500]  # 5xx are retried once
    assert len(fetched) == len(set(fetched)), "a page was downloaded twice"
    titles = [r["title"] for r in rows(crawled["db"], "SELECT title FROM reports")]
    assert not [t for t in titles if "解读" in t or "通知" in t]


def test_gbk_titles_are_read_right(crawled):
    titles = {
        r["title"] for r in rows(crawled["db"], "SELECT title FROM reports WHERE agency_id = 'demo-gen-jd'")
    }
    assert "示范街道办事处2023年政府信息公开工作年度报告" in titles


def test_unchanged_recrawl_downloads_no_known_report(crawled):
    second = crawled["second_hits"]
    assert crawled["second"]["totals"]["new"] == 0 and crawled["second"]["totals"]["reports_found"] == 20
    pages = [h for h in second if h.host != "www.demo-down.gov.cn" and h.status not in (404, 412)]
    report_like = [
        h
        for h in pages
        if "/art/" in h.target
        or "/t20" in h.target
        or "post_" in h.target
        or "content_" in h.target
        or h.target.endswith((".pdf", ".docx"))
    ]
    assert report_like == []
    # Listing pages are revalidated, not downloaded again.
    assert [
        h
        for h in pages
        if h.method == "GET" and h.target != "/robots.txt" and h.status == 200 and "demo-jsl" not in h.host
    ] == []
    assert all(h.conditional for h in pages if h.status == 304)
    assert sum(h.bytes for h in second) < 0.05 * sum(h.bytes for h in crawled["first_hits"])


def test_revised_report_becomes_a_new_version(crawled):
    third = crawled["third"]
    assert third["totals"]["changed"] == 1 and third["totals"]["new"] == 0
    versions = rows(crawled["db"], "SELECT version, url FROM reports WHERE version > 1")
    assert [v["url"].rsplit("/", 1)[1] for v in versions] == ["t20240120_1000.html"]
    # Only recent reports (within NIANBAO_RECHECK_DAYS of 2024-02-15) were asked for again.
    rechecked = {h.target.rsplit("/", 1)[1] for h in crawled["third_hits"] if "/t20" in h.target}
    assert "t20230118_1001.html" not in rechecked and "t20240120_1000.html" in rechecked
