"""Legal deadlines (条例 第四十九条; DEADLINES.md) and how to read publication evidence against them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# MM-DD of year+1, by registry kind. Townships are not named in 第四十九条: their date comes from the
# county's notice, so the registry may override it per agency (and `late` for them is only a warning).
KIND_DEADLINES = {"department": "01-31", "government": "03-31", "township": "01-31"}

# Evidence a person can rely on; url/signature dates are weaker (a URL date can be a CMS migration).
STRONG_EVIDENCE = frozenset({"meta", "byline", "given"})


def parse_mmdd(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text or "")
    if not match:
        raise ValueError(f"deadline must be MM-DD, not {text!r}")
    month, day = int(match.group(1)), int(match.group(2))
    date(2000, month, day)  # validates (2000 is a leap year, so 02-29 passes)
    return month, day


def deadline_for(agency, year: int) -> date:
    """The date a report for `year` is due: the agency's MM-DD (override or kind default) in year+1.

    `agency` is a mapping or an object with `deadline` and `kind`. 02-29 falls back to 02-28 in a
    common year. Published ON this day is on time.
    """
    get = agency.get if isinstance(agency, dict) else lambda k: getattr(agency, k, None)
    mmdd = get("deadline") or KIND_DEADLINES.get(get("kind") or "", "01-31")
    month, day = parse_mmdd(mmdd)
    try:
        return date(year + 1, month, day)
    except ValueError:
        return date(year + 1, month, day - 1)


def days_late(published: date, deadline: date) -> int:
    """Days after the deadline (0 or negative: on time)."""
    return (published - deadline).days


def default_year(today: date) -> int:
    """The most recent report year whose deadline has passed or is running: reports for Y are
    published during Y+1, so on any day of year T that is T-1."""
    return today.year - 1


@dataclass(frozen=True)
class DateEvidence:
    """A publication date as found: `day` is the date, or the first day of the month when
    `month_only` (a `/202301/` URL); `source` is published_from (meta, byline, url, signature, given)."""

    day: date
    source: str | None
    month_only: bool = False
    text: str = ""


def parse_evidence_date(text: str | None, source: str | None = None) -> DateEvidence | None:
    """Read an ISO-ish date: "2021-01-29", "2021-01-29 10:00", "2022-01-5", "2021-03-2918:26"
    (date and time fused), or a month only ("2020-09", "202009")."""
    if not text:
        return None
    raw = str(text).strip()
    match = re.match(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if day > 31 and len(match.group(3)) > 2:
            day = int(match.group(3)[:2])
        try:
            return DateEvidence(date(year, month, day), source, False, raw)
        except ValueError:
            pass
    # "2021-03-2918:26": the day is the first two digits after the month.
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{2})\d", raw)
    if match:
        try:
            return DateEvidence(date(*(int(g) for g in match.groups())), source, False, raw)
        except ValueError:
            pass
    match = re.fullmatch(r"(\d{4})[-/年.]?(\d{1,2})月?", raw)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return DateEvidence(date(year, month, 1), source, True, raw)
    return None


def parse_timestamp(text: str | None) -> date | None:
    """The date part of an ISO timestamp (first_seen, last_crawled)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        found = parse_evidence_date(text)
        return found.day if found and not found.month_only else None
