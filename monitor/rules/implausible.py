"""Values far outside what an agency of this kind reports (FORMATS.md §8b–8c): `implausible`.

One rule code with several checks; each finding's subject names the check. Severity is `warning`,
except appeals without any application (possible: cases come from earlier years), which is `info`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from monitor.context import DECISION_KEYS
from monitor.findings import Finding, report_finding
from monitor.labels import cell_label, number
from monitor.registry import rule

ITEM_ROWS_2019 = ("licensing", "other_services", "penalty", "enforcement", "fees")
STOCK_ROWS_2021 = ("rules", "normative_docs")
KIND_NAMES = {"township": "乡镇、街道", "department": "政府部门", "government": "本级政府"}
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
YUAN_IN_PROSE = re.compile(r"(\d+(?:\.\d+)?)元")


def government_level(agency) -> str | None:
    """province | city | county from the registry region path (河北省/承德市/平泉市), or None."""
    if agency is None or not agency.region:
        return None
    parts = [p for p in re.split(r"[/／]", agency.region) if p.strip()]
    depth = len(parts) + (1 if parts and parts[0] in MUNICIPALITIES else 0)
    return {1: "province", 2: "city"}.get(depth, "county" if depth >= 3 else None)


def _listing(table: str, cells: dict) -> str:
    return ", ".join(f"{cell_label(table, k)} {number(v)}" for k, v in cells.items())


def _far(actual, expected, absolute, relative) -> bool:
    return abs(actual - expected) > max(absolute, relative * abs(expected))


def cross_year(ctx, report) -> Iterator[Finding]:
    before = ctx.previous(report)
    if before is None or before.format != report.format:
        return  # never compare a 2019-format table 1 with a 2021-format one (FORMATS.md §6)
    tol = ctx.tolerances
    if report.format == "2019":
        for row in ITEM_ROWS_2019:
            now = report.cell("active", f"{row}.prev_items")
            prev, change = before.cell("active", f"{row}.prev_items"), before.cell("active", f"{row}.change")
            if None in (now, prev, change) or not _far(now, prev + change, tol.items_abs, tol.items_rel):
                continue
            yield report_finding(
                ctx, report, f"crossyear.{row}",
                f"表一“{cell_label('active', row + '.prev_items')}”为 {number(now)}，而 {before.year}年度报告"
                f"上一年项目数量 {number(prev)} + 本年增/减 {number(change)} = {number(prev + change)}；相差过大，请核对。",
                {"cells": {f"{row}.prev_items": now}, "previous": {f"{row}.prev_items": prev, f"{row}.change": change},
                 "previous_report_id": before.id, "expected": prev + change},
            )  # fmt: skip
    elif report.format == "2021":
        for row in STOCK_ROWS_2021:
            now = report.cell("active", f"{row}.in_force")
            issued, repealed = (
                report.cell("active", f"{row}.issued"),
                report.cell("active", f"{row}.repealed"),
            )
            prev = before.cell("active", f"{row}.in_force")
            if None in (now, issued, repealed, prev):
                continue
            expected = prev + issued - repealed
            if not _far(now, expected, tol.in_force_abs, tol.in_force_rel):
                continue
            yield report_finding(
                ctx, report, f"crossyear.{row}",
                f"表一“{cell_label('active', row + '.in_force')}”为 {number(now)}，而上年现行有效 {number(prev)}"
                f" + 本年制发 {number(issued)} − 本年废止 {number(repealed)} = {number(expected)}；相差过大，请核对。",
                {"cells": {f"{row}.in_force": now, f"{row}.issued": issued, f"{row}.repealed": repealed},
                 "previous": {f"{row}.in_force": prev}, "previous_report_id": before.id, "expected": expected},
            )  # fmt: skip


def within_year(ctx, report) -> Iterator[Finding]:
    agency = ctx.agency(report.agency_id)
    kind = agency.kind if agency else None
    active = report.tables.get("active", {})
    tol = ctx.tolerances
    # 地方政府规章 are made only by provinces and 设区的市/自治州.
    level = "township" if kind == "township" else government_level(agency)
    if level in ("township", "county"):
        made = {k: v for k, v in active.items() if k.startswith("rules.") and v}
        if made:
            yield report_finding(
                ctx,
                report,
                "rules.local",
                f"表一“规章”填报了 {_listing('active', made)}，"
                "但乡镇、县级政府及其部门无权制定规章；可能把规范性文件填入了规章行。",
                {"cells": made, "kind": kind, "region": agency.region if agency else None},
            )
    if report.format == "2019":
        for row in ("rules", "normative_docs"):
            published, total = active.get(f"{row}.published"), active.get(f"{row}.total")
            if published is not None and total is not None and published > total:
                yield report_finding(
                    ctx,
                    report,
                    f"published_gt_total.{row}",
                    f"表一“{cell_label('active', row + '.published')}” {number(published)} 大于"
                    f"“对外公开总数量” {number(total)}。",
                    {"cells": {f"{row}.published": published, f"{row}.total": total}},
                )
        for row in ITEM_ROWS_2019:
            prev, change = active.get(f"{row}.prev_items"), active.get(f"{row}.change")
            if prev is not None and change is not None and prev + change < 0:
                yield report_finding(
                    ctx,
                    report,
                    f"negative_items.{row}",
                    f"表一“{cell_label('active', row + '.prev_items')}” {number(prev)} 加本年增/减 {number(change)}"
                    " 小于0，项目数量不可能为负。",
                    {"cells": {f"{row}.prev_items": prev, f"{row}.change": change}},
                )
        fee_cells = {k: active.get(k) for k in ("fees.prev_items", "fees.change")}
        big = {k: v for k, v in fee_cells.items() if v is not None and abs(v) > tol.fee_items_max}
        if big:
            yield report_finding(
                ctx,
                report,
                "fee_items",
                f"表一“行政事业性收费”应填收费项目个数，却填了 {', '.join(number(v) for v in big.values())}，"
                "像是金额；请核对。",
                {"cells": big, "limit": tol.fee_items_max},
            )
    for key in DECISION_KEYS:
        value, limit = active.get(key), ctx.decision_limit(kind, key)
        if value is not None and limit is not None and value > limit:
            yield report_finding(
                ctx,
                report,
                key,
                f"表一“{cell_label('active', key)}”为 {number(value)}，远高于同类机关（{KIND_NAMES.get(kind, kind)}）通常的数量"
                f"（上限约 {number(limit)}）；可能填入了上级政府或全区的数字。",
                {"cells": {key: value}, "kind": kind, "limit": limit},
            )
    yield from amounts(ctx, report)
    requests = report.tables.get("requests", {})
    new, carried = requests.get("new.total"), requests.get("carried_over.total")
    appeals = {k: v for k, v in report.tables.get("appeals", {}).items() if k.endswith(".total") and v}
    if new == 0 and carried == 0 and appeals:
        yield report_finding(
            ctx, report, "appeals_without_requests",
            f"表二本年新收和上年结转申请均为0，表三却有复议或诉讼 {_listing('appeals', appeals)}"
            "（可能来自以前年度的申请，请确认）。",
            {"cells": {"new.total": new, "carried_over.total": carried, **appeals}},
            severity="info",
        )  # fmt: skip


def amounts(ctx, report) -> Iterator[Finding]:
    """Amounts in 万元 that were probably entered in 元."""
    active = report.tables.get("active", {})
    assumed = {
        p.get("where", "").removeprefix("active.") for p in report.problems if p.get("code") == "unit_assumed"
    }
    for key in ("procurement.amount_wan", "fees.amount_wan"):
        value = active.get(key)
        if value is not None and key in assumed and value >= ctx.tolerances.amount_wan_in_yuan:
            yield report_finding(
                ctx,
                report,
                f"amount_unit.{key}",
                f"表一“{cell_label('active', key)}”未注明单位，按万元计为 {number(value)} 万元；"
                "数额过大，可能是以元填报。",
                {"cells": {key: value}, "unit_assumed": True},
            )
    fees = active.get("fees.amount_wan")
    texts = [str(t) for t in report.section_text.values() if t and "元" in str(t)] if fees else []
    if texts:
        prose = unicodedata.normalize("NFKC", "\n".join(texts))
        for match in YUAN_IN_PROSE.finditer(prose):
            if prose[max(0, match.start() - 1) : match.start()] == "万":
                continue
            if abs(float(match.group(1)) - fees) < 1e-6:
                yield report_finding(
                    ctx,
                    report,
                    "amount_unit.fees.amount_wan.prose",
                    f"表一“本年收费金额（万元）”填 {number(fees)}，与正文所述 {match.group(0)} 数字相同；"
                    "可能把元数填入了万元栏。",
                    {"cells": {"fees.amount_wan": fees}, "prose": match.group(0)},
                )
                break


@rule("implausible", severity="warning")
def implausible(db, ctx):
    """数值明显超出同类机关的正常范围（仅提示）：乡镇、县级填报规章；本年新公开多于公开总数；项目数量为负；
    收费项目数像金额；处理决定数远超同类机关；万元栏疑似填了元；跨年度项目数、现行有效件数对不上。
    A value far outside what an agency of this kind reports (warning only; appeals without any
    application are `info`): rules from townships/counties, decision counts above the kind's
    calibrated limit, money in count columns, amounts probably in 元, cross-year stock gaps."""
    for report in ctx.reports():
        yield from within_year(ctx, report)
        yield from cross_year(ctx, report)
