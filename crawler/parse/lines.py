"""Break run-on lines (a whole report extracted as one line) before headings and table row labels.

Archivers and some PDF extractions lose every line break. Headings and the tables' row labels are
still recognisable, so lines are cut in front of them; the table reader then sees one row per line.
"""

from __future__ import annotations

import re

from crawler.parse.sections import heading_of
from crawler.parse.values import nfkc

LONG = 300
HEADING_START = re.compile(r"(?<![(（])[一二三四五六][、]|(?<![\d(（])[1-6][、]")
TABLE_ZONE = re.compile(r"第二十条|勾稽关系|结果维持")
_NUM = r"(?:(?<=\D)\d[.、]|(?<=0)\d[.、]|(?<=\d)\d[.、])?"
ROW_STARTS = re.compile(
    "|".join(
        [
            r"第二十条第",
            r"(?<!行政)规章(?=\s*[\d\-—/])",
            r"(?:行政)?规范性文件(?=\s*[\d\-—/])",
            r"行政许可(?=\s*[\d\-—/])",
            r"其他对外管理服务事项",
            r"行政处罚(?=\s*[\d\-—/])",
            r"行政强制(?=\s*[\d\-—/])",
            r"行政事业性收费(?=\s*[\d\-—/])",
            r"政府集中采购(?=\s*[\d\-—/])",
            r"一、本年新收",
            r"二、上年结转",
            r"三、本年度办理结果",
            r"[(（]一[)）]\s*予以公开",
            r"[(（]二[)）]\s*部分公开",
            r"[(（][三四五六七][)）]",
            r"\d[.、]\s*(?:属于国家秘密|其他法律行政法规|危及|保护第三方|属于三类|属于四类|属于行政执法|属于行政查询"
            r"|本机关不掌握|没有现成信息|补正后申请|信访举报|重复申请|要求提供公开出版物|无正当理由大量|要求行政机关确认"
            r"|申请人无正当理由|申请人逾期未按|其他(?!处理|法律))",
            r"四、结转下年度",
            r"行政复议\s*行政诉讼",
        ]
    )
)


def _cut(text: str, positions: list[int]) -> list[str]:
    out, start = [], 0
    for pos in sorted(set(positions)):
        if pos > start:
            out.append(text[start:pos])
            start = pos
    out.append(text[start:])
    return [piece.strip() for piece in out if piece.strip()]


def _heading_cuts(text: str) -> list[int]:
    return [m.start() for m in HEADING_START.finditer(text) if heading_of(text[m.start() : m.start() + 40])]


# Where a heading run into its text ends: at 情况/事项 if near, else at a shorter closing word.
HEAD_PHRASE = (re.compile(r"^.{2,34}?(?:情况|事项)"), re.compile(r"^.{2,24}?(?:概述|问题|措施|打算|不足)"))


def _split_heading(piece: str) -> list[str]:
    if not heading_of(piece[:40]):
        return [piece]
    for pattern in HEAD_PHRASE:
        m = pattern.match(piece)
        if m and heading_of(m.group(0)):
            return [m.group(0), piece[m.end() :]]
    return [piece]


def unflatten(line: str) -> list[str]:
    """A long line -> lines starting at each heading and, in a run-on table, at each row label."""
    if len(line) <= 80:
        return [line]
    text = nfkc(line)
    out: list[str] = []
    for piece in _cut(text, _heading_cuts(text)):
        for part in _split_heading(piece):
            if len(line) >= LONG and TABLE_ZONE.search(part):
                out.extend(_cut(part, [m.start() for m in ROW_STARTS.finditer(part)]))
            elif part.strip():
                out.append(part.strip())
    return out
