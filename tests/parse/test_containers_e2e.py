"""End to end: reports written by sample_reports into every container parse back to every cell.

The report builder (crawler.parse.report) is exercised through `parse_bytes`; these tests check that
what the containers hand it is complete: every cell of both formats, the publish date and its source.
"""

from __future__ import annotations

import pytest

from crawler import sample_reports as sr
from crawler.parse import parse_bytes
from crawler.parse.office import convert, soffice_path

REPORTS = {fmt: sr.consistent_cells(fmt, seed) for fmt, seed in (("2019", 21), ("2021", 22))}


def assert_cells(parsed: dict, report: dict, changed: dict | None = None) -> None:
    """Every cell of the parse equals the rendered value (`changed`: key -> value after an override)."""
    assert "error" not in parsed, parsed.get("error")
    for table in ("active", "requests", "appeals"):
        expected = dict(report[table])
        for key, value in (changed or {}).items():
            if key in expected:
                expected[key] = value
        got = parsed[table]
        assert set(got) == set(expected), f"{table}: keys differ"
        wrong = {
            k: (got[k], v)
            for k, v in expected.items()
            if not (got[k] == v if not isinstance(v, float) else got[k] == pytest.approx(v))
        }
        assert not wrong, f"{table}: (parsed, rendered) {wrong}"


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize(
    ("style", "source"),
    [
        ("trs", "meta"),
        ("hanweb", "meta"),
        ("gkmlpt", "meta"),
        ("nfcms", "meta"),
        ("ucap", "meta"),
        ("plain", "byline"),
    ],
)
def test_html_styles(fmt, style, source):
    report = REPORTS[fmt]
    page = sr.render_html(report, style=style, published="2022-02-03", word=style == "ucap")
    parsed = parse_bytes(page, f"{style}.html", content_type="text/html")
    assert_cells(parsed, report)
    assert parsed["format"] == fmt
    assert (parsed["published"], parsed["published_from"]) == ("2022-02-03", source)


# Without PubDate the byline dates the page; Ucap's <publishtime> tag is the CMS's own metadata.
@pytest.mark.parametrize(
    ("style", "source"), [("trs", "byline"), ("hanweb", "byline"), ("gkmlpt", "byline"), ("ucap", "meta")]
)
def test_html_byline_without_meta(style, source):
    report = REPORTS["2021"]
    page = sr.render_html(report, style=style, published="2022-01-28", pubdate_meta=False)
    parsed = parse_bytes(page, f"{style}.html")
    assert_cells(parsed, report)
    assert (parsed["published"], parsed["published_from"]) == ("2022-01-28", source)


def test_html_date_widget_is_never_the_date():
    report = REPORTS["2021"]
    page = sr.render_html(report, style="trs", published=None, signed=None)
    parsed = parse_bytes(page, "nodate.html")
    assert_cells(parsed, report)
    assert parsed["published"] is None and parsed["published_from"] is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"encoding": "gbk", "declare_charset": False, "style": "plain"},
        {"encoding": "gbk", "declared": "utf-8"},
        {"encoding": "gb2312"},
    ],
    ids=["gbk-undeclared", "gbk-declared-utf8", "gb2312"],
)
def test_html_encodings(kwargs):
    report = REPORTS["2019"]
    parsed = parse_bytes(sr.render_html(report, agency="沭阳县发展和改革局", **kwargs), "enc.html")
    assert_cells(parsed, report)
    assert parsed["agency"] == "沭阳县发展和改革局"


HARD_CASES = [
    # (format, render options, cell overrides, expected values of the overridden cells, problem codes)
    (
        "2021",
        {"word": True},
        {"new.commercial": "", "penalty.decisions": "-"},
        {"new.commercial": None, "penalty.decisions": None},
        {"blank_cells"},
    ),
    (
        "2019",
        {},
        {"licensing.change": "+5", "penalty.change": "-8", "procurement.amount_wan": "8477万元"},
        {"licensing.change": 5, "penalty.change": -8, "procurement.amount_wan": 8477},
        set(),
    ),
    ("2021", {}, {"fees.amount_wan": "1751292.6元"}, {"fees.amount_wan": 175.12926}, set()),
    ("2019", {}, {"procurement.amount_wan": "2468"}, {"procurement.amount_wan": 2468}, {"unit_assumed"}),
    ("2019", {"extra_rows": True}, {}, {}, {"extra_rows"}),
    ("2019", {"annotated": True}, {"licensing.change": "-3"}, {"licensing.change": -3}, set()),
    ("2021", {"fullwidth": True}, {}, {}, set()),
    ("2021", {"annotated": True, "word": True}, {}, {}, set()),
]


@pytest.mark.parametrize(("fmt", "options", "cells", "values", "problems"), HARD_CASES)
@pytest.mark.parametrize("container", ["html", "docx", "pdf"])
def test_hard_cases(fmt, options, cells, values, problems, container):
    report = REPORTS[fmt]
    if container == "html":
        data = sr.render_html(report, cell_text=cells, **options)
    else:
        options = {k: v for k, v in options.items() if k != "word"}
        render = sr.render_docx if container == "docx" else sr.render_pdf
        data = render(report, cell_text=cells, **options)
    parsed = parse_bytes(data, f"hard.{container}")
    assert_cells(parsed, report, values)
    codes = {p["code"] for p in parsed["problems"]}
    assert problems <= codes, parsed["problems"]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_docx(fmt):
    report = REPORTS[fmt]
    parsed = parse_bytes(sr.render_docx(report, published="2022-01-26"), "r.docx")
    assert_cells(parsed, report)
    assert parsed["format"] == fmt
    assert (parsed["published"], parsed["published_from"]) == ("2022-01-26", "signature")


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_pdf_reportlab(fmt):
    report = REPORTS[fmt]
    parsed = parse_bytes(sr.render_pdf(report, engine="reportlab", published="2022-03-01"), "r.pdf")
    assert_cells(parsed, report)
    assert (parsed["published"], parsed["published_from"]) == ("2022-03-01", "signature")


# LibreOffice conversions are slow (~2 s each): make them once per module.
@pytest.fixture(scope="module")
def office_files():
    if soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    return {
        "pdf": sr.render_pdf(REPORTS["2021"], engine="libreoffice", published="2022-01-30"),
        "doc": convert(sr.render_docx(REPORTS["2019"], published="2021-01-30"), "docx", "doc"),
    }


@pytest.mark.slow
def test_pdf_libreoffice(office_files):
    parsed = parse_bytes(office_files["pdf"], "lo.pdf")
    assert_cells(parsed, REPORTS["2021"])
    assert (parsed["published"], parsed["published_from"]) == ("2022-01-30", "signature")


@pytest.mark.slow
def test_doc_libreoffice(office_files):
    parsed = parse_bytes(office_files["doc"], "r.doc")
    assert parsed.get("container", "doc") == "doc"
    assert_cells(parsed, REPORTS["2019"])
    assert parsed["published"] == "2021-01-30"
