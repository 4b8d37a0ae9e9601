"""Containers: bytes of HTML / DOCX / PDF / DOC -> Document (paragraphs, tables, meta, chrome)."""

from __future__ import annotations

import io
import zipfile

import pytest

from crawler import sample_reports as sr
from crawler.parse import read_document
from crawler.parse.docx import read_docx
from crawler.parse.html import decode_html, read_html
from crawler.parse.model import ParseError, Table, UnsupportedDocument
from crawler.parse.pdf import read_pdf

REPORT_2021 = sr.consistent_cells("2021", 4, applications=26)
REPORT_2019 = sr.consistent_cells("2019", 9)


def _table_with(doc, text: str) -> Table:
    for table in doc.tables():
        if any(text in (v or "") for row in table.rows for v in row):
            return table
    raise AssertionError(f"no table holds {text!r}")


def _row(table: Table, label: str) -> list:
    for row in table.rows:
        if any(v and v.startswith(label) for v in row):
            return row
    raise AssertionError(f"no row {label!r}")


# ----------------------------------------------------------------------------------------- HTML


def test_html_trs_page_body_tables_meta_chrome():
    page = sr.render_html(REPORT_2021, style="trs", agency="测试区司法局", published="2022-01-21")
    doc = read_html(page, "a.html")
    assert doc.container == "html"
    assert doc.meta["PubDate"].startswith("2022-01-21")
    assert doc.meta["ArticleTitle"] == "测试区司法局2021年政府信息公开工作年度报告"
    assert "title" in doc.meta
    # The byline is chrome; the header-bar date widget (年月日 星期) never is.
    assert any("发布时间：2022-01-21" in line for line in doc.chrome)
    assert not any("星期" in line for line in doc.chrome)
    paragraphs = doc.paragraphs()
    assert "一、总体情况" in paragraphs and "六、其他需要报告的事项" in paragraphs
    assert not any(
        "当前位置" in p or "主办单位" in p for p in paragraphs
    )  # page chrome stays out of the body
    assert len(doc.tables()) == 3
    # Reading order: heading 三 comes right before table 2.
    idx = doc.blocks.index("三、收到和处理政府信息公开申请情况")
    assert isinstance(doc.blocks[idx + 1], Table)
    req = doc.blocks[idx + 1]
    assert (
        req.rows[0][0].startswith("（本列数据的勾稽关系为")
        and req.rows[0][1] is None
        and req.rows[2][0] is None
    )
    new = _row(req, "一、本年新收")
    assert new[1] is None and new[2] is None  # colspan=3 label
    assert new[-1] == "26"
    outcome = _row(req, "（一）予以公开")
    assert outcome[0] == "三、本年度办理结果"
    assert _row(req, "2.其他法律行政法规禁止公开")[:2] == [None, None]  # rowspans above


def test_html_word_markup_joins_split_runs_and_keeps_blank_cells():
    cells = {"new.commercial": "", "penalty.decisions": "-"}
    page = sr.render_html(REPORT_2021, style="ucap", word=True, cell_text=cells)
    doc = read_html(page, "w.html")
    req = _table_with(doc, "申请人情况")  # spans split mid-word join without spaces
    new = _row(req, "一、本年新收政府信息公开申请数量")
    assert new[4] == ""  # <o:p>&nbsp;</o:p>: a real, empty cell
    assert _row(_table_with(doc, "行政处罚"), "行政处罚")[1] == "-"
    assert doc.meta["publishtime"] == "2022-01-20"
    assert "公开日期：2022-01-20" in doc.chrome
    assert "页面生成时间" in doc.meta["others"]
    assert not any("页面生成" in line for line in doc.chrome)


