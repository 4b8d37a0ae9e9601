"""Guangdong gkmlpt 政府信息公开目录管理平台 (PORTALS.md §3).

- The registry source is the platform page with the category id in the fragment:
  `[/<dept>]/gkmlpt/index#<category_id>`. The page script holds `SID: '<digits>'`.
- List API: `GET [/<dept>]/gkmlpt/api/all/<category_id>?page=<n>&sid=<SID>` returns JSON
  `{"total": …, "articles": [{"id", "title", "url" | "post_url", "display_publish_time", "create_time", …}]}`,
  about 100 per page; pages = total // 100 + 1. Some sites count from page=0, so page 0 is probed too.
- Articles `…/gkmlpt/content/<a>/<b>/post_<id>.html` carry no date in the URL: the API's
  `display_publish_time` (epoch seconds or a date string) is the publish date, `published_from: meta`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from crawler.families.base import Candidate, PortalSpider, anchors, first_match, parse_json
from crawler.families.titles import nfkc
from crawler.parse.meta import parse_date_text

PAGE_SIZE = 100
_CHINA = timedelta(hours=8)


class GkmlptSpider(PortalSpider):
    name = "gkmlpt"
    family = "gkmlpt"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return "/gkmlpt/" in url or bool(re.search(r"\bSID\s*:\s*['\"]?\d", text))

    def gkmlpt_start(self, response, source):
        sid = first_match(r"\bSID\s*:\s*['\"]?(\d+)", response.text)
        category = source.fragment if source.fragment.isdigit() else None
        if not sid or not category:
            self.logger.warning("%s: no SID or no #category id; reading the page's links only", source.url)
            yield from anchors(response, response.url)
            return
        api = self.api_url(response.url, category, sid)
        for page in (1, 0):  # page 0 probes sites that count from zero
            yield self.listing_request(
                api(page), source, "gkmlpt_api", cb_kwargs={"api": api, "first": page == 1}
            )

    @staticmethod
    def api_url(page_url: str, category: str, sid: str):
        root = page_url.split("/gkmlpt/", 1)[0] if "/gkmlpt/" in page_url else page_url.rsplit("/", 1)[0]
        return lambda page: f"{root}/gkmlpt/api/all/{category}?page={page}&sid={sid}"

    def gkmlpt_api(self, response, source, api=None, first=False):
        data = parse_json(response)
        if not isinstance(data, dict):
            return
        for article in data.get("articles") or []:
            url = article.get("url") or article.get("post_url")
            if not url:
                continue
            published = api_date(article.get("display_publish_time"))
            yield Candidate(
                url=response.urljoin(url),
                title=nfkc(article.get("title")),
                listing_date=published or api_date(article.get("create_time")),
                published=published,
                published_from="meta" if published else None,
            )
        if first and api is not None:
            total = int(data.get("total") or 0)
            for page in range(2, total // PAGE_SIZE + 2):
                yield self.listing_request(
                    api(page), source, "gkmlpt_api", cb_kwargs={"api": api, "first": False}
                )


def api_date(value) -> str | None:
    """`display_publish_time` as ISO date: epoch seconds (China time) or a date string."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        seconds = int(value) / (1000 if int(value) > 10**11 else 1)
        return (datetime.fromtimestamp(seconds, UTC) + _CHINA).date().isoformat()
    return parse_date_text(str(value))
