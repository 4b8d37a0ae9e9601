"""The national format itself (FORMATS.md §8e): `format.*`."""

from __future__ import annotations

import re
import unicodedata

from monitor.findings import report_finding
from monitor.registry import rule
from monitor.rules.arithmetic import evaluate
from monitor.rules.crossyear import carryover_pairs
from monitor.rules.prose import comparisons

SECTION_NAMES = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
RULE_NAMES = {
    "inconsistent.balance": "平衡关系",
    "inconsistent.outcome_total": "办理结果合计",
    "inconsistent.row_total": "行合计",
    "inconsistent.appeals_total": "复议诉讼合计",
    "inconsistent.carryover": "跨年结转",
    "inconsistent.prose": "正文与表格",
}
TABLE_PROBLEMS = {"missing_table", "no_tables", "image_only"}
UNREADABLE_PROBLEMS = {"blank_cells", "ambiguous_cells", "unparsed_value"}


@rule("format.wrong_template", severity="error")
def wrong_template(db, ctx):
    """表格使用了另一年度的格式：2021年度起应使用2021年格式（国办公开办函〔2021〕30号），2020年度及以前使用2019年格式。
    The tables use the other year's format: 2021 format from report year 2021, 2019 format up to 2020."""
    for report in ctx.reports():
        expected = "2021" if report.year >= 2021 else "2019" if report.year >= 2019 else None
        if expected and report.format and report.format != expected:
            yield report_finding(
                ctx,
                report,
                "format",
                f"使用了{report.format}年版统计表格式，该年度应使用{expected}年版格式。",
                {"format": report.format, "expected": expected},
            )


@rule("format.missing_section", severity="warning")
def missing_section(db, ctx):
    """报告缺少条例第五十条规定的某一部分（如“六、其他需要报告的事项”）。
    A standard section required by 条例 第五十条 is absent (parser problem missing_section)."""
    for report in ctx.reports():
        for problem in report.problems:
            if problem.get("code") != "missing_section":
                continue
            where = problem.get("where") or "sections"
            name = where.removeprefix("sections.")
            yield report_finding(
                ctx,
                report,
                where,
                f"缺少“{SECTION_NAMES.get(name, name)}”部分。",
                {"problem": problem},
            )


@rule("format.missing_table", severity="error")
def missing_table(db, ctx):
    """报告缺少统计表（或统计表只有图片），无法核对数据。
    A statistical table is absent, or the tables exist only as images (then: warning)."""
    for report in ctx.reports():
        for problem in report.problems:
            code = problem.get("code")
            if code not in TABLE_PROBLEMS:
                continue
            words = {"no_tables": "没有任何统计表", "image_only": "统计表只有图片、无法读取文字",
                     "missing_table": f"缺少统计表（{problem.get('where') or ''}）"}[code]  # fmt: skip
            yield report_finding(
                ctx,
                report,
                problem.get("where") or code,
                f"{words}；请要求以文字表格公开。",
                {"problem": problem},
                severity="warning" if code == "image_only" else None,
            )


def _body_lines(text: str, heading: str) -> list[str]:
    lines = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)) for line in (text or "").splitlines()]
    lines = [line for line in lines if line and line != "[bookmark:_GoBack]"]
    # Drop the heading line when the section text starts with it (五、存在问题…).
    if lines and re.match(r"^(五|5|\(五\))[、.．]", lines[0]):
        lines = lines[1:]
    return lines


EMPTY_WORDS = re.compile(r"^(无|暂无|没有|无问题|无。|暂无问题)[。.]?$")
BOILERPLATE_CHARS = 40


@rule("format.empty_section", severity="warning")
def empty_section(db, ctx):
    """“五、存在的主要问题及改进情况”只写“无”或一句套话，等于没有报告。
    Section 五 (problems and improvements) is there in name only: just 无, or one short boilerplate line."""
    for report in ctx.reports():
        if "problems" not in report.sections or "problems" not in report.section_text:
            continue
        lines = _body_lines(report.section_text.get("problems"), SECTION_NAMES["problems"])
        body = "".join(lines)
        if (
            not lines
            or EMPTY_WORDS.match(body)
            or (len(lines) == 1 and len(body) <= BOILERPLATE_CHARS and body.count("。") <= 1)
        ):
            yield report_finding(
                ctx,
                report,
                "sections.problems",
                f"“五、存在的主要问题及改进情况”只有“{body or '（空）'}”，未说明问题和改进措施。",
                {"section": "problems", "text": (report.section_text.get("problems") or "")[:200]},
            )


def skipped_checks(ctx, report) -> list[dict]:
    """Checks of 8a–8d that could not run because a cell of this report is null."""
    skipped = []
    for check in evaluate(report)[1]:
        skipped.append({"rule": check.rule, "subject": f"{check.table}.{check.subject}", "where": check.where,
                        "table": check.table, "null_cells": check.null_cells})  # fmt: skip
    for col, now, then in carryover_pairs(ctx, report):
        if now is None and then is not None:
            skipped.append({"rule": "inconsistent.carryover", "subject": f"requests.{col}", "where": f"上年结转·{col}",
                            "table": "requests", "null_cells": [f"carried_over.{col}"]})  # fmt: skip
    for claim, value in comparisons(report):
        if value is None:
            nulls = [k for k in claim.cells if report.cell(claim.table, k) is None]
            skipped.append({"rule": "inconsistent.prose", "subject": f"{claim.table}." + "+".join(claim.cells),
                            "where": f"正文“{claim.phrase}”",
                            "table": claim.table, "null_cells": nulls, "phrase": claim.phrase})  # fmt: skip
    return skipped


def _explaining_codes(report, table: str, key: str) -> set[str]:
    row = key.rpartition(".")[0]
    places = {f"{table}.{row}", f"{table}.{key}", table, f"tables.{table}"}
    return {p.get("code") for p in report.problems if p.get("where") in places}


@rule("format.unreadable", severity="warning")
def unreadable(db, ctx):
    """部分单元格空白、拆分不确定或无法识别，导致部分核对无法进行；证据中列出未能进行的核对。仅因空白时为“提示”。
    Cells blank, ambiguous or unparseable, so some checks could not run; the evidence lists them.
    Severity info when the cells involved were only blank, warning otherwise."""
    for report in ctx.reports():
        if report.format not in ("2019", "2021"):
            continue
        skipped, codes = [], set()
        for item in skipped_checks(ctx, report):
            cell_codes = set()
            for key in item["null_cells"]:
                cell_codes |= _explaining_codes(report, item["table"], key) or {"unexplained"}
            if cell_codes and cell_codes <= TABLE_PROBLEMS | {"unexplained"} and cell_codes & TABLE_PROBLEMS:
                continue  # the table is missing altogether: format.missing_table says so
            codes |= cell_codes - TABLE_PROBLEMS
            skipped.append(item)
        if not skipped:
            continue
        severity = "info" if codes <= {"blank_cells"} else "warning"
        rules = sorted({s["rule"] for s in skipped})
        sample = "、".join(f"{s['where']}·{RULE_NAMES.get(s['rule'], s['rule'])}" for s in skipped[:3])
        yield report_finding(
            ctx,
            report,
            "report",
            f"有 {len(skipped)} 项核对因单元格{'空白' if severity == 'info' else '空白或无法确定'}而未能进行"
            f"（{sample}{'等' if len(skipped) > 3 else ''}）；请核对原表。",
            {"skipped": skipped, "rules": rules, "problem_codes": sorted(codes)},
            severity=severity,
        )