@pytest.mark.parametrize("style", ["hanweb", "gkmlpt", "nfcms", "plain"])
def test_html_styles_find_body(style):
    page = sr.render_html(REPORT_2019, style=style, images=2)
    doc = read_html(page, f"{style}.html")
    assert len(doc.tables()) == 3
    assert doc.images == 2
    assert doc.paragraphs()[0].startswith("根据《中华人民共和国政府信息公开条例》")
    assert doc.paragraphs()[-1] == "2021年1月20日"
    dates = [line for line in doc.chrome if "发布日期" in line]
    assert dates and "2021-01-20" in dates[0]
    if style in ("gkmlpt", "nfcms"):
        assert "成文日期：2021-01-17" in doc.chrome  # kept, labelled: it is not the publish date
        assert "发布日期：2021-01-20" in doc.chrome


def test_html_2019_active_table_merged_amount_and_extra_row():
    page = sr.render_html(
        REPORT_2019,
        extra_rows=True,
        annotated=True,
        cell_text={"licensing.change": "+5", "procurement.amount_wan": "8477万元"},
    )
    doc = read_html(page, "x.html")
    active = _table_with(doc, "信息内容")
    assert _row(active, "其他主动公开文件")[1:] == ["12", "12", "40"]
    assert _row(active, "行政许可")[2] == "+5"
    assert _row(active, "政府集中采购")[2:] == ["8477万元", None]
    assert any(v and v.startswith("本年增/减(减用负值表示") for row in active.rows for v in row)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"encoding": "utf-8"},
        {"encoding": "gbk"},
        {"encoding": "gbk", "declare_charset": False},
        {"encoding": "gb2312", "style": "plain"},
        {"encoding": "gbk", "declared": "utf-8"},  # the page lies about its encoding
    ],
    ids=["utf8", "gbk-declared", "gbk-undeclared", "gb2312-declared", "utf8-declared-but-gbk"],
)
def test_html_encodings(kwargs):
    agency = (
        "䶮县人民政府" if kwargs["encoding"] == "gb2312" else "测试县人民政府"
    )  # 䶮: outside GB2312 and GBK
    page = sr.render_html(REPORT_2021, agency=agency, **kwargs)
    doc = read_html(page, "e.html")
    assert doc.paragraphs()[-2] == agency
    assert "三、收到和处理政府信息公开申请情况" in doc.paragraphs()
    assert len(doc.tables()) == 3


def test_html_http_charset_wins_over_meta_when_it_decodes():
    page = sr.render_html(REPORT_2021, encoding="gbk", declared="utf-8")
    text, encoding = decode_html(page, "text/html; charset=GBK")
    assert encoding == "gb18030" and "三、收到和处理政府信息公开申请情况" in text
    # A server default of ISO-8859-1 proves nothing about a Chinese page.
    text, encoding = decode_html(sr.render_html(REPORT_2021), "text/html; charset=ISO-8859-1")
    assert encoding == "utf-8" and "总体情况" in text


def test_html_broken_markup_and_layout_tables():
    page = (
        "<html><body><table><tr><td><table><tr><td><div>发布日期：2023-02-01</div></td></tr></table>"
        "<table width=100%><tr><td>"
        "<p>一、总体情况<p>本年度共收到申请3件。<meta name='PubDate' content='2023-02-01'><title>T</title>"
        "<table border=1><tr><td>行政复议<td colspan=2>行政诉讼<tr><td>1<td>2<td>3</table>"
        "<p>二、主动公开<script>var x='<p>no</p>';</script>正文<br>下一行"
        "</td></tr></table></td></tr></table>"
    ).encode()
    doc = read_html(page, "b.html")
    assert doc.meta["PubDate"] == "2023-02-01"
    assert doc.tables() == [Table(rows=[["行政复议", "行政诉讼", None], ["1", "2", "3"]])]
    assert "本年度共收到申请3件。" in doc.paragraphs()
    assert "下一行" in doc.paragraphs()
    assert not any("no" in p for p in doc.paragraphs())


