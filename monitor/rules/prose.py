"""Counts stated in 总体情况 against the tables (FORMATS.md §8d): `inconsistent.prose`.

Conservative on purpose: a false alarm wastes an official's afternoon. A number is compared only
when a phrase ties it to one cell; approximate counts (余/约/多/以上…), decimals and 万 counts are
never compared; a cell the prose states twice with different numbers is not compared; a null cell
is never compared (the check is listed as skipped by `format.unreadable` instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.findings import Finding
from monitor.labels import cell_label, number
from monitor.registry import rule
from monitor.text import nfkc

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"([0-9]+|[零〇一二两三四五六七八九十百千]+)"
GAP = r"[^0-9零〇一二两三四五六七八九十百千，,。；;]"  # no number, no clause break
COUNT_UNIT = r"(件|个|宗|起|条|次)"
APPROX_BEFORE = ("约", "近", "超过", "逾", "将近", "大约")
APPROX_AFTER = ("余", "多", "以上", "左右", "万", ".")


def chinese_number(text: str) -> int | None:
    """'4' -> 4; '两' -> 2; '十二' -> 12; '二十' -> 20; '一百零五' -> 105."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


@dataclass
class Claim:
    """The prose says Σ cells (table `requests` or `appeals` or `active`) = value."""

    table: str
    cells: tuple[str, ...]
    value: float
    phrase: str


# (table, cells, pattern, formats): the number is the pattern's NUM group.
PATTERNS = [
    ("requests", ("new.total",),
     rf"(?:收到|受理|接到|接收|收悉){GAP}{{0,16}}?申请{GAP}{{0,12}}?{NUM}{COUNT_UNIT}", None),
    ("requests", ("new.total",),
     rf"(?:收到|受理|接到|接收|收悉){GAP}{{0,4}}?{NUM}{COUNT_UNIT}{GAP}{{0,12}}?申请", None),
    ("requests", ("carried_over.total",), rf"上一?年度?结转{GAP}{{0,14}}?{NUM}{COUNT_UNIT}", None),
    ("requests", ("total.total",), rf"(?<!未)办结{GAP}{{0,14}}?{NUM}{COUNT_UNIT}", None),
    ("requests", ("carried_forward.total",),
     rf"结转(?:至|到)?下一?年度?(?:继续办理)?{GAP}{{0,8}}?{NUM}{COUNT_UNIT}", None),
    ("appeals", ("review.total",), rf"行政复议(?:案件|申请)?[^0-9零〇一二两三四五六七八九十百千，,。；;、和及共诉]{{0,6}}?{NUM}{COUNT_UNIT}", None),
    ("appeals", ("suit_direct.total", "suit_after_review.total"),
     rf"行政诉讼(?:案件)?[^0-9零〇一二两三四五六七八九十百千，,。；;、和及共复]{{0,6}}?{NUM}{COUNT_UNIT}", None),
    ("active", ("normative_docs.issued",), rf"(?:制发|印发|出台){GAP}{{0,8}}?规范性文件{GAP}{{0,4}}?{NUM}{COUNT_UNIT}", "2021"),
    ("active", ("normative_docs.repealed",), rf"废止{GAP}{{0,8}}?规范性文件{GAP}{{0,4}}?{NUM}{COUNT_UNIT}", "2021"),
    ("active", ("normative_docs.in_force",), rf"现行有效{GAP}{{0,8}}?规范性文件{GAP}{{0,4}}?{NUM}{COUNT_UNIT}", "2021"),
    ("active", ("normative_docs.made",), rf"新制作{GAP}{{0,8}}?规范性文件{GAP}{{0,4}}?{NUM}{COUNT_UNIT}", "2019"),
    ("active", ("normative_docs.published",), rf"新公开{GAP}{{0,8}}?规范性文件{GAP}{{0,4}}?{NUM}{COUNT_UNIT}", "2019"),
]  # fmt: skip
# A pattern is tried only on clauses holding its keyword (cheap `in` before the regex).
KEYWORDS = {"new.total": "申请", "carried_over.total": "结转", "total.total": "办结", "carried_forward.total": "结转",
            "review.total": "复议", "suit_direct.total": "诉讼"}  # fmt: skip
COMPILED = [(t, c, re.compile(p), f, KEYWORDS.get(c[0], "规范性文件")) for t, c, p, f in PATTERNS]

NO_REQUESTS = re.compile(
    r"(?:未|没有)(?:收到|接到|受理|接收|发生)[^，,。；;0-9]{0,12}?申请|"
    r"(?:全年|本年度?|年内)?(?:无|没有)(?:政府信息公开申请|信息公开申请|依申请公开(?:申请|事项|件))"
)
NO_APPEAL = re.compile(r"(?:未|没有|无)[^，,。；;0-9]{0,16}?行政(复议|诉讼)")
ALL_NATURAL = re.compile(r"^(?:均|全部|全|都)?(?:属|为|系|是|来自)(?:于)?自然人")
# Clauses about something else than this year's applications of this agency.
NOT_NEW = ("结转", "办结", "复议", "诉讼", "答复", "其中", "全市", "全县", "全区", "全省", "各")


