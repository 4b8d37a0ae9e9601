"""Farm sites of the provincial platforms (PORTALS.md §3): Jiangsu 集约化 jpaas and Anhui 政务公开.

`RegionalSiteBuilder` is the farm's SiteBuilder plus `build_jpaas` / `build_anhui`, which fill
`self.resources` like the other families.
The jpaas list API takes its paging in a JSON query parameter, so it is answered by a function
(`self.dynamic[path](query)`) that returns one cached Resource per (page, page size).
"""

from __future__ import annotations

import html
import json

from crawler.portalfarm.site import Resource, SiteBuilder
from crawler.portalfarm.site import _chunks as chunks
from crawler.portalfarm.site import _content_type as content_type
from crawler.portalfarm.site import _page as page
from crawler.portalfarm.site import _ymd as ymd

JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ANHUI_CONTROLLERS = ("OpennessContent", "XxgkAnnualReport", "Xxgknb")


class RegionalSiteBuilder(SiteBuilder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dynamic: dict = {}  # URL path -> answer(query dict) -> Resource | None

    # --- Jiangsu 集约化 jpaas --------------------------------------------------------------

    def build_jpaas(self):
        def article(day, n):
            y, m, d = ymd(day)
            return f"/art/{y}/{m}/{d}/art_{self.colid}_{n}.html"

        self.jpaas_entries = self.entries(article)
        self.jpaas_unit = {
            "webId": str(60 + self.index),
            "tplSetId": f"tpl{self.colid}",
            "pageType": "column",
            "tagId": "信息列表",
            "editType": "null",
            "pageId": str(self.colid),
        }
        query_data = html.escape(json.dumps(self.jpaas_unit, ensure_ascii=False), quote=True)
        body = (
            f'<div class="wzzw-list"><div id="unit_list" class="jpaas-unit" queryData="{query_data}"></div></div>'
            '<script src="/jpaas-publish-server/static/js/jpaas-front.js"></script>'
            f"<script>jpaasUnit.load('{JPAAS_API}', '#unit_list');</script>"
        )
        path = f"/col/col{self.colid}/index.html"
        self.resources[path] = Resource(
            page(self.portal, "政府信息公开年报", body), content_type(self.portal)
        )
        self.dynamic[JPAAS_API] = self.jpaas_answer
        self.jpaas_pages: dict[tuple[int, int], Resource] = {}
        self.source_url = path

    def jpaas_answer(self, query: dict) -> Resource | None:
        """The list unit's page `paramJson.pageNo`; the server caps the page size at the portal's."""
        unit = self.jpaas_unit
        if query.get("parseType") != "bulidstatic" or any(query.get(k) != v for k, v in unit.items()):
            return None
        try:
            param = json.loads(query.get("paramJson") or "{}")
            number, size = int(param.get("pageNo", 1)), int(param.get("pageSize", 10))
        except (ValueError, AttributeError):
            return None
        rows = max(1, min(size, self.portal.per_page))
        if (number, rows) not in self.jpaas_pages:
            entries = self.jpaas_entries
            chunk = entries[(number - 1) * rows : number * rows] if number >= 1 else []
            items = "".join(
                f'<li class="clearfix"><a href="{path}" target="_blank" title="{html.escape(t)}">'
                f"{html.escape(t)}</a><span>{day}</span></li>"
                for t, path, day in chunk
            )
            fragment = (
                f'<ul class="wzzw-list-ul">{items}</ul>'
                f'<div class="pagination" rows="{rows}" count="{len(entries)}" pageno="{number}">'
                '<a href="javascript:;" class="next">下一页</a></div>'
            )
            answer = {"success": True, "code": 200, "data": {"html": fragment}}
            body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.jpaas_pages[number, rows] = Resource(body, "application/json; charset=utf-8")
        return self.jpaas_pages[number, rows]

    # --- Anhui 政务公开 --------------------------------------------------------------------

    def build_anhui(self):
        def article(day, n):
            controller = ANHUI_CONTROLLERS[n % len(ANHUI_CONTROLLERS)]
            return f"/{controller}/show/{n * 7919 + self.index}.html"

        entries = self.entries(article)
        root = f"/openness/OpennessContent/showList/{12 + self.index % 7}/{9000 + self.index}"
        pages = chunks(entries, self.portal.per_page) or [[]]
        for i, chunk in enumerate(pages, start=1):
            rows = "".join(
                f'<li><a class="title" href="{path}" target="_blank" title="{html.escape(t)}">'
                f'{html.escape(t)}</a><span class="date">{day}</span></li>'
                for t, path, day in chunk
            )
            links = (
                '<a href="page_1.html">首页</a>'
                + (f'<a href="page_{i - 1}.html">上一页</a>' if i > 1 else "")
                + (f'<a href="page_{i + 1}.html">下一页</a>' if i < len(pages) else "")
                + f'<a href="page_{len(pages)}.html">尾页</a>'
            )
            box = f'<div class="pagination">{links}<span>共{len(pages)}页 {len(entries)}条</span></div>'
            body = f'<div class="xxgk_list"><ul class="clearfix xxgk_nav_list">{rows}</ul>{box}</div>'
            self.resources[f"{root}/page_{i}.html"] = Resource(
                page(self.portal, "政府信息公开年报", body), content_type(self.portal)
            )
        self.source_url = f"{root}/page_1.html"