def test_html_images_only():
    page = "<html><body><div class='TRS_Editor'><p>一、总体情况 本年度工作平稳开展，详见下表。</p><p><img src=a.png><img src=b.png></p></div></body></html>"
    doc = read_html(page.encode(), "i.html")
    assert doc.images == 2 and doc.tables() == []


def test_real_html_shuyang(real_dir):
    data = (real_dir / "reports" / "2023_江苏宿迁沭阳县发展和改革局.html").read_bytes()
    doc = read_document(data, "shuyang.html")
    assert doc.meta["publishtime"] == "2024-01-17"
    assert "公开日期：2024-01-17" in doc.chrome
    assert not any("2025年12月30日" in line for line in doc.chrome)  # the frozen date widget
    assert doc.meta["others"] == "页面生成时间 2024-05-28 15:46:43"
    tables = doc.tables()
    assert len(tables) == 3
    req = tables[1]
    assert _row(req, "（本列数据")[3] == "申请人情况"  # 申请人情 + 况 joined
    new = _row(req, "一、本年新收政府信息公开申请数量")
    assert new[3] == "26" and new[4:9] == ["", "", "", "", ""] and new[9] == "26"  # blank, not 0
    assert _row(req, "（一）予以公开")[0] == "三、本年度办理结果"
    appeals = tables[2]
    assert appeals.rows[-1][3:5] == ["1", "1"]
    assert doc.paragraphs()[-1] == "2024年1月17日"
    assert "五、存在的主要问题及整改措施" in doc.paragraphs()


# ----------------------------------------------------------------------------------------- DOCX


def test_docx_order_and_merged_cells():
    data = sr.render_docx(REPORT_2021, published="2022-01-25")
    doc = read_docx(data, "r.docx")
    assert doc.container == "docx"
    assert doc.meta["title"].endswith("政府信息公开工作年度报告")
    kinds = ["T" if isinstance(b, Table) else b for b in doc.blocks]
    i = kinds.index("三、收到和处理政府信息公开申请情况")
    assert kinds[i + 1] == "T" and kinds[i + 2] == "四、政府信息公开行政复议、行政诉讼情况"
    req = doc.tables()[1]
    assert len(req.rows) == 28 and len(req.rows[0]) == 10
    assert req.rows[0][1:3] == [None, None] and req.rows[1][0] is None  # 3x3 corner
    assert _row(req, "（一）予以公开")[0] == "三、本年度办理结果"
    assert _row(req, "1.属于国家秘密")[1] == "（三）不予公开"
    assert _row(req, "2.其他法律行政法规禁止公开")[:2] == [None, None]
    assert _row(req, "一、本年新收")[-1] == str(REPORT_2021["requests"]["new.total"])
    active = doc.tables()[0]
    assert _row(active, "行政许可")[1:] == [str(REPORT_2021["active"]["licensing.decisions"]), None, None]
    assert doc.paragraphs()[-1] == "2022年1月25日"


def test_docx_real_template(real_dir):
    data = (real_dir / "reports" / "template_2021format_空白模板_政务公开年报模版.docx").read_bytes()
    doc = read_docx(data, "t.docx")
    assert len(doc.tables()) == 3
    req = doc.tables()[1]
    assert _row(req, "一、本年新收")[3:] == [""] * 7


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", None],
    ids=["garbage", "no-document-part"],
)
def test_docx_corrupt(data):
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("word/other.xml", "<x/>")
        data = buf.getvalue()
    with pytest.raises(ParseError, match="corrupt DOCX"):
        read_docx(data, "c.docx")


