"""Plain-text layouts (FORMATS.md §11): tab cells, `|` cells, markdown rows and flattened text
read to the same cells, for both formats."""

from __future__ import annotations

import pytest

from crawler.parse import keys, parse_bytes
from crawler.sample_reports import consistent_cells

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def table_rows(report: dict, fmt: str) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """The three tables as label + value rows (header rows included), like a Word table."""
    active = []
    for row, (label, *_), cols in keys.ACTIVE_ROWS[fmt]:
        if fmt == "2021" and row == "normative_docs":
            label = "行政规范性文件"
        active.append(["信息内容", *[c_label for _, c_label in cols]])
        active.append([label, *[str(report["active"][f"{row}.{c}"]) for c, _ in cols]])
    requests = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    for row, label, formats in keys.REQUEST_ROWS:
        if fmt not in formats:
            continue
        if row == "other.overdue_correction":
            requests.append(["（六）其他处理"])
        requests.append([label, *[str(report["requests"][f"{row}.{c}"]) for c, _ in keys.REQUEST_COLUMNS]])
    appeals = [
        ["行政复议", "行政诉讼"],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        [str(report["appeals"][k]) for k in keys.appeal_keys()],
    ]
    first_block = "第二十条第（一）项"
    active.insert(0, [first_block])
    return active, requests, appeals


def render(report: dict, fmt: str, year: int, style: str) -> str:
    tables = table_rows(report, fmt)
    out = [
        f"示例县统计局{year}年政府信息公开工作年度报告",
        "",
        HEADINGS[0],
        f"{year}年，我局认真贯彻落实《条例》。",
    ]
    for heading, rows in zip(HEADINGS[1:4], tables, strict=True):
        out.append(heading)
        if style == "tab":
            for row in rows:
                out.extend("\t" + cell for cell in row)
                out.append("")
        elif style == "pipe":
            cells = [cell for row in rows for cell in row]
            for i, cell in enumerate(cells):
                out.append(cell)
                if i < len(cells) - 1:
                    out.append("|")
        elif style == "markdown":
            for row in rows:
                out.append("| " + " | ".join(row) + " |")
        elif style == "flat":
            out.extend(" ".join(row) for row in rows)
    out += [
        HEADINGS[4],
        "一是培训不足。",
        HEADINGS[5],
        "本年度未收取信息处理费。",
        "",
        "示例县统计局",
        f"{year + 1}年1月20日",
    ]
    return "\n".join(out)


@pytest.mark.parametrize("style", ["tab", "pipe", "markdown", "flat"])
@pytest.mark.parametrize(("fmt", "year"), [("2019", 2020), ("2021", 2022)])
def test_every_cell_read(style, fmt, year):
    report = consistent_cells(fmt, seed=year + len(style))
    text = render(report, fmt, year, style)
    got = parse_bytes(text.encode("utf-8"), f"{style}.txt")
    assert got["format"] == fmt
    assert got["year"] == year
    assert got["title"] == f"示例县统计局{year}年政府信息公开工作年度报告"
    assert got["agency"] == "示例县统计局"
    assert got["sections"] == list(keys.SECTIONS)
    assert got["published"] == f"{year + 1}-01-20" and got["published_from"] == "signature"
    if style == "flat":
        # Space-separated values with no blanks are certain; every cell must still be read.
        pass
    for table in ("active", "requests", "appeals"):
        expected = report[table]
        for key, value in expected.items():
            assert got[table][key] == pytest.approx(value), (table, key)
    assert [p for p in got["problems"] if p["code"] != "unit_assumed"] == []


def test_gbk_text_without_declaration():
    report = consistent_cells("2021", seed=3)
    text = render(report, "2021", 2022, "tab")
    got = parse_bytes(text.encode("gbk"), "gbk.txt")
    assert got["title"].startswith("示例县统计局")
    assert got["requests"]["total.total"] == report["requests"]["total.total"]


def test_full_width_digits_and_brackets():
    report = consistent_cells("2019", seed=11)
    text = render(report, "2019", 2020, "tab").translate(
        str.maketrans("0123456789()", "０１２３４５６７８９（）")
    )
    got = parse_bytes(text.encode("utf-8"), "fw.txt")
    assert got["requests"]["new.total"] == report["requests"]["new.total"]
    assert got["year"] == 2020


def test_extra_provincial_row_is_ignored_and_reported():
    report = consistent_cells("2019", seed=5)
    text = render(report, "2019", 2020, "tab").replace(
        "\t行政事业性收费", "\t其他主动公开文件\n\t12\n\t3\n\t4\n\n\t行政事业性收费", 1
    )
    got = parse_bytes(text.encode("utf-8"), "extra.txt")
    assert got["active"]["fees.prev_items"] == report["active"]["fees.prev_items"]
    assert got["active"]["enforcement.decisions"] == report["active"]["enforcement.decisions"]
    assert ("extra_rows", "active.其他主动公开文件") in {(p["code"], p["where"]) for p in got["problems"]}


def test_wrong_template_is_read_as_printed():
    """A 2019-format table in a 2022 report: format says 2019 (the rule reports it, not the parser)."""
    report = consistent_cells("2019", seed=8)
    got = parse_bytes(render(report, "2019", 2022, "tab").encode("utf-8"), "old.txt")
    assert got["year"] == 2022 and got["format"] == "2019"
