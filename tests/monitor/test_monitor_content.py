"""Prose against tables, format sections, implausible values, duplicates and revisions."""

from __future__ import annotations

import pytest
from monitor_world import build_report

from monitor.context import Report
from monitor.rules.prose import chinese_number, prose_claims

LONG_PROSE = (
    "本机关高度重视政务公开工作，认真贯彻落实政府信息公开条例，健全工作机制，明确分管领导和具体经办人员，"
    "严格执行信息发布审核制度，主动公开机构职能、政策文件、财政预决算、重点项目等信息，及时回应社会关切，"
    "不断拓展公开渠道，提升公开实效，依法依规办理依申请公开事项，切实保障人民群众的知情权、参与权和监督权。"
)


def claims(text, fmt="2019"):
    report = Report(id=1, agency_id="a", year=2020, format=fmt, section_text={"overview": text})
    return {c.cells: c.value for c in prose_claims(report)}


def test_chinese_numerals():
    assert [chinese_number(t) for t in ("4", "两", "十二", "二十", "一百零五")] == [4, 2, 12, 20, 105]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "全年,共收到依申请公开信息4件,已全部按时答复申请人,未出现行政诉讼案件。",
            {("new.total",): 4, ("suit_direct.total", "suit_after_review.total"): 0},
        ),
        (
            "2020年,区政府办公室共收到信息公开申请1件, 属自然人信函申请。上年结转信息公开申请0件,本年度办结信息公开申请1件,结转下年度继续办理0件。",
            {
                ("new.total",): 1,
                ("new.natural",): 1,
                ("carried_over.total",): 0,
                ("total.total",): 1,
                ("carried_forward.total",): 0,
            },
        ),
        ("2020年，我单位未接到依申请公开办件。", {("new.total",): 0}),
        ("共收到政府信息公开申请两件。", {("new.total",): 2}),
        ("全年公开信息2千余条，收到申请约30件，受理申请400余件。", {}),
        ("收到申请200件，其中自然人申请192件。被申请行政复议1件，行政复议2件。", {("new.total",): 200}),
        ("收到政府信息公开申请及行政复议共5件。", {}),
    ],
)
def test_prose_claims(text, expected):
    assert claims(text) == expected


def test_prose_fires_on_a_contradiction(world):
    world.agency("a1", "甲局")
    world.report("a1", new=4, overview="本年度共收到政府信息公开申请5件，均已按期答复。")
    world.check()
    [prose] = world.findings("inconsistent.prose")
    assert prose["severity"] == "warning" and prose["subject"] == "requests.new.total"
    assert prose["evidence"]["stated"] == 5 and prose["evidence"]["cells"] == {"new.total": 4}


def test_prose_quiet_when_it_agrees_or_is_approximate(world):
    world.agency("a1")
    world.report("a1", new=4, overview="本年度共收到政府信息公开申请4件，未发生行政复议和行政诉讼。")
    world.agency("a2")
    world.report("a2", new=4, overview="本年度共收到政府信息公开申请约5件。")
    world.check()
    assert world.findings("inconsistent.prose") == []


def test_prose_never_compares_a_blank_cell(world):
    world.agency("a1")
    problems = [{"code": "ambiguous_cells", "where": "requests.new", "message": "'4 04'"}]
    world.report(
        "a1",
        new=4,
        overview="共收到依申请公开信息5件。",
        cells={"requests": {"new.total": None}},
        problems=problems,
    )
    world.check()
    assert world.findings("inconsistent.prose") == []
    [unreadable] = world.findings("format.unreadable")
    assert "inconsistent.prose" in unreadable["evidence"]["rules"]


def test_missing_section(world):
    world.agency("a1")
    problem = {"code": "missing_section", "where": "sections.other", "message": "no 六"}
    world.report("a1", sections=["overview", "active", "requests", "appeals", "problems"], problems=[problem])
    world.agency("a2")
    world.report("a2")
    world.check()
    [found] = world.findings("format.missing_section")
    assert (found["agency_id"], found["subject"], found["severity"]) == ("a1", "sections.other", "warning")


def test_image_only_tables_are_a_warning(world):
    world.agency("a1")
    world.report(
        "a1", build_report(name="a1", problems=[{"code": "image_only", "where": "tables", "message": "img"}])
    )
    world.check()
    assert [f["severity"] for f in world.findings("format.missing_table")] == ["warning"]


@pytest.mark.parametrize(
    "text, fires",
    [
        ("五、存在的主要问题及改进情况\n无", True),
        ("五、存在问题\n暂无。", True),
        ("五、存在的主要问题及改进情况\n我局将继续做好政府信息公开工作。", True),
        ("五、存在的主要问题及改进情况\n一是公开内容不够全面。\n二是解读形式单一，下一步加强培训。", False),
        ("五、存在的主要问题及改进情况\n" + "主动公开的深度和广度还需拓展，" * 4, False),
    ],
)
def test_empty_section(world, text, fires):
    world.agency("a1")
    world.report("a1", problems_text=text)
    world.check()
    assert len(world.findings("format.empty_section")) == int(fires)


def test_implausible_decisions_per_kind(world):
    world.agency("street", "佳东街道办事处", kind="township")
    world.report("street", cells={"active": {"enforcement.decisions": 10087}})
    world.agency("dept", "市场监管局", kind="department")
    world.report("dept", cells={"active": {"enforcement.decisions": 10087}})
    world.check()
    [found] = world.findings("implausible")
    assert (found["agency_id"], found["subject"], found["severity"]) == (
        "street",
        "enforcement.decisions",
        "warning",
    )
    assert found["evidence"]["cells"] == {"enforcement.decisions": 10087}


