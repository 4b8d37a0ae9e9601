"""Render one Portal spec as a site: {request key: Resource}, in the URL and markup shapes of its family
(PORTALS.md §2-3). Report documents come from crawler.sample_reports and are rendered on first request."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.portalfarm.spec import Portal, Report

HTML = "text/html; charset=utf-8"


@dataclass
class Resource:
    body: object  # bytes, or a callable returning bytes (rendered once, on first request)
    content_type: str = HTML
    status: int = 200
    version: int = 0  # bumped by Farm.revise: a new ETag / Last-Modified

    def data(self) -> bytes:
        if callable(self.body):
            self.body = self.body()
        return self.body


def request_key(target: str) -> str:
    """path?sorted-query: the farm answers `page=2&appid=1` and `appid=1&page=2` alike."""
    parts = urlsplit(target)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


def _ymd(iso: str) -> tuple[int, int, int]:
    y, m, d = (int(x) for x in iso.split("-"))
    return y, m, d


def _encode(text: str, portal: Portal) -> bytes:
    return text.encode("gb18030" if portal.encoding == "gbk" else "utf-8", errors="xmlcharrefreplace")


def _content_type(portal: Portal) -> str:
    # The GBK portal declares no charset anywhere (the crawler must detect it).
    return "text/html" if portal.encoding == "gbk" else HTML


def _page(portal: Portal, title: str, body: str, head: str = "") -> bytes:
    charset = "" if portal.encoding == "gbk" else '<meta charset="utf-8">'
    nav = "".join(f'<li><a href="/lanmu{i}/index.html">栏目{i}</a></li>' for i in range(portal.other_links))
    return _encode(
        f"<!DOCTYPE html><html><head>{charset}<title>{html.escape(title)}</title>{head}</head>"
        f'<body><div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>{body}</body></html>',
        portal,
    )


class SiteBuilder:
    def __init__(self, portal: Portal, index: int, shared_files: dict | None = None):
        self.shared_files = shared_files  # benchmarks: one PDF/DOCX per (kind, seed, year, revision)
        self.portal = portal
        self.index = index
        self.resources: dict[str, Resource] = {}
        self.colid = 1229000000 + index
        self.unitid = 4000000 + index
        self.source_url = ""

    # --- documents -----------------------------------------------------------------------

    def cells(self, report: Report, revision: int = 0) -> dict:
        from crawler.sample_reports import consistent_cells

        fmt = "2021" if report.year >= 2021 else "2019"
        return consistent_cells(fmt, seed=report.seed + 1000 * revision)

    def report_page(self, report: Report, style: str, revision: int = 0) -> bytes:
        from crawler.sample_reports import render_html

        gbk = self.portal.encoding == "gbk"
        return render_html(
            self.cells(report, revision),
            style=style,
            title=report.full_title,
            agency=report.agency or (self.portal.agencies[0].name if self.portal.agencies else "某单位"),
            year=report.year,
            published=report.published if report.date_on_page else None,
            pubdate_meta=style in ("trs", "hanweb") and report.date_on_page,
            encoding="gbk" if gbk else "utf-8",
            declare_charset=not gbk,
        )

    def report_file(self, report: Report, kind: str, revision: int = 0) -> bytes:
        if self.shared_files is None:
            return self._render_file(report, kind, revision)
        key = (kind, report.seed, report.year, revision)
        if key not in self.shared_files:
            self.shared_files[key] = self._render_file(report, kind, revision)
        return self.shared_files[key]

    def _render_file(self, report: Report, kind: str, revision: int = 0) -> bytes:
        from crawler.sample_reports import render_docx, render_pdf

        kwargs = {
            "title": report.full_title,
            "agency": report.agency or "某单位",
            "year": report.year,
            "published": report.published,
        }
        if kind == "pdf":
            return render_pdf(self.cells(report, revision), **kwargs)
        return render_docx(self.cells(report, revision), **kwargs)

    def add_report(self, report: Report, number: int, page_path: str, style: str) -> str:
        """Add the report's resources; return the URL path the listing links to."""
        revision_source = {"report": report, "style": style}
        if report.form == "pdf":
            path = page_path.rsplit("/", 1)[0] + f"/P0{report.published.replace('-', '')}{number}.pdf"
            self.resources[path] = Resource(lambda: self.report_file(report, "pdf"), "application/pdf")
            self.resources[path].spec = {**revision_source, "file": "pdf"}
            return path
        if report.form in ("attachment", "letter", "docx"):
            file_path = f"/attach/0/{number}.docx"
            self.resources[file_path] = Resource(
                lambda: self.report_file(report, "docx"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
            self.resources[file_path].spec = {**revision_source, "file": "docx"}
            title = report.full_title
            if report.form == "letter":
                title = f"关于报送《{report.full_title}》的函"
                text = (
                    f"<p>市政务公开办：</p><p>现将《{html.escape(report.full_title)}》报送你办，请审阅。</p>"
                )
                link = f'<a href="{file_path}">{html.escape(report.full_title)}.docx</a>'
            else:
                text = f"<p>{html.escape(report.full_title)}全文及统计表见附件。</p>"
                link = f'<a href="{file_path}">附件：{html.escape(report.full_title)}.docx</a>'
            date = f'<meta name="PubDate" content="{report.published} 10:00">' if report.date_on_page else ""
            byline = f"<div>发布日期：{report.published}</div>" if report.date_on_page else ""
            self.resources[page_path] = Resource(
                _page(
                    self.portal,
                    title,
                    f'<h1>{html.escape(title)}</h1>{byline}<div id="zoom">{text}<p>{link}</p></div>',
                    f'<meta name="ArticleTitle" content="{html.escape(title)}">{date}',
                ),
                _content_type(self.portal),
            )
            return page_path
        self.resources[page_path] = Resource(
            lambda: self.report_page(report, style), _content_type(self.portal)
        )
        self.resources[page_path].spec = revision_source
        return page_path

    def listing_title(self, report: Report) -> str:
        if report.form == "letter":
            return f"关于报送《{report.full_title}》的函"
        return report.full_title

    def companion(self, title: str, path: str) -> None:
        self.resources[path] = Resource(
            _page(self.portal, title, f"<h1>{html.escape(title)}</h1><p>为便于公众理解……</p>"),
            _content_type(self.portal),
        )

    # --- families ------------------------------------------------------------------------

    def entries(self, article_path):
        """(title, path, listing date) for reports, companions and the off-site link, newest first."""
        out = []
        for n, report in enumerate(self.portal.reports):
            number = 1000 + n
            style = {"gkmlpt": "gkmlpt", "generic": "plain", "anhui": "plain"}.get(self.portal.family, "trs")
            if self.portal.family.startswith(("hanweb", "jpaas")):
                style = "hanweb"
            path = self.add_report(report, number, article_path(report.published, number), style)
            out.append((self.listing_title(report), path, report.published))
            if self.portal.wap_twins and path.endswith(".html"):
                twin = path[:-5] + "_wap.html"
                self.resources[twin] = self.resources[path]
                out.append((self.listing_title(report), twin, report.published))
        for n, title in enumerate(self.portal.companions):
            day = self.portal.reports[0].published if self.portal.reports else "2024-01-01"
            path = article_path(day, 5000 + n)
            self.companion(title, path)
            out.append((title, path, day))
        if self.portal.offsite_link:
            out.append(("别处县某局2023年政府信息公开工作年度报告", self.portal.offsite_link, "2024-01-20"))
        return out

    def build(self) -> dict[str, Resource]:
        family = self.portal.family
        getattr(self, "build_" + family.replace("-", "_"))()
        return self.resources

    def build_trs(self):
        root = "/zwgk/zfxxgknb"
        entries = self.entries(
            lambda day, n: f"{root}/{day[:7].replace('-', '')}/t{day.replace('-', '')}_{n}.html"
        )
        pages = _chunks(entries, self.portal.per_page)
        for i, chunk in enumerate(pages):
            items = "".join(
                f'<li><a href="{_rel(path, root)}" target="_blank" title="{html.escape(t)}">{html.escape(t)}</a>'
                f"<span>{day}</span></li>"
                for t, path, day in chunk
            )
            script = f'<script>createPageHTML({len(pages)}, {i}, "index", "html");</script>'
            name = "index.html" if i == 0 else f"index_{i}.html"
            self.resources[f"{root}/{name}"] = Resource(
                _page(self.portal, "政府信息公开年报", f'<ul class="list">{items}</ul>{script}'),
                _content_type(self.portal),
            )
        self.source_url = f"{root}/index.html"

    def _record(self, title, path, day) -> str:
        return (
            f'<li><a href="{path}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
            f"<span>{day}</span></li>"
        )

    def _article_hanweb(self, day: str, n: int) -> str:
        y, m, d = _ymd(day)
        return f"/art/{y}/{m}/{d}/art_{self.colid}_{n}.html"

    def _datastore(self, records, nextgroup: str = "", totals: str = "", wrapped: bool = True) -> str:
        recs = "".join(f"<record><![CDATA[{self._record(*r)}]]></record>" for r in records)
        if wrapped:
            recs = f"<recordset>{recs}</recordset>"
        group = f'<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>' if nextgroup else ""
        return f"<datastore>{totals}{group}{recs}</datastore>"

    def build_hanweb(self):
        entries = self.entries(self._article_hanweb)
        pages = _chunks(entries, self.portal.per_page)
        query = (
            f"appid=1&webid=1&path=/&columnid={self.colid}&unitid={self.unitid}"
            f"&webname=%E7%A4%BA%E8%8C%83&permissiontype=0"
        )
        proxy = "/module/jpage/dataproxy.jsp"
        totals = f"<totalrecord>{len(entries)}</totalrecord><totalpage>{len(pages)}</totalpage>"
        for i, chunk in enumerate(pages, start=1):  # page 1 repeats what the column page holds inline
            nxt = f"{proxy}?page={i + 1}&{query}" if i < len(pages) else ""
            xml = self._datastore(chunk, nxt, totals, wrapped=i % 2 == 0)
            key = request_key(f"{proxy}?page={i}&{query}")
            self.resources[key] = Resource(xml.encode("utf-8"), "text/xml; charset=utf-8")
        first = pages[0] if pages else []
        nxt = f"{proxy}?page=2&{query}" if len(pages) > 1 else ""
        inline = self._datastore(first, nxt, totals)
        body = f'<div id="{self.unitid}"><script type="text/xml">{inline}</script></div>'
        self.resources[f"/col/col{self.colid}/index.html"] = Resource(
            _page(self.portal, "政府信息公开年报", body), _content_type(self.portal)
        )
        self.source_url = f"/col/col{self.colid}/index.html"

    def build_hanweb_post(self):
        entries = self.entries(self._article_hanweb)
        first = entries[: self.portal.per_page]
        script = (
            f"<script>$('#{self.unitid}').jpage({{ totalRecord: {len(entries)}, perPage: {self.portal.per_page}, "
            f"proxyUrl: '/module/web/jpage/dataproxy.jsp', webid: 1, columnid: {self.colid}, "
            f"unitid: {self.unitid}, webname: '示范' }});</script>"
        )
        body = (
            f'<div id="{self.unitid}"><script type="text/xml">{self._datastore(first)}</script></div>{script}'
        )
        self.resources[f"/col/col{self.colid}/index.html"] = Resource(
            _page(self.portal, "政府信息公开年报", body), _content_type(self.portal)
        )
        self.post_records = entries  # answered by the server: startrecord..endrecord of the form's column
        self.source_url = f"/col/col{self.colid}/index.html"

    def post_answer(self, query: dict, form: dict) -> bytes | None:
        if str(form.get("columnid")) != str(self.colid):
            return None
        start, end = int(query.get("startrecord", 1)), int(query.get("endrecord", 1))
        chunk = self.post_records[start - 1 : end]
        totals = f"<totalrecord>{len(self.post_records)}</totalrecord>"
        return self._datastore(chunk, "", totals).encode("utf-8")

    def build_hanweb_module(self):
        area = f"00100800300{self.index:04d}"
        for report in self.portal.reports:
            key = request_key(f"/module/xxgk/xxgkAnnualReport.jsp?area={area}&fbtime={report.year}")
            self.resources[key] = Resource(lambda r=report: self.report_page(r, "hanweb"), HTML)
            self.resources[key].spec = {"report": report, "style": "hanweb"}
        year = max((r.year for r in self.portal.reports), default=2023)
        self.source_url = f"/module/xxgk/xxgkAnnualReport.jsp?area={area}&fbtime={year}"

    def build_gkmlpt(self):
        category = 2900 + self.index % 100
        entries = self.entries(lambda day, n: f"/gkmlpt/content/2/{category}/post_{n}.html")
        articles = []
        for title, path, day in entries:
            if path.startswith("http"):
                continue
            y, m, d = _ymd(day)
            epoch = int(datetime(y, m, d, 9, 30, tzinfo=timezone(timedelta(hours=8))).timestamp())
            articles.append(
                {
                    "id": path.rsplit("_", 1)[-1].split(".")[0],
                    "title": title,
                    "url": f"http://{self.portal.host}{path}",
                    "display_publish_time": epoch,
                    "create_time": epoch - 86400,
                    "publisher": "示范",
                }
            )
        per = self.portal.per_page
        for page in range(0, len(articles) // per + 2):
            chunk = articles[(page - 1) * per : page * per] if page >= 1 else []
            body = json.dumps({"total": len(articles), "articles": chunk}, ensure_ascii=False).encode("utf-8")
            key = request_key(f"/gkmlpt/api/all/{category}?page={page}&sid=755001")
            self.resources[key] = Resource(body, "application/json; charset=utf-8")
        script = "<script>window._CONFIG = { SID: '755001', TPL: 'gkmlpt' };</script>"
        self.resources["/gkmlpt/index"] = Resource(
            _page(self.portal, "政府信息公开", f'<div id="app"></div>{script}'), _content_type(self.portal)
        )
        self.source_url = f"/gkmlpt/index#{category}"

    def build_generic(self):
        root = "/xxgk/gknb"
        entries = self.entries(lambda day, n: f"{root}/content_{n}.html")
        pages = _chunks(entries, self.portal.per_page) or [[]]
        for i, chunk in enumerate(pages):
            rows = "".join(
                f'<tr><td><a href="{path}">{html.escape(t)}</a></td><td>{day}</td></tr>'
                for t, path, day in chunk
            )
            links = " ".join(
                f'<a href="list_{n + 1}.html">{n + 1}</a>' if n else '<a href="list.html">1</a>'
                for n in range(len(pages))
            )
            nxt = (
                f'<a href="list_{i + 2}.html">下一页</a> <a href="list_{len(pages)}.html">尾页</a>'
                if i + 1 < len(pages)
                else ""
            )
            name = "list.html" if i == 0 else f"list_{i + 1}.html"
            self.resources[f"{root}/{name}"] = Resource(
                _page(
                    self.portal,
                    "年报",
                    f'<table class="list">{rows}</table><div class="page">{links} {nxt}</div>',
                ),
                _content_type(self.portal),
            )
        self.source_url = f"{root}/list.html"


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), max(size, 1))]


def _rel(path: str, root: str) -> str:
    if path.startswith("http"):
        return path
    return "." + path[len(root) :] if path.startswith(root + "/") else path
