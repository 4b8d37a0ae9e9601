"""Report recognition by title (PORTALS.md §4) and listing dates: what the base spider needs to decide
which links to follow. The parser's own helpers (crawler.parse.meta) are used when present."""

from __future__ import annotations

import re
import unicodedata

REPORT_WORDS = ("年度报告", "工作报告")
# Companions that use the same words but are not reports.
COMPANION_WORDS = ("解读", "通知", "公布情况", "函", "格式", "制度", "图解")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:政府)?\s*信息公开\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)")
_LETTER = re.compile(r"关于.*(?:报送|上报|提交|呈报).*(?:年度报告|工作报告).*的函")
_TRUNCATED = re.compile(r"(?:\.\.\.|…+|\.{2,})\s*$")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


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


def year_from_title(title: str | None) -> int | None:
    """The report year: `(\\d{4})年度?(政府)?信息公开(工作)?(年度)?报告`."""
    match = _YEAR.search(re.sub(r"\s+", "", nfkc(title)))
    return int(match.group(1)) if match else None


def agency_part(title: str | None) -> str:
    """The text before the year: the agency as the title names it ('' when the title starts with the year)."""
    text = re.sub(r"\s+", "", nfkc(title))
    match = _YEAR.search(text)
    return text[: match.start()] if match else ""


def listing_date(text: str | None) -> str | None:
    """The first full date in a listing cell ('2024-01-23', '2024/1/23', '2024年1月23日') as ISO."""
    match = _DATE.search(nfkc(text))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
