"""Anhui 政务公开 platform (PORTALS.md §3).

- Lists: `/openness/OpennessContent/showList/<col>/<dept>/page_<n>.html`, n from 1. Each row is
  `<li><a href="…" title="…">…</a><span class="date">2024-01-20</span></li>`; the pagination box says
  `共N页` and links `page_<n>.html` (首页 / 下一页 / 尾页), so the count comes from `共N页`, else the
  largest `page_<n>` link.
- Articles: `/OpennessContent/show/<id>.html`, and the report controllers `/XxgkAnnualReport/show/<id>.html`
  and `/Xxgknb/show/<id>.html`. No date in the URL: the page's byline gives it.
- Some county sites sit behind a JS cookie challenge (PORTALS.md §7): the base reports it as blocked.
"""

from __future__ import annotations

import re

from crawler.families.base import PortalSpider, anchors
from crawler.families.titles import nfkc

_PAGE = re.compile(r"page_(\d+)\.html", re.I)
_TOTAL = re.compile(r"共\s*(\d+)\s*页")


class AnhuiSpider(PortalSpider):
    name = "anhui"
    family = "anhui"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return "/OpennessContent/showList/" in url or "OpennessContent/show" in text

    def anhui_start(self, response, source):
        yield from self.anhui_page(response, source)
        path = response.url.split("?", 1)[0]
        base = path.rsplit("/", 1)[0] if _PAGE.search(path.rsplit("/", 1)[-1]) else path.rstrip("/")
        for n in range(2, list_pages(response) + 1):
            yield self.listing_request(f"{base}/page_{n}.html", source, "anhui_page")

    def anhui_page(self, response, source):
        yield from anchors(response, response.url)


def list_pages(response) -> int:
    """The page count: `共N页` in the pagination box, else the largest page_<n> link."""
    text = nfkc(" ".join(response.xpath("//body//text()").getall()))
    total = _TOTAL.search(text)
    if total:
        return int(total.group(1))
    numbers = [int(m) for href in response.xpath("//a/@href").getall() for m in _PAGE.findall(href)]
    return max(numbers, default=1)
