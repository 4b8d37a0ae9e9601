"""The five seed reports, parsed by the real parser and stored by the real store (SEEDS.md)."""

from __future__ import annotations

import pytest

from crawler.parse import parse_file

SEEDS = {
    "000_d15466998edb0963.txt": ("chengde-gxq", "承德高新区", "department"),
    "001_402b3c2303c427b2.txt": ("jiadong", "东风区佳东街道办事处", "township"),
    "002_4841818a3633f9fe.txt": ("xushui-office", "保定市徐水区人民政府办公室", "department"),
    "003_67d5636951f762bb.txt": ("unit-003", "某专业技术单位", "department"),
    "004_a7ed15760e03fe8e.txt": ("anshan-gxq", "鞍山高新区", "department"),
}


@pytest.fixture
def seeded(world, seeds_dir):
    for name, (agency_id, agency_name, kind) in SEEDS.items():
        world.agency(agency_id, agency_name, kind=kind)
        report = parse_file(str(seeds_dir / name))
        assert "error" not in report, report
        world.report(agency_id, report, url=f"http://www.example.gov.cn/{agency_id}/2020.html")
    world.check(today="2021-06-01", year=2020)
    return {(f["agency_id"], f["rule"]): f for f in world.findings()}


def test_seed_findings(seeded):
    found = seeded
    implausible = found[("jiadong", "implausible")]
    assert implausible["subject"] == "enforcement.decisions" and implausible["severity"] == "warning"
    assert implausible["evidence"]["cells"] == {"enforcement.decisions": 10087}
    assert found[("xushui-office", "format.unreadable")]["severity"] == "info"
    unit3 = found[("unit-003", "format.unreadable")]
    assert unit3["evidence"]["rules"] == ["inconsistent.appeals_total"]
    assert found[("anshan-gxq", "format.missing_section")]["subject"] == "sections.other"
    assert found[("anshan-gxq", "format.unreadable")]["severity"] == "warning"
    assert ("anshan-gxq", "late") not in found


def test_seeds_give_no_arithmetic_or_prose_findings(seeded):
    assert [key for key in seeded if key[1].startswith("inconsistent.")] == []
    assert [key for key in seeded if key[0] == "chengde-gxq"] == []
    assert set(seeded) == {
        ("jiadong", "implausible"),
        ("xushui-office", "format.unreadable"),
        ("unit-003", "format.unreadable"),
        ("anshan-gxq", "format.missing_section"),
        ("anshan-gxq", "format.unreadable"),
    }