_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。；;！!?？\n]")
_COMMA = re.compile(r"[，,]")
_NUMBER_CHAR = re.compile(r"[0-9零〇一二两三四五六七八九十百千]")


def _clauses(text: str) -> list[list[str]]:
    text = _SPACES.sub("", nfkc(text))
    return [[c for c in _COMMA.split(s) if c] for s in _SENTENCE_END.split(text) if s]


def _approximate(clause: str, start: int, end: int) -> bool:
    before, after = clause[max(0, start - 2) : start], clause[end : end + 2]
    return any(before.endswith(w) for w in APPROX_BEFORE) or any(after.startswith(w) for w in APPROX_AFTER)


def prose_claims(report) -> list[Claim]:
    """Every unambiguous count the overview states, each tied to one cell (or one sum of cells)."""
    memo = report.memo.get("prose")
    if memo is None:
        memo = report.memo["prose"] = _claims(report)
    return memo


def _claims(report) -> list[Claim]:
    text = report.section_text.get("overview") or ""
    found: dict[tuple, set] = {}
    phrases: dict[tuple, str] = {}

    def add(table, cells, value, phrase):
        found.setdefault((table, cells), set()).add(value)
        phrases.setdefault((table, cells), phrase)

    for sentence in _clauses(text):
        new_total_here = None
        for clause in sentence:
            for table, cells, pattern, fmt, keyword in COMPILED:
                if keyword not in clause or (fmt and fmt != report.format):
                    continue
                if cells == ("new.total",) and any(w in clause for w in NOT_NEW):
                    continue
                for match in pattern.finditer(clause):
                    value = chinese_number(match.group(1))
                    if value is None or _approximate(clause, match.start(1), match.end(1)):
                        continue
                    add(table, cells, value, clause)
                    if cells == ("new.total",):
                        new_total_here = value
            if not _NUMBER_CHAR.search(clause):
                if NO_REQUESTS.search(clause) and "复议" not in clause and "诉讼" not in clause:
                    add("requests", ("new.total",), 0, clause)
                if "尚未" not in clause:
                    for match in NO_APPEAL.finditer(clause):
                        kinds = {match.group(1)} | ({"诉讼"} if "诉讼" in clause[match.end() :] else set())
                        kinds |= {"复议"} if "复议" in clause[match.end() :] else set()
                        for kind in kinds:
                            cells = (
                                ("review.total",)
                                if kind == "复议"
                                else ("suit_direct.total", "suit_after_review.total")
                            )
                            add("appeals", cells, 0, clause)
                if new_total_here is not None and ALL_NATURAL.search(clause):
                    add("requests", ("new.natural",), new_total_here, clause)
    # A cell stated twice with different numbers is not compared (sub-counts, other years...).
    return [Claim(t, c, next(iter(v)), phrases[(t, c)]) for (t, c), v in found.items() if len(v) == 1]


def comparisons(report):
    """(claim, table values or None when a cell is null) for every claim."""
    for claim in prose_claims(report):
        values = [report.cell(claim.table, k) for k in claim.cells]
        yield claim, None if any(v is None for v in values) else sum(values)


@rule("inconsistent.prose", severity="warning")
def prose(db, ctx):
    """“总体情况”中明确对应某一单元格的数字（如“共收到申请N件”“结转下年度N件”“未出现行政诉讼”）与表格不符。
    约数（余、约、多、以上）不比较；表格单元格为空时不比较。
    A count stated in 总体情况 that is tied to one cell contradicts the table. Approximate counts and
    blank cells are never compared."""
    for report in ctx.reports():
        if report.format not in ("2019", "2021"):
            continue
        for claim, table_value in comparisons(report):
            if table_value is None or abs(table_value - claim.value) < 1e-6:
                continue
            labels = " + ".join(cell_label(claim.table, k) for k in claim.cells)
            yield Finding(
                agency_id=report.agency_id,
                year=report.year,
                subject=f"{claim.table}."
                + "+".join(claim.cells)
                + ("" if report.agency_id else f"@{report.id}"),
                message=(
                    f"{ctx.name_of(report)} {report.year}年度报告总体情况写“{claim.phrase}”（{number(claim.value)}），"
                    f"但表中{labels}为 {number(table_value)}；请核对正文或表格。"
                ),
                evidence={
                    "phrase": claim.phrase,
                    "stated": claim.value,
                    "table": claim.table,
                    "cells": {k: report.cell(claim.table, k) for k in claim.cells},
                },
                report_id=report.id,
                report_url=report.url,
            )
