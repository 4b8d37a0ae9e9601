"""Jiangsu 集约化 "jpaas" sites (e.g. 泰州; PORTALS.md §3).

- The column page embeds its list unit as an attribute `queryData="{…}"` (HTML-escaped JSON, on some
  sites single-quoted): `{"webId", "pageId", "tplSetId", "pageType": "column", "tagId", "editType"}`.
  The visible list is rendered by script, so the page itself may hold no report link.
- Pages come from `GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic
  &webId=…&tplSetId=…&pageType=column&tagId=…&editType=null&pageId=…&paramJson={"pageNo":n,"pageSize":rows}`.
- The answer is JSON `{"success": true, "data": {"html": "…"}}`; `data.html` holds `<li class="clearfix">`
  items (`<a href="/art/2024/1/20/art_<col>_<id>.html" title="…">…</a><span>2024-01-20</span>`) and
  `<div class="pagination" rows="<page size>" count="<records>">`: pages = ceil(count / rows).
- Articles `/art/<YYYY>/<M>/<D>/art_<col>_<id>.html` (date in the path); body `.wzzw-article`.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlencode

from parsel import Selector

from crawler.families.base import PortalSpider, anchors, parse_json

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_SIZE = 20
_QUERY_DATA = re.compile(r"""queryData\s*=\s*(["'])(\{.*?\})\1""", re.I | re.S)
_UNIT_KEYS = ("webId", "tplSetId", "pageType", "tagId", "editType", "pageId")


class JpaasSpider(PortalSpider):
    name = "jpaas"
    family = "jpaas"

    @staticmethod
    def recognises(url: str, text: str) -> bool:
        return "jpaas" in text and "querydata=" in text.lower()

    def jpaas_start(self, response, source):
        yield from anchors(response, response.url)  # a static first page, where the site renders one
        for unit in query_units(response.text):
            api = self.jpaas_api_url(response, unit)
            yield self.listing_request(api(1), source, "jpaas_api", cb_kwargs={"api": api, "first": True})

    @staticmethod
    def jpaas_api_url(response, unit: dict):
        query = {"parseType": "bulidstatic", **{k: str(unit.get(k, "")) for k in _UNIT_KEYS}}
        query["pageType"] = query["pageType"] or "column"
        query["editType"] = query["editType"] or "null"
        size = int(unit.get("pageSize") or PAGE_SIZE)

        def page(n: int) -> str:
            param = json.dumps({"pageNo": n, "pageSize": size}, separators=(",", ":"))
            return response.urljoin(f"{API_PATH}?{urlencode({**query, 'paramJson': param})}")

        return page

    def jpaas_api(self, response, source, api=None, first=False):
        data = parse_json(response)
        fragment = (data.get("data") or {}).get("html") if isinstance(data, dict) else None
        if not fragment:
            return
        page = Selector(text=fragment)
        items = page.css("li.clearfix") or [page]
        for item in items:
            yield from anchors(item, response.url)
        if first and api is not None:
            for n in range(2, page_count(page) + 1):
                yield self.listing_request(api(n), source, "jpaas_api", cb_kwargs={"api": api})


def query_units(text: str) -> list[dict]:
    """Every list unit's queryData on the page, decoded (HTML entities, then JSON or single quotes)."""
    units = []
    for _, raw in _QUERY_DATA.findall(text):
        raw = html.unescape(raw)
        for candidate in (raw, raw.replace("'", '"')):
            try:
                unit = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(unit, dict) and unit.get("pageId"):
                units.append(unit)
            break
    return units


def page_count(page: Selector) -> int:
    """`<div class="pagination" rows="20" count="45">` → 3."""
    box = page.css("div.pagination")
    if not box:
        return 1
    try:
        rows = int(box[0].attrib.get("rows") or 0)
        count = int(box[0].attrib.get("count") or 0)
    except ValueError:
        return 1
    return max(1, -(-count // rows)) if rows > 0 else 1