def test_docx_truncated():
    data = sr.render_docx(REPORT_2019)
    with pytest.raises(ParseError, match="corrupt"):
        read_document(data[: len(data) // 2], "t.docx")


# ------------------------------------------------------------------------------------------ PDF


def test_pdf_tables_text_and_footers():
    data = sr.render_pdf(REPORT_2019, engine="reportlab")
    doc = read_pdf(data, "r.pdf")
    assert doc.container == "pdf" and not doc.no_text_layer
    assert doc.meta["Title"].endswith("政府信息公开工作年度报告")
    paragraphs = doc.paragraphs()
    assert not any(p.startswith("- ") and p.endswith(" -") for p in paragraphs)  # page footers dropped
    assert "三、收到和处理政府信息公开申请情况" in paragraphs
    # The wrapped first paragraph is one paragraph again.
    assert any(
        p.startswith("根据《中华人民共和国政府信息公开条例》") and p.endswith("12月31日止。")
        for p in paragraphs
    )
    tables = doc.tables()
    assert len(tables) == 3
    req = tables[1]
    new = _row(req, "一、本年新收")
    assert new[1:3] == [None, None] and new[-1] == str(REPORT_2019["requests"]["new.total"])
    assert (
        _row(req, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")[3] == "申请人情况"
    )
    appeals = tables[2]
    expected = [str(REPORT_2019["appeals"][k]) for k in sr.keys.appeal_keys()]
    assert appeals.rows[-1] == expected


def test_pdf_without_text_layer():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.rect(50, 50, 300, 300, fill=1)  # a "scan": drawing, no text
    pdf.showPage()
    pdf.save()
    doc = read_pdf(buf.getvalue(), "scan.pdf")
    assert doc.no_text_layer and doc.blocks == []


def test_pdf_encrypted():
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    pdf.drawString(100, 700, "hello")
    pdf.save()
    with pytest.raises(ParseError, match="encrypted PDF"):
        read_pdf(buf.getvalue(), "e.pdf")


@pytest.mark.parametrize("cut", [0.02, 0.5])
def test_pdf_corrupt_or_truncated(cut):
    data = sr.render_pdf(REPORT_2021, engine="reportlab")
    data = data[: int(len(data) * cut)]
    try:
        doc = read_pdf(data, "t.pdf")
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        # pdfminer recovers what it can from a truncated file; whatever it returns is a Document.
        assert doc.container == "pdf"


@pytest.mark.parametrize(
    ("name", "new_row", "total"),
    [
        ("2023_江苏淮安洪泽区人民政府.pdf", ["21", "0", "0", "0", "0", "0", "21"], "21"),
        ("2024_江苏淮安市人民政府.pdf", ["3001", "53", "0", "0", "61", "4", "3119"], "3050"),
        ("2024_江苏淮安洪泽区人民政府.pdf", None, "95"),
    ],
)
def test_real_pdfs(real_dir, name, new_row, total):
    doc = read_pdf((real_dir / "reports" / name).read_bytes(), name)
    assert doc.meta["Title"].endswith("政府信息公开工作年度报告")
    paragraphs = doc.paragraphs()
    assert "三、收到和处理政府信息公开申请情况" in paragraphs
    assert not any(p in ("-1-", "-2-", "- 1 -") for p in paragraphs)
    requests = [t for t in doc.tables() if len(t.rows[0]) == 10]
    rows = [r for t in requests for r in t.rows]
    if new_row:
        assert next(r for r in rows if (r[0] or "").startswith("一、本年新收"))[3:] == new_row
    assert next(r for r in rows if (r[1] or "").startswith("（七）总计"))[-1] == total
    # The row at a page break is kept in its table, not lost to the text.
    assert any((r[2] or "").startswith("2.没有现成信息需要另行制作") for r in rows)
    appeals = next(t for t in doc.tables() if len(t.rows[0]) == 15)
    assert appeals.rows[0][0] == "行政复议"


# --------------------------------------------------------------------------------- DOC via LibreOffice


def test_office_without_soffice(monkeypatch):
    from crawler.parse.office import read_office

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(UnsupportedDocument, match="needs LibreOffice"):
        read_office(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.doc", "doc")


@pytest.mark.slow
def test_office_corrupt_doc():
    from crawler.parse.office import read_office, soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    with pytest.raises(ParseError):
        read_office(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "bad.doc", "doc")
