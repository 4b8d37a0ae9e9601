"""Report recognition, challenge detection and family navigation on real listing shapes (no network)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from parsel import Selector

from crawler.cli import main
from crawler.families.base import anchors, host_allowed
from crawler.families.titles import title_kind
from crawler.middlewares import challenge_detail
from crawler.parse.meta import title_year
from spiders.gkmlpt import api_date
from spiders.hanweb import _DATASTORE, HanwebSpider


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("鞍山高新区2020年度政府信息公开工作报告", "report"),
        ("2019年西街街道政府信息公开工作年度报告", "report"),
        ("《莘县王庄集镇2022年政府信息公开工作年度报告》解读", "companion"),
        ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "companion"),
        ("石狮市2023年政府信息公开工作年度报告公布情况", "companion"),
        ("关于报送《2020年政府信息公开工作年度报告》的函", "letter"),
        ("示范市人民政府2023年政府信息公开工作年度报告图解", "companion"),
        ("平潭综合实验区2025年度政府信息公开工作年...", "unclear"),
        ("关于举办2017年舟山群岛新区科技活动周的通知", "other"),
    ],
)
def test_title_kind(title, kind):
    assert title_kind(title) == kind


def test_year_from_title_with_fullwidth_digits():
    assert title_year("西藏国资委２０２３年度信息公开工作报告") == 2023


def test_challenge_detection():
    assert "412" in challenge_detail(412, b"<html></html>")
    assert challenge_detail(521, b"") is not None
    tiny = b"<html><script>document.cookie='a=1';location.href=location.pathname</script></html>"
    assert challenge_detail(200, tiny, "text/html") == "JS cookie challenge page"
    page = (
        b"<html><body>"
        + "正文".encode() * 3000
        + b"<script>document.cookie='a=1';location.href='/'</script></body></html>"
    )
    assert challenge_detail(200, page, "text/html") is None


def test_host_policy():
    roots = ["demo.gov.cn"]
    assert host_allowed("http://www.demo.gov.cn/a.html", roots)
    assert host_allowed("http://xxgk.demo.gov.cn/a.html", roots)
    assert not host_allowed("http://www.other.gov.cn/a.html", roots)
    assert not host_allowed("http://demo.gov.cn.evil.com/a.html", roots)


def test_trs_real_listing_links_and_dates(real_dir):
    path = real_dir / "listings" / "trs-fujian-avalon_平潭综合实验区_zfxxgknb_index.html"
    base = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
    links = [
        a
        for a in anchors(Selector(text=path.read_text(encoding="utf-8")), base)
        if title_kind(a.title) == "report"
    ]
    assert len(links) == 10
    newest = [a for a in links if "2025年度" in a.title][0]
    assert newest.url == base + "202603/t20260313_105587.htm"
    assert newest.listing_date == "2026-03-10"  # the listing's date, not the URL's


def test_hanweb_real_dataproxy_records(real_dir):
    text = (real_dir / "listings" / "hanweb_dataproxy_温州科技局_columnid1220132_trimmed.xml").read_text(
        encoding="utf-8"
    )
    spider = HanwebSpider(sources=[])
    store = _DATASTORE.findall(text)[0]
    records = list(spider.records(store, "http://wzkj.wenzhou.gov.cn/module/jpage/dataproxy.jsp"))
    assert [r.url for r in records][0] == "http://wzkj.wenzhou.gov.cn/art/2017/5/24/art_1312722_7744076.html"
    assert [r.listing_date for r in records] == ["2017-05-24", "2017-05-23", "2017-05-12"]
    assert all(title_kind(r.title) == "other" for r in records)  # notices, not reports


def test_gkmlpt_display_publish_time():
    assert api_date(1706578200) == "2024-01-30"  # 2024-01-30 09:30 China time
    assert api_date("2021-01-20 10:00:00") == "2021-01-20"
    assert api_date(None) is None


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "n.db")
    result = runner.invoke(main, ["crawl", "--db", db])
    assert result.exit_code == 1 and "no registry" in result.output and "Traceback" not in result.output
    bad = tmp_path / "bad.yml"
    bad.write_text("agencies:\n  - id: x\n", encoding="utf-8")
    result = runner.invoke(main, ["crawl", "--db", db, "--registry", str(bad)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    result = runner.invoke(main, ["crawl", "--db", db, "--registry", str(tmp_path / "missing.yml")])
    assert result.exit_code == 1 and "does not exist" in result.output
    good = tmp_path / "good.yml"
    good.write_text(
        "agencies:\n  - id: a\n    name: 示范局\n    kind: department\n    sources: [http://www.a.gov.cn/x/]\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["crawl", "--db", db, "--registry", str(good), "--agency", "nope"])
    assert result.exit_code == 1 and "unknown agency id nope" in result.output
