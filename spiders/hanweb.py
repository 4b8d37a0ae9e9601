"""Hanweb 大汉 JCMS (PORTALS.md §3).

- Column page `/col/col<ID>/index.html`. The first records sit in an inline
  `<script type="text/xml"><datastore>…</datastore></script>` inside `<div id="<unitid>">`; an HTML
  parser sees only script text, so the XML is cut out with a regex. Each `<record>` holds a CDATA
  HTML fragment (`<li><a href="/art/2024/1/23/art_<col>_<id>.html" title="…">…</a><span>2024-01-23</span></li>`);
  some sites omit the `<recordset>` wrapper.
- Later pages, two variants:
  GET  `…/module/jpage/dataproxy.jsp?page=<n>&appid=1&webid=…&columnid=…&unitid=…` (the `<nextgroup>` link;
       `<totalpage>` gives the page count), and
  POST `/module/web/jpage/dataproxy.jsp?startrecord=<a>&endrecord=<b>&perpage=<n>` with form fields
       `col=1&appid=1&webid=<w>&path=/&columnid=<ID>&sourceContentType=1&unitid=<u>&webname=<site>&permissiontype=0`
       when the page announces more records (`totalRecord`) than it holds and gives no nextgroup.
  Responses are the same `<datastore>` XML.
- Articles `/art/<YYYY>/<M>/<D>/art_<colid>_<docid>.html` (date in the URL, read by the parser).
- The annual-report module `/module/xxgk/xxgkAnnualReport.jsp?area=<code>&fbtime=<year>` renders one
  report per (agency, year): the page itself is the report; an empty page means none.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from crawler.families.base import PortalSpider, anchors, first_match
from crawler.families.titles import nfkc
from crawler.parse.meta import parse_date_text

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")
_POST_PROXY = "/module/web/jpage/dataproxy.jsp"


class HanwebSpider(PortalSpider):
    name = "hanweb"
    family = "hanweb"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return bool(
            re.search(r"/col/col\d+/", url)
            or "xxgkAnnualReport.jsp" in url
            or "<datastore>" in text
            or "dataproxy.jsp" in text
        )

    def hanweb_start(self, response, source):
        if "xxgkannualreport.jsp" in response.url.lower():
            yield from self.page_as_report(response, source)
            return
        text = response.text
        stores = _DATASTORE.findall(text)
        if not stores:
            yield from anchors(response, response.url)
            return
        inline = 0
        for store in stores:
            records = list(self.records(store, response.url))
            inline += len(records)
            yield from records
            yield from self.next_pages(store, response, source)
        if not any(_NEXTGROUP.search(s) and "dataproxy" in s for s in stores):
            yield from self.post_pages(text, inline, response, source)

    def hanweb_proxy(self, response, source):
        for store in _DATASTORE.findall(response.text):
            yield from self.records(store, response.url)
            yield from self.next_pages(store, response, source)

    def records(self, store: str, base_url: str):
        for fragment in _RECORD.findall(store):
            for link in anchors(Selector(text=fragment), base_url):
                if not link.listing_date:
                    link.listing_date = parse_date_text(
                        nfkc(re.sub(r"<[^>]+>", " ", fragment)).replace(link.title, "")
                    )
                yield link

    def next_pages(self, store: str, response, source):
        """The GET variant: the nextgroup link, and every page up to <totalpage> from it as template."""
        group = _NEXTGROUP.search(store)
        href = _HREF.search(group.group(1)) if group else None
        if not href or "dataproxy" not in href.group(1):
            return
        template = response.urljoin(href.group(1).replace("&amp;", "&"))
        yield self.listing_request(template, source, "hanweb_proxy")
        total = first_match(r"<totalpage>\s*(\d+)\s*</totalpage>", store)
        if total and "page=" in template:
            for n in range(1, min(int(total), 500) + 1):
                yield self.listing_request(_with_query(template, page=str(n)), source, "hanweb_proxy")

    def post_pages(self, text: str, inline: int, response, source):
        """The POST variant: ask for record ranges after those the page holds."""
        total = first_match(r"totalRecord\s*[:=]\s*['\"]?(\d+)", text) or first_match(
            r"<totalrecord>\s*(\d+)", text
        )
        columnid = first_match(r"/col/col(\d+)/", response.url) or first_match(
            r"columnid\s*[:=]\s*['\"]?(\d+)", text
        )
        if not total or not columnid or int(total) <= inline:
            return
        perpage = int(first_match(r"perPage\s*[:=]\s*['\"]?(\d+)", text) or 15)
        group = inline or perpage * 3
        form = {
            "col": "1",
            "appid": "1",
            "webid": first_match(r"webid\s*[:=]\s*['\"]?(\d+)", text) or "1",
            "path": "/",
            "columnid": columnid,
            "sourceContentType": "1",
            "unitid": first_match(r"unitid\s*[:=]\s*['\"]?(\d+)", text)
            or first_match(r"<div id=['\"]?(\d+)['\"]?>\s*<script type=['\"]text/xml", text)
            or "",
            "webname": first_match(r"webname\s*[:=]\s*['\"]([^'\"]*)", text) or "",
            "permissiontype": "0",
        }
        body = urlencode(form)
        for start in range(inline + 1, int(total) + 1, group):
            end = min(start + group - 1, int(total))
            url = response.urljoin(f"{_POST_PROXY}?startrecord={start}&endrecord={end}&perpage={perpage}")
            yield self.listing_request(
                url,
                source,
                "hanweb_proxy",
                method="POST",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )


def _with_query(url: str, **values: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(values)
    return urlunsplit(parts._replace(query=urlencode(query)))
