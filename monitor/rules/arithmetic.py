"""The hard rules of the format (FORMATS.md §8a): exact in a correctly filled report.

A check runs only when every cell it reads is a number; otherwise it is skipped, and the skipped
checks are reported once per report by `format.unreadable` (monitor/rules/format.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from crawler.parse.keys import APPEAL_GROUPS, APPLICANT_COLUMNS, REQUEST_COLUMNS, outcome_rows, request_rows
from monitor.findings import Finding
from monitor.labels import cell_label, column_label, number, row_label
from monitor.registry import rule

COLUMNS = [c for c, _ in REQUEST_COLUMNS]
EPSILON = 1e-6


@dataclass
class Check:
    """`Σ left = Σ right` over cells of one table; `values` None for a cell the parser could not read."""

    rule: str
    table: str
    subject: str  # the column, row or group checked
    where: str  # human wording of the place
    left: list[str]
    right: list[str]
    values: dict

    @property
    def null_cells(self) -> list[str]:
        return [k for k in self.left + self.right if self.values.get(k) is None]

    @property
    def runs(self) -> bool:
        return not self.null_cells

    @property
    def holds(self) -> bool:
        return abs(self.sum(self.left) - self.sum(self.right)) < EPSILON

    def sum(self, keys) -> float:
        return sum(self.values[k] for k in keys)

    def expression(self, keys) -> str:
        return " + ".join(f"{cell_label(self.table, k)} {number(self.values[k])}" for k in keys)

    def evidence(self) -> dict:
        return {
            "table": self.table,
            "cells": {k: self.values.get(k) for k in self.left + self.right},
            "left": self.left,
            "right": self.right,
        }


@lru_cache(maxsize=4)
def check_templates(fmt: str) -> tuple:
    """Every 8a check of a format: (rule, table, subject, where, left keys, right keys)."""
    templates = []
    for col in COLUMNS:
        where = f"表二“{column_label('requests', col)}”列"
        templates.append(
            (
                "inconsistent.balance",
                "requests",
                col,
                where,
                (f"new.{col}", f"carried_over.{col}"),
                (f"total.{col}", f"carried_forward.{col}"),
            )
        )
        templates.append(
            (
                "inconsistent.outcome_total",
                "requests",
                col,
                where,
                (f"total.{col}",),
                tuple(f"{row}.{col}" for row in outcome_rows(fmt)),
            )
        )
    for row in request_rows(fmt):
        templates.append(
            (
                "inconsistent.row_total",
                "requests",
                row,
                f"表二“{row_label('requests', row)}”行",
                (f"{row}.total",),
                tuple(f"{row}.{c}" for c in APPLICANT_COLUMNS),
            )
        )
    for group, label in APPEAL_GROUPS:
        templates.append(
            (
                "inconsistent.appeals_total",
                "appeals",
                group,
                f"表三“{label}”",
                (f"{group}.total",),
                tuple(f"{group}.{c}" for c in ("upheld", "corrected", "other", "pending")),
            )
        )
    return tuple(templates)  # fmt: skip


def evaluate(report) -> tuple[list[Check], list[Check]]:
    """(failed checks, skipped checks) of a report, computed once and shared by the rules."""
    memo = report.memo.get("arithmetic")
    if memo is not None:
        return memo
    failed, skipped = [], []
    if report.format in ("2019", "2021"):
        for code, table, subject, where, left, right in check_templates(report.format):
            cells = report.tables.get(table) or {}
            balance, null = 0.0, False
            for key in left:
                value = cells.get(key)
                if value is None:
                    null = True
                    break
                balance += value
            if not null:
                for key in right:
                    value = cells.get(key)
                    if value is None:
                        null = True
                        break
                    balance -= value
            if null or abs(balance) >= EPSILON:
                check = Check(code, table, subject, where, list(left), list(right),
                              {k: cells.get(k) for k in left + right})  # fmt: skip
                (skipped if null else failed).append(check)
    report.memo["arithmetic"] = failed, skipped
    return failed, skipped


def arithmetic_checks(report) -> list[Check]:
    """The 8a checks of a report that failed or could not run (the ones that hold are not kept)."""
    failed, skipped = evaluate(report)
    return failed + skipped


RULE_WORDING = {
    "inconsistent.balance": "一、本年新收 + 二、上年结转 应等于 （七）总计 + 四、结转下年度继续办理",
    "inconsistent.outcome_total": "（七）总计 应等于各办理结果之和",
    "inconsistent.row_total": "“总计”列应等于各类申请人之和",
    "inconsistent.appeals_total": "总计 应等于 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
}


def failures(ctx, code: str) -> Iterator[Finding]:
    for report in ctx.reports():
        for check in evaluate(report)[0]:
            if check.rule != code:
                continue
            left, right = check.sum(check.left), check.sum(check.right)
            if len(check.right) > 8:  # a long sum: name only the non-zero terms
                terms = [k for k in check.right if check.values[k]] or check.right[:1]
                right_text = " + ".join(
                    f"{cell_label(check.table, k)} {number(check.values[k])}" for k in terms
                )
                right_text += "（其余为0）"
            else:
                right_text = check.expression(check.right)
            yield Finding(
                agency_id=report.agency_id,
                year=report.year,
                subject=f"{check.table}.{check.subject}" + _suffix(report),
                message=(
                    f"{ctx.name_of(report)} {report.year}年度报告{check.where}不平："
                    f"{check.expression(check.left)} = {number(left)}，而 {right_text} = {number(right)}"
                    f"（{RULE_WORDING[code]}）。"
                ),
                evidence=check.evidence() | {"difference": left - right},
                report_id=report.id,
                report_url=report.url,
            )


def _suffix(report) -> str:
    # Reports not matched to an agency are told apart by their id.
    return "" if report.agency_id else f"@{report.id}"


@rule("inconsistent.balance", severity="error")
def balance(db, ctx):
    """表二每一列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理（表中印有此勾稽关系）。
    Table 2, every column: new + carried over = total + carried forward (the rule printed in the table)."""
    yield from failures(ctx, "inconsistent.balance")


@rule("inconsistent.outcome_total", severity="error")
def outcome_total(db, ctx):
    """表二每一列：（七）总计 = 各办理结果（予以公开 … 其他处理）之和。
    Table 2, every column: (七) total = the sum of the outcome rows."""
    yield from failures(ctx, "inconsistent.outcome_total")


@rule("inconsistent.row_total", severity="error")
def row_total(db, ctx):
    """表二每一行：“总计”列 = 自然人与各类法人或其他组织之和。
    Table 2, every row: the 总计 column = the sum of the six applicant columns."""
    yield from failures(ctx, "inconsistent.row_total")


@rule("inconsistent.appeals_total", severity="error")
def appeals_total(db, ctx):
    """表三每组“总计” = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。
    Table 3, each group: total = upheld + corrected + other + pending."""
    yield from failures(ctx, "inconsistent.appeals_total")
