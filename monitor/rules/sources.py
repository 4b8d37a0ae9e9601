"""Source health: `unreachable`."""

from __future__ import annotations

from monitor.findings import Finding
from monitor.registry import rule

STATUS_WORDS = {"unreachable": "无法连接", "blocked": "拒绝访问", "not_found": "页面不存在"}


@rule("unreachable", severity="warning")
def unreachable(db, ctx):
    """信息源最近一次抓取失败（无法连接、被拦截或已不存在），该机关本年度报告无法判断是否缺失。
    A source of the agency failed at its last crawl (down, blocked, gone) and no report of the year
    is stored, so the agency cannot be judged. One finding per failing source."""
    for agency in ctx.agencies():
        if ctx.reports_of(agency.id):
            continue
        for source in agency.sources:
            if not source.failing:
                continue
            yield Finding(
                agency_id=agency.id,
                year=ctx.year,
                subject=source.url,
                message=(
                    f"{agency.name} 的信息源 {source.url} {STATUS_WORDS[source.status]}"
                    f"（{source.last_crawled or '时间不详'}：{source.detail or source.status}），"
                    f"无法判断其 {ctx.year}年度报告是否已公开；请核实网址或手工录入报告。"
                ),
                evidence={
                    "url": source.url,
                    "status": source.status,
                    "detail": source.detail,
                    "last_crawled": source.last_crawled,
                    "last_ok": source.last_ok,
                },
                report_url=source.url,
            )
