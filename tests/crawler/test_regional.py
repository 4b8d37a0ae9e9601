"""The provincial platforms of crawler.portalfarm.regional_spec(): Jiangsu jpaas and Anhui 政务公开.

One farm, two crawls in subprocesses (first, then an unchanged recrawl), shared by the assertions."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qsl, urlsplit

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.crawl import crawl_in_subprocess
from crawler.portalfarm import regional_spec, start_farm
from spiders.anhui import list_pages
from spiders.jpaas import page_count, query_units

FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 1, "DOWNLOAD_TIMEOUT": 10}
JPAAS = "www.demo-jpaas.gov.cn"
ANHUI = "www.demo-anhui.gov.cn"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    spec = regional_spec()
    farm = start_farm(spec)
    tmp = tmp_path_factory.mktemp("regional")
    db_path, registry = str(tmp / "nianbao.db"), str(tmp / "registry.yml")
    farm.registry_yaml(registry)
    try:
        first = crawl_in_subprocess(
            db_path, registry=registry, env=farm.env(), settings_overrides=FAST, quiet=True
        )
        first_hits = farm.requests()
        farm.reset_counts()
        second = crawl_in_subprocess(
            db_path, env=farm.env(), settings_overrides=FAST, today="2030-01-01", quiet=True
        )
        second_hits = farm.requests()
    finally:
        farm.stop()
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return {
        "spec": {p.host: p for p in spec},
        "db": db,
        "first": first,
        "first_hits": first_hits,
        "second": second,
        "second_hits": second_hits,
    }


def stored(db, host: str) -> dict[tuple[str, int], sqlite3.Row]:
    rows = db.execute("SELECT * FROM reports WHERE url LIKE ?", (f"http://{host}/%",)).fetchall()
    return {(r["agency_id"], r["year"]): r for r in rows}


# Where each report's date comes from, by how the portal publishes it: the article's PubDate meta
# (jpaas pages, and the pages carrying a .docx), the /art/<Y>/<M>/<D>/ path of a bare PDF, the byline of
# an Anhui article (no date in its URL, no PubDate).
DATE_FROM = {
    JPAAS: {"html": "meta", "attachment": "meta", "pdf": "url"},
    ANHUI: {"html": "byline", "docx": "meta"},
}


@pytest.mark.parametrize("host", [JPAAS, ANHUI])
def test_every_report_found_dated_and_attributed(crawled, host):
    portal = crawled["spec"][host]
    agency_ids = {a.name: a.id for a in portal.agencies}
    got = stored(crawled["db"], host)
    expected = {(agency_ids[r.agency], r.year): r for r in portal.reports}
    assert set(got) == set(expected)
    for key, report in expected.items():
        assert (got[key]["published"], got[key]["published_from"]) == (
            report.published,
            DATE_FROM[host][report.form],
        ), key
    source = next(s for url, s in crawled["first"]["sources"].items() if host in url)
    assert source["status"] == "ok" and source["family"] == portal.family
    assert source["reports_found"] == len(portal.reports)


def test_anhui_report_controllers_are_all_read(crawled):
    paths = {urlsplit(r["url"]).path.split("/")[1] for r in stored(crawled["db"], ANHUI).values()}
    assert paths == {"OpennessContent", "XxgkAnnualReport", "Xxgknb"}


def test_pagination_is_followed(crawled):
    hits = crawled["first_hits"]
    api = [h for h in hits if h.host == JPAAS and "/jpaas-publish-server/front/page/build/unit" in h.target]
    pages = {json.loads(dict(parse_qsl(urlsplit(h.target).query))["paramJson"])["pageNo"] for h in api}
    assert pages == {1, 2, 3} and len(api) == 3
    anhui = {h.target.rsplit("/", 1)[1] for h in hits if h.host == ANHUI and "/showList/" in h.target}
    assert anhui == {"page_1.html", "page_2.html", "page_3.html"}


def test_companions_are_not_fetched(crawled):
    assert not [h for h in crawled["first_hits"] if "_5000" in h.target or "/5000" in h.target]
    titles = [r["title"] for r in crawled["db"].execute("SELECT title FROM reports")]
    assert not [t for t in titles if "解读" in t or "通知" in t]


def test_second_crawl_downloads_no_known_report(crawled):
    second = crawled["second"]
    assert second["totals"]["new"] == 0 and second["totals"]["changed"] == 0
    assert second["totals"]["reports_found"] == crawled["first"]["totals"]["reports_found"] == 9
    hits = [h for h in crawled["second_hits"] if h.target != "/robots.txt"]
    assert hits and all(h.status == 304 and h.conditional for h in hits)  # listings revalidated only
    assert not [h for h in hits if "/show/" in h.target or "/art/" in h.target or "/attach/" in h.target]


def test_jpaas_query_data_and_pagination_attributes():
    page = (
        "<div queryData=\"{'webId':'29e9','pageId':'1487002','tplSetId':'quSy','tagId':'分页列表'}\"></div>"
        '<div queryData="{&quot;webId&quot;:&quot;7&quot;,&quot;pageId&quot;:&quot;51335&quot;}"></div>'
    )
    units = query_units(page)
    assert [u["pageId"] for u in units] == ["1487002", "51335"] and units[0]["tagId"] == "分页列表"
    assert page_count(Selector(text='<div class="pagination" rows="15" count="31"></div>')) == 3
    assert page_count(Selector(text='<div class="pagination" rows="15" count="0"></div>')) == 1
    assert page_count(Selector(text="<ul></ul>")) == 1


def test_anhui_page_count_from_total_or_links():
    def response(body: str):
        url = "http://www.ah.gov.cn/openness/OpennessContent/showList/12/9000/page_1.html"
        return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")

    assert list_pages(response("<div>首页 下一页 共１２页 230条</div>")) == 12
    assert list_pages(response('<a href="page_2.html">2</a><a href="page_7.html">尾页</a>')) == 7
    assert list_pages(response("<ul><li>无分页</li></ul>")) == 1
