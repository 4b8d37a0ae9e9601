"""Report recognition by a listing's link title (PORTALS.md §4): which links the base spider follows.

Years, agencies and dates in titles come from the parser's rules (crawler.parse.meta: title_year,
agency_from_title, parse_date_text), so a listing and the document it links to are read alike.
"""

from __future__ import annotations

import re
import unicodedata

REPORT_WORDS = ("年度报告", "工作报告")
# Companions that use the same words but are not reports.
COMPANION_WORDS = ("解读", "通知", "公布情况", "函", "格式", "制度", "图解")
_LETTER = re.compile(r"关于.*(?:报送|上报|提交|呈报).*(?:年度报告|工作报告).*的函")
_TRUNCATED = re.compile(r"(?:\.\.\.|…+|\.{2,})\s*$")


def nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def title_kind(title: str | None) -> str:
    """report | letter (a 函 that carries the report as attachment) | companion | unclear | other.

    `unclear`: a truncated listing title that may be a report; the page's own title decides.
    """
    text = re.sub(r"\s+", "", nfkc(title))
    if not text:
        return "other"
    if _LETTER.search(text):
        return "letter"
    # 政府工作报告 (the work report to the People's Congress) is another document: 信息公开 must be named.
    if any(word in text for word in REPORT_WORDS) and "信息公开" in text:
        if any(word in text for word in COMPANION_WORDS):
            return "companion"
        return "report"
    if _TRUNCATED.search(text) and "信息公开" in text:
        return "unclear"
    if re.search(r"\d{4}年度?.*信息公开.*年报", text) and not any(w in text for w in COMPANION_WORDS):
        return "report"  # "2023年政府信息公开年报"; the column link "政府信息公开年报" has no year
    return "other"
