"""Silent revisions: `revised`."""

from __future__ import annotations

from monitor.findings import Finding
from monitor.labels import number
from monitor.load import load_version_json
from monitor.registry import rule

MAX_LISTED_CELLS = 30


def changed_cells(old: dict, new: dict) -> dict:
    changes = {}
    for table in ("active", "requests", "appeals"):
        before, after = old.get(table) or {}, new.get(table) or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes[f"{table}.{key}"] = [before.get(key), after.get(key)]
    return changes


@rule("revised", severity="info")
def revised(db, ctx):
    """报告首次抓取后内容又被修改（保存了多个版本）；证据列出新旧版本的哈希、时间和改动的单元格。
    The report changed after it was first captured (several stored versions); the evidence gives
    the old and new sha256, when each was seen, and which cells changed. Cells changed: warning."""
    for report in ctx.reports():
        if len(report.versions) < 2:
            continue
        first, last = report.versions[0], report.versions[-1]
        previous = report.versions[-2]
        changes = changed_cells(
            load_version_json(db, report.id, previous.version), load_version_json(db, report.id, last.version)
        )
        listed = dict(list(changes.items())[:MAX_LISTED_CELLS])
        what = (
            "，改动的单元格："
            + "；".join(f"{k} {number(a)}→{number(b)}" for k, (a, b) in list(listed.items())[:5])
            + ("等" if len(changes) > 5 else "")
            if changes
            else "（统计表未变，正文或文件有改动）"
        )
        yield Finding(
            agency_id=report.agency_id,
            year=report.year,
            subject="report" + ("" if report.agency_id else f"@{report.id}"),
            severity="warning" if changes else None,
            message=(
                f"{ctx.name_of(report)} {report.year}年度报告在首次抓取（{first.first_seen}）后被修改，"
                f"现为第{last.version}版（{last.first_seen}）{what}。"
            ),
            evidence={
                "versions": [
                    {"version": v.version, "sha256": v.sha256, "first_seen": v.first_seen}
                    for v in report.versions
                ],
                "old_sha256": previous.sha256,
                "new_sha256": last.sha256,
                "changed_cells": listed,
                "changed_cell_count": len(changes),
            },
            report_id=report.id,
            report_url=report.url,
        )
