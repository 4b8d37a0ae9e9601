"""The six standard sections (FORMATS.md §2): find the headings, outside tables, in order."""

from __future__ import annotations

import re

from crawler.parse.values import nfkc

KEYWORDS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "概述", "基本情况", "总体", "概况"),
    "active": ("主动公开",),
    "requests": ("收到和处理", "依申请", "申请公开", "收到及处理"),
    "appeals": ("行政复议", "行政诉讼", "复议", "诉讼"),
    "problems": ("存在", "问题", "改进", "不足"),
    "other": ("其他", "其它"),
}
NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "—": 1, "－": 1, "-": 1, "―": 1}
# 一、 / 1、 / —、 at the start of a line (after any whitespace, incl. U+00A0 and U+3000).
TOP_LEVEL = re.compile(
    r"^[\s\u00a0\u3000]*([一二三四五六1-6—－\-―])[\s\u00a0\u3000]*[、，,．.]?[\s\u00a0\u3000]*(.*)$"
)
# Some reports number top-level sections （一）（二）... (their sub-items too: used only as a fallback).
PAREN_LEVEL = re.compile(r"^[\s\u00a0\u3000]*[（(]([一二三四五六])[）)][\s\u00a0\u3000]*(.*)$")
# Table-2 row labels that look like headings: never sections.
TABLE_LABELS = ("本年新收", "上年结转", "本年度办理结果", "结转下年度")


def _keyword_section(rest: str) -> str | None:
    head = rest[:24]
    for name in ("active", "requests", "appeals", "overview", "problems", "other"):
        if any(k in head for k in KEYWORDS[name]):
            return name
    return None


def heading_of(line: str, *, paren: bool = False) -> str | None:
    """The section a heading line opens, or None. `paren` accepts （一）-numbered headings."""
    text = nfkc(line).replace("\u3000", " ").strip()
    if not text or len(text) > 80:
        return None
    m = (PAREN_LEVEL if paren else TOP_LEVEL).match(text)
    if not m:
        return None
    number, rest = m.group(1), m.group(2)
    if not paren:
        # Arabic numbers need the 、 separator: `1.主动公开政府信息情况` is an overview sub-item.
        sep = text[text.index(number) + 1 :].lstrip()[:1]
        if number.isdigit() and sep != "、":
            return None
        if not number.isdigit() and number not in "—－-―" and sep not in ("、", ",", "，", "."):
            return None
        if number in "—－-―" and sep != "、":
            return None
    if any(label in rest for label in TABLE_LABELS) or re.search(r"\d\s*$", rest):
        return None
    name = _keyword_section(rest)
    if name is None and NUMERALS.get(number, int(number) if number.isdigit() else 0) == 1:
        return "overview"  # an unmatched 一、 heading before the rest is the overview
    return name
