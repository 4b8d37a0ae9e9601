"""Across consecutive years of one agency (FORMATS.md §8b): `inconsistent.carryover`."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.findings import Finding
from monitor.labels import column_label, number
from monitor.registry import rule
from monitor.rules.arithmetic import COLUMNS, EPSILON


def carryover_pairs(ctx, report) -> Iterator[tuple[str, float | None, float | None]]:
    """(column, this year's 上年结转, last year's 结转下年度) for every column; nothing in the first
    stored year. Valid across the 2020→2021 format change: these rows did not change."""
    before = ctx.previous(report)
    if before is None or before.format not in ("2019", "2021") or report.format not in ("2019", "2021"):
        return
    for col in COLUMNS:
        yield (
            col,
            report.cell("requests", f"carried_over.{col}"),
            before.cell("requests", f"carried_forward.{col}"),
        )


@rule("inconsistent.carryover", severity="error")
def carryover(db, ctx):
    """本年“二、上年结转”应等于同一机关上一年度报告的“四、结转下年度继续办理”（逐列比较；2020→2021格式变更时同样适用）。
    This year's carried_over must equal last year's carried_forward, column by column (same agency;
    valid across the 2020→2021 format change; skipped in the agency's first stored year)."""
    for report in ctx.reports():
        before = ctx.previous(report)
        for col, now, then in carryover_pairs(ctx, report):
            if now is None or then is None or abs(now - then) < EPSILON:
                continue
            yield Finding(
                agency_id=report.agency_id,
                year=report.year,
                subject=f"requests.{col}",
                message=(
                    f"{ctx.name_of(report)} {report.year}年度报告表二“{column_label('requests', col)}”列"
                    f"上年结转为 {number(now)}，但 {before.year}年度报告的结转下年度继续办理为 {number(then)}；两者应相等。"
                ),
                evidence={
                    "column": col,
                    "carried_over": now,
                    "previous_carried_forward": then,
                    "previous_report_id": before.id,
                    "previous_report_url": before.url,
                    "previous_year": before.year,
                },
                report_id=report.id,
                report_url=report.url,
            )