def test_implausible_small_values_stay_quiet_and_rules_from_a_township_fire(world):
    world.agency("t1", kind="township")
    world.report(
        "t1",
        cells={
            "active": {"enforcement.decisions": 12, "rules.made": 1, "rules.published": 1, "rules.total": 1}
        },
    )
    world.agency("city", kind="government", region="河北省/承德市")
    world.report("city", cells={"active": {"rules.made": 2, "rules.published": 2, "rules.total": 9}})
    world.check()
    assert [(f["agency_id"], f["subject"]) for f in world.findings("implausible")] == [("t1", "rules.local")]


def test_implausible_money_in_count_columns_and_yuan_amounts(world):
    world.agency("a1")
    world.report("a1", cells={"active": {"fees.prev_items": 1288, "fees.change": 591}})
    world.agency("a2")
    unit = [{"code": "unit_assumed", "where": "active.procurement.amount_wan", "message": "bare"}]
    world.report("a2", cells={"active": {"procurement.amount_wan": 1751292.6}}, problems=unit)
    world.agency("a3")  # a bare 2468 (seed 001) is plausible in 万元
    world.report("a3", cells={"active": {"procurement.amount_wan": 2468}}, problems=unit)
    world.check()
    assert {(f["agency_id"], f["subject"]) for f in world.findings("implausible")} == {
        ("a1", "fee_items"), ("a2", "amount_unit.procurement.amount_wan")
    }  # fmt: skip


def test_appeals_without_applications_is_info(world):
    world.agency("a1")
    world.report("a1", new=0, cells={"appeals": {"review.upheld": 1, "review.total": 1}})
    world.agency("a2")
    world.report("a2", new=1, cells={"appeals": {"review.upheld": 1, "review.total": 1}})
    world.check()
    [found] = world.findings("implausible")
    assert (found["agency_id"], found["subject"], found["severity"]) == (
        "a1",
        "appeals_without_requests",
        "info",
    )


def test_duplicate_across_agencies_needs_the_same_tables_and_text(world):
    for agency_id, name in (("d1", "东风区"), ("d2", "佳东街道"), ("d3", "晓云街道"), ("d4", "长安街道")):
        world.agency(agency_id, name)
    world.report(
        "d1",
        name="东风区",
        new=6,
        overview=f"东风区{LONG_PROSE}",
        published="2021-01-10",
        published_from="byline",
    )
    world.report(
        "d2",
        name="佳东街道",
        new=6,
        overview=f"佳东街道{LONG_PROSE}",
        published="2021-01-20",
        published_from="byline",
    )
    world.report("d3", name="晓云街道", new=7, overview=f"晓云街道{LONG_PROSE}")  # other numbers
    world.report("d4", name="长安街道", new=6, overview="长安街道" + LONG_PROSE[::-1])  # own text
    world.check()
    [dup] = world.findings("duplicate")
    assert (dup["agency_id"], dup["subject"]) == ("d2", "other_agency")
    assert dup["evidence"]["original"]["agency_id"] == "d1" and "东风区" in dup["message"]


def test_duplicate_all_zero_tables_with_short_boilerplate_are_not_duplicates(world):
    for agency_id in ("t1", "t2", "t3"):
        world.agency(agency_id, kind="township")
        world.report(agency_id, new=0, overview="本年度依法做好政府信息公开工作。")
    world.check()
    assert world.findings("duplicate") == []


def test_duplicate_of_own_previous_year(world):
    world.agency("a1")
    world.report("a1", build_report(2019, name="a1", new=0, overview="2019年，" + LONG_PROSE))
    world.report("a1", build_report(2020, name="a1", new=0, overview="2020年，" + LONG_PROSE))
    world.agency("a2")
    world.report("a2", build_report(2019, name="a2", new=0, overview="2019年，" + LONG_PROSE))
    world.report("a2", build_report(2020, name="a2", new=2, overview="2020年，" + LONG_PROSE))
    world.check()
    assert [(f["agency_id"], f["subject"]) for f in world.findings("duplicate")] == [("a1", "previous_year")]


def test_revised_lists_versions_and_changed_cells(world):
    world.agency("a1", "甲局")
    url = "http://www.example.gov.cn/a1/2020.html"
    world.report("a1", url=url, new=3, seen="2021-01-20T08:00:00")
    world.check()
    assert world.findings("revised") == []
    world.report("a1", url=url, new=4, seen="2021-02-15T08:00:00")
    world.check()
    [revised] = world.findings("revised")
    evidence = revised["evidence"]
    assert [v["version"] for v in evidence["versions"]] == [1, 2]
    assert evidence["old_sha256"] != evidence["new_sha256"]
    assert evidence["changed_cells"]["requests.new.total"] == [3, 4]
    assert revised["severity"] == "warning" and "2021-01-20" in revised["message"]


def test_near_duplicate_prose_in_a_small_group(world):
    world.agency("n1", "甲镇")
    world.agency("n2", "乙镇")
    world.report(
        "n1", name="甲镇", new=2, overview="甲镇" + LONG_PROSE, published="2021-01-05", published_from="meta"
    )
    edited = LONG_PROSE.replace("及时回应社会关切，", "及时回应群众关切，")
    world.report(
        "n2", name="乙镇", new=2, overview="乙镇" + edited, published="2021-01-25", published_from="meta"
    )
    world.check()
    [dup] = world.findings("duplicate")
    assert dup["agency_id"] == "n2" and dup["evidence"]["original"]["agency_id"] == "n1"
