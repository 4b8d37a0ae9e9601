"""Title, year, agency, publish date and page kind (DEADLINES.md §4, §6; PORTALS.md §4)."""

from __future__ import annotations

import pytest

from crawler.parse import meta


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.gov.cn/xxgk/gknb/202201/t20220124_1239406.shtml", "2022-01-24"),
        ("http://x.gov.cn/art/2024/1/23/art_1229114055_88348.html", "2024-01-23"),
        ("http://x.gov.cn/c23805/20210224/i1664425.html", "2021-02-24"),
        ("http://x.gov.cn/nw12344/20230331/0e1f.html", "2023-03-31"),
        ("http://x.gov.cn/chnzj/c133076/202204/abcdef0123456789abcdef0123456789.shtml", "2022-04"),
        ("http://x.gov.cn/gongkai/site_1/channel_2/doc_641d4d4d0000000000000000.html", "2023-03-24"),
        ("http://x.gov.cn/gkmlpt/content/8/8766/post_8766914.html", None),
    ],
)
def test_date_from_url(url, expected):
    assert meta.date_from_url(url) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["信息来源:鞍山高新技术产业开发区管理委员会 发布时间:2021-01-29 浏览次数:"], "2021-01-29"),
        (["发布日期：2022-01-5"], "2022-01-05"),
        (["发布时间：2021-03-2918:26"], "2021-03-29"),
        (["成文日期：2021-01-10", "发布日期：2021-01-28"], "2021-01-28"),
        (["2019年12月3日 星期二", "发布时间：2021-01-29"], "2021-01-29"),  # a date widget is never the date
        (["生成日期：2021-01-10"], None),
    ],
)
def test_date_from_byline(lines, expected):
    assert meta.date_from_byline(lines) == expected


def test_priority_and_evidence_kept():
    dates = meta.publish_dates(
        {"PubDate": "2023-03-31 10:00:00"},
        ["发布时间：2023-03-31"],
        ["正文", "2023年3月20日"],
        "http://x.gov.cn/zfxxgknb/202303/t20230320_1.html",
        2022,
    )
    assert meta.best_date(dates) == ("2023-03-31", "meta")
    assert {"date": "2023-03-20", "from": "url"} in dates  # the other date stays as evidence


def test_body_dates_are_not_publish_dates():
    """The statistical period and dates before the report year ends are no evidence."""
    dates = meta.publish_dates({}, [], ["统计期限自2020年1月1日起至2020年12月31日止。"], None, 2020)
    assert dates == []


def test_migrated_url_date_is_not_used_alone():
    dates = meta.publish_dates({}, [], ["正文"], "http://hebei.gov.cn/columns/a/202308/21/b.html", 2020)
    assert meta.best_date(dates) == (None, None)
    assert dates and dates[0]["suspect"]


def test_signature_in_chinese_numerals():
    assert meta.date_from_signature(["……", "某某县人民政府办公室", "二〇二一年一月二十九日"]) == "2021-01-29"


@pytest.mark.parametrize(
    ("title", "year", "agency", "kind"),
    [
        ("鞍山高新区2020年度政府信息公开工作报告", 2020, "鞍山高新区", "report"),
        ("2019年西街街道政府信息公开工作年度报告", 2019, "西街街道", "report"),
        ("西藏国资委2023年度信息公开工作报告", 2023, "西藏国资委", "report"),
        ("《某县2021年政府信息公开工作年度报告》解读", 2021, None, "interpretation"),
        ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知", 2022, None, "notice"),
        ("石狮市2023年度政府信息公开工作年度报告公布情况", 2023, None, "announcement"),
    ],
)
def test_title_year_agency_kind(title, year, agency, kind):
    assert meta.year_of(title, "") == year
    assert meta.document_kind(title) == kind
    if kind == "report":
        assert meta.agency_from_title(meta.clean(title)) == agency


def test_title_broken_over_two_lines():
    lines = ["承德高新区2020年政府信息公开工作", "年度报告", "2020年以来，承德高新区管委会高度重视……"]
    assert meta.find_title(lines, {}) == "承德高新区2020年政府信息公开工作年度报告"


def test_year_from_statistical_period_when_no_title():
    text = "本年度报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"
    assert meta.year_of(None, text) == 2020


def test_government_work_report_is_not_a_disclosure_report():
    """政府工作报告 (to the People's Congress) shares the words; 信息公开 must be named."""
    assert meta.document_kind("某市人民政府2023年政府工作报告") == "unknown"
    assert meta.document_kind("某县2023年政府信息公开年报") == "report"
    assert meta.title_year("某县2023年政府信息公开年报") == 2023


def test_year_first_title_names_its_agency():
    """The crawler attributes an agency-less title to the source's only agency; a year-first title is not that."""
    assert meta.agency_from_title("2019年西街街道政府信息公开工作年度报告") == "西街街道"
    assert meta.agency_from_title("2023年政府信息公开工作年度报告") is None
