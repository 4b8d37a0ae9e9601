"""Real published reports (../shared/real, MANIFEST.md): the values a careful reader sees."""

from __future__ import annotations

import pytest

from crawler.parse import parse_file


def parse_real(real_dir, name):
    path = real_dir / "reports" / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    report = parse_file(str(path))
    assert "error" not in report, report.get("error")
    return report


def test_huaian_city_2024_pdf(real_dir):
    r = parse_real(real_dir, "2024_江苏淮安市人民政府.pdf")
    assert (r["year"], r["format"], r["agency"]) == (2024, "2021", "淮安市人民政府")
    req = r["requests"]
    assert [
        req[f"new.{c}"]
        for c in ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")
    ] == [
        3001,
        53,
        0,
        0,
        61,
        4,
        3119,
    ]
    assert (req["carried_over.total"], req["total.total"], req["carried_forward.total"]) == (34, 3050, 103)
    assert all(v is not None for v in r["requests"].values())


def test_hongze_2023_pdf_label_typo_and_old_other_row(real_dir):
    r = parse_real(real_dir, "2023_江苏淮安洪泽区人民政府.pdf")
    assert r["requests"]["total.total"] == 21
    # `2.其他法律行政止公开` (sic) is still the law_forbidden row.
    assert r["requests"]["withheld.law_forbidden.total"] == 0
    # The 2021 （六） sub-rows are absent (the 2019 single row is printed): null, never guessed.
    assert r["requests"]["other.other.total"] is None
    assert r["published"] is None  # a PDF's creation date is not a publish date


def test_shuyang_2023_html(real_dir):
    r = parse_real(real_dir, "2023_江苏宿迁沭阳县发展和改革局.html")
    assert r["title"] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert (r["published"], r["published_from"]) == ("2024-01-17", "meta")  # not the 2025 date widget
    assert r["appeals"]["review.pending"] == 1 and r["appeals"]["review.total"] == 1
    # The 法人或其他组织 cells are blank in the page, not 0.
    assert r["requests"]["new.commercial"] is None
    assert ("blank_cells", "requests.new") in {(p["code"], p["where"]) for p in r["problems"]}


def test_pingtan_run_together_cells_stay_null(real_dir):
    r = parse_real(real_dir, "2020_福建平潭综合实验区_pagetxt.txt")
    assert r["format"] == "2019" and r["year"] == 2020
    assert r["active"]["fees.prev_items"] == 35 and r["active"]["fees.change"] == -15  # `35-15`
    assert r["active"]["penalty.change"] is None  # `2648-18538`: many splits
    assert r["requests"]["new.total"] is None
    assert r["requests"]["other.natural"] == 4  # `4 0 0 0 0 0 4`: separated, certain


def test_pingtan_2022_appeals_spaced(real_dir):
    r = parse_real(real_dir, "2022_福建平潭综合实验区_pagetxt.txt")
    assert [r["appeals"][f"review.{c}"] for c in ("upheld", "corrected", "other", "pending", "total")] == [
        0,
        1,
        1,
        0,
        2,
    ]
    assert r["appeals"]["suit_direct.total"] == 1
    assert r["sections"] == ["overview", "active", "requests", "appeals", "problems", "other"]


def test_pingtan_2025_byline_beats_url(real_dir):
    r = parse_real(real_dir, "2025_福建平潭综合实验区_pagetxt.txt")
    assert (r["published"], r["published_from"]) == ("2026-03-10", "byline")
    assert {"date": "2026-03-13", "from": "url"} in r["dates"]


def test_pingtan_2018_predates_the_formats(real_dir):
    r = parse_real(real_dir, "2018_福建平潭综合实验区_pagetxt_preformat.txt")
    assert r["format"] is None
    assert "no_tables" in {p["code"] for p in r["problems"]}


def test_blank_template_docx_reads_every_cell_as_null(real_dir):
    r = parse_real(real_dir, "template_2021format_空白模板_政务公开年报模版.docx")
    assert r["format"] == "2021"
    assert all(v is None for t in ("active", "requests", "appeals") for v in r[t].values())
