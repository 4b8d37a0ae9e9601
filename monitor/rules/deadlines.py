"""Deadlines (条例 第四十九条; DEADLINES.md): `late` and `missing`."""

from __future__ import annotations

from monitor.deadlines import (
    STRONG_EVIDENCE,
    days_late,
    deadline_for,
    parse_evidence_date,
    parse_timestamp,
)
from monitor.findings import Finding
from monitor.registry import rule

# A URL date this long after other evidence of the same report is a CMS migration, not a publication.
MIGRATION_DAYS = 60


def publication_evidence(report):
    """The date to judge the report by, and the other dates kept as evidence.

    The parser's `published` (priority meta > byline > url > signature) is used, except that a URL
    date far later than a signature/byline date found on the same page is taken as a migration."""
    best = parse_evidence_date(report.published, report.published_from)
    others = []
    for item in report.dates or []:
        found = parse_evidence_date(item.get("date"), item.get("from"))
        if found and (not best or found.text != best.text or found.source != best.source):
            others.append(found)
    if best and best.source == "url":
        earlier = [o for o in others if not o.month_only and o.source != "url" and o.day < best.day]
        if earlier and (best.day - min(o.day for o in earlier)).days > MIGRATION_DAYS:
            best = min(earlier, key=lambda o: o.day)
    return best, others


def judge_late(report, agency, year: int):
    """None when on time or not judgeable; else (evidence date, deadline, days late)."""
    deadline = deadline_for(agency, year)
    first_seen = parse_timestamp(report.first_seen)
    if first_seen and first_seen <= deadline:
        return None  # we held it before the deadline: whatever the page says, it was out in time
    best, _ = publication_evidence(report)
    if best is None:
        return None  # no date: cannot say
    if best.month_only:
        # The day is unknown: late only if the whole month lies after the deadline.
        return (best, deadline, days_late(best.day, deadline)) if best.day > deadline else None
    if best.day <= deadline:
        return None
    if best.source == "url" and best.day.year > year + 1:
        return None  # a URL dated after the whole publication year: a re-post or migration
    return best, deadline, days_late(best.day, deadline)


@rule("late", severity="error")
def late(db, ctx):
    """报告在法定期限之后才公开（部门、乡镇1月31日，本级政府3月31日；期限当天公开不算逾期）。
    仅有网址或落款日期为证时为“警告”；乡镇（街道）逾期为“警告”。
    Published after the deadline (01-31 departments and townships, 03-31 government-level reports; the
    deadline day itself is on time). Only a URL or signature date as evidence, or a township: warning."""
    for agency in ctx.agencies():
        reports = ctx.reports_of(agency.id)
        if not reports:
            continue
        verdicts = [(r, judge_late(r, agency, ctx.year)) for r in reports]
        if any(v is None for _, v in verdicts):
            continue  # some copy of the report was out in time
        report, (best, deadline, days) = min(verdicts, key=lambda rv: rv[1][0].day)
        weak = best.source not in STRONG_EVIDENCE
        severity = "warning" if weak or agency.kind == "township" or best.month_only else "error"
        _, others = publication_evidence(report)
        when = f"{best.day:%Y-%m}月（仅知月份）" if best.month_only else best.day.isoformat()
        yield Finding(
            agency_id=agency.id,
            year=ctx.year,
            subject="report",
            severity=severity,
            message=(
                f"{agency.name} {ctx.year}年度报告 {when} 才公开（依据：{best.source or '未知'}），"
                f"晚于法定期限 {deadline.isoformat()} {days}天。"
            ),
            evidence={
                "published": best.text,
                "published_from": best.source,
                "month_only": best.month_only,
                "deadline": deadline.isoformat(),
                "days_late": days,
                "first_seen": report.first_seen,
                "other_dates": [{"date": o.text, "from": o.source} for o in others],
            },
            report_id=report.id,
            report_url=report.url,
        )


@rule("missing", severity="error")
def missing(db, ctx):
    """期限已过仍未找到该机关本年度的报告。其信息源抓取失败或期限后尚未抓取时不报“缺失”（见“无法访问”）。
    No report found for the year although the deadline has passed. Never raised while one of the
    agency's sources is failing (that is `unreachable`), or has not been crawled since the deadline."""
    for agency in ctx.agencies():
        if ctx.reports_of(agency.id):
            continue
        deadline = deadline_for(agency, ctx.year)
        if ctx.today <= deadline:
            continue
        if any(s.failing or not s.last_crawled for s in agency.sources):
            continue
        if any(s.last_crawled[:10] <= deadline.isoformat() for s in agency.sources):
            continue  # not looked at since the deadline: a report published since could not be seen
        checked = [{"url": s.url, "last_crawled": s.last_crawled} for s in agency.sources]
        where = "已检查其登记的信息源" if checked else "该机关未登记信息源，也未手工录入"
        yield Finding(
            agency_id=agency.id,
            year=ctx.year,
            subject="report",
            severity="warning" if agency.kind == "township" else "error",
            message=(
                f"{agency.name} {ctx.year}年度报告应于 {deadline.isoformat()} 前公开，"
                f"截至 {ctx.today.isoformat()} 仍未找到（{where}）。"
            ),
            evidence={"deadline": deadline.isoformat(), "today": ctx.today.isoformat(), "sources": checked},
        )
