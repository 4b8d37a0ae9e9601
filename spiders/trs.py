"""TRS-style static sites (PORTALS.md §3), the most common family.

Listing: `…/<column>/index.html` (or .shtml/.htm), then `index_1.html` … `index_{N-1}.html`, where N
is the first argument of the inline `createPageHTML(<countPage>, <current>, "index", "html")`.
Article links are relative to the listing: `./<YYYYMM>/t<YYYYMMDD>_<docid>.(html|shtml|htm)` ("t-date")
or `t<docid>.shtml` ("t-id"); the date printed in the same `<li>`/`<dl>`/`<tr>` is the listing date.
Article pages carry `<meta name="PubDate">` and `ArticleTitle`, which the parser reads.
"""

from __future__ import annotations

import re

from crawler.families.base import PortalSpider, anchors

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*(?:,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"])?"
)
_T_DATE_LINK = re.compile(r"""href=["']\.?/?\d{6}/t\d{8}_\d+""")
_INDEX_NAME = re.compile(r"/(index)(?:_\d+)?\.(s?html?)$")


class TrsSpider(PortalSpider):
    name = "trs"
    family = "trs"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return "createPageHTML" in text or bool(_T_DATE_LINK.search(text))

    def trs_start(self, response, source):
        yield from self.trs_page(response, source)
        match = _CREATE_PAGE.search(response.text)
        if not match:
            return
        count = int(match.group(1))
        prefix = match.group(3) or "index"
        suffix = match.group(4) or self._suffix(response.url)
        for n in range(1, count):
            yield self.listing_request(response.urljoin(f"{prefix}_{n}.{suffix}"), source, "trs_page")

    def trs_page(self, response, source):
        yield from anchors(response, response.url)

    @staticmethod
    def _suffix(url: str) -> str:
        match = _INDEX_NAME.search(url.split("?", 1)[0])
        return match.group(2) if match else "html"
