"""The generic family: any listing whose CMS is not recognised (PORTALS.md §3, pagination shapes).

Every link is a candidate (the base keeps those whose title names a report). Pagination is followed
by shape: links whose text is 下一页 / 下页 / 尾页 / 末页 / > / », numbered page links, and hrefs
like `index_N.html`, `page_N.html`, `column-index-N.shtml`, `/N.html`, `t_N.html`, or a query
`page= / pageNo= / pageNum= / currPage= / PageIndex= / cpage=`. Pages stay on the source's host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.families.base import PortalSpider, anchors
from crawler.families.titles import nfkc, title_kind

_NEXT_WORDS = {"下一页", "下页", "尾页", "末页", "后页", ">", ">>", "»", "›"}
_PAGE_HREF = re.compile(
    r"/(?:index_\d+|page_\d+|list_\d+|column-index-\d+|\d{1,3}|t_\d+)\.s?html?$"
    r"|[?&](?:page|pageno|pagenum|currpage|pageindex|cpage|p)=\d+",
    re.IGNORECASE,
)


class GenericSpider(PortalSpider):
    name = "generic"
    family = "generic"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return True

    def generic_start(self, response, source):
        yield from self.generic_page(response, source)

    def generic_page(self, response, source):
        for link in anchors(response, response.url):
            if title_kind(link.title) != "other":
                yield link  # a report (or companion) link is never a page of the listing
                continue
            text = nfkc(link.title).replace(" ", "")
            looks_like_page = (
                text in _NEXT_WORDS or (text.isdigit() and len(text) <= 3) or _PAGE_HREF.search(link.url)
            )
            if looks_like_page and _same_column(link.url, source.fetch_url):
                yield self.listing_request(link.url, source, "generic_page")


def _same_column(url: str, listing_url: str) -> bool:
    """Pages of this listing live in its folder; other columns' pages are not followed."""
    column = urlsplit(listing_url).path.rsplit("/", 1)[0] + "/"
    return urlsplit(url).path.startswith(column)
