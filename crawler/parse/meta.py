"""Title, agency, report year, publish date (with where it came from) and what kind of page this is.

Pure functions of text, so the crawler's report recognition uses the same rules (PORTALS.md §4,
DEADLINES.md §4 and §6).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from crawler.parse.values import nfkc

TITLE = re.compile(
    r"(\d{4})\s*年\s*度?\s*的?\s*(?:政府)?\s*信息\s*公开\s*(?:工作)?\s*(?:年度)?\s*(?:报\s*告|年\s*报)"
)
# The year first: 2019年西街街道政府信息公开工作年度报告.
TITLE_YEAR_FIRST = re.compile(r"^(\d{4})年度?(.{2,30}?)(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")


def title_year(title: str | None) -> int | None:
    """The report year a title names (`2020年度政府信息公开工作报告`, `2019年西街街道…`), or None."""
    title = clean(title)
    m = TITLE.search(title) or TITLE_YEAR_FIRST.match(title)
    return int(m.group(1)) if m else None


COMPANION = {
    "interpretation": ("解读", "图解", "一图读懂", "问答"),
    "notice": ("通知", "编制发布", "报送工作"),
    "announcement": ("公布情况", "发布情况", "情况通报", "通报", "公示"),
    "letter": ("的函", "函》", "报送《"),
    "format": ("格式", "制度", "模板", "模版"),
}
PERIOD = re.compile(
    r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*[至到\-—~]\s*(\d{4})\s*年\s*12\s*月\s*31\s*日"
)
PERIOD_LOOSE = re.compile(r"统计期限?[^。\n]{0,12}?(\d{4})\s*年")
BODY_YEAR = re.compile(r"(?:现将|本报告|本年度报告)[^。\n]{0,20}?(\d{4})\s*年度?")

PRIORITY = ("meta", "byline", "url", "signature")
META_DATE_KEYS = (
    "pubdate",
    "publishdate",
    "publishtime",
    "firstpublishedtime",
    "dc.date",
    "display_publish_time",
)
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
BYLINE = re.compile(
    r"(?<!成文)(?<!生成)(?<!印发)(?<!更新)(发布时间|发布日期|公开日期|发文日期|日期|时间|更新时间|发布)\s*[:：]\s*"
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
CN_DATE = re.compile(
    r"^([〇○零Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
URL_DATES = [
    (re.compile(r"/t(\d{4})(\d{2})(\d{2})_"), "day"),
    (re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"), "day"),
    (re.compile(r"/(\d{4})(\d{2})(\d{2})/"), "day"),
    (re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"), "day"),
    (re.compile(r"/c/(\d{4})-(\d{2})-(\d{2})/"), "day"),
    (re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})/"), "day"),
    (re.compile(r"[/_](20\d{2})(\d{2})(\d{2})\d{6}\d{0,5}(?:/|\.s?html?)"), "day"),  # yyyyMMddHHmmss ids
    (re.compile(r"/(\d{4})(\d{2})/"), "month"),
]


_CLEAN_SPACE = re.compile(r"[\s\u00a0\u3000]+")


def clean(text: str) -> str:
    return _CLEAN_SPACE.sub("", nfkc(text or ""))


STATED_URL = re.compile(r"^(?:原文链接|原文地址|原文网址|来源链接|链接|URL)\s*[:：]\s*(https?://\S+)", re.I)


def stated_url(lines: list[str]) -> str | None:
    """An archived copy names the page it was saved from (`原文链接: https://…`)."""
    for line in lines[:12]:
        m = STATED_URL.match(line.strip())
        if m:
            return m.group(1)
    return None


def make_date(y: int | str, m: int | str, d: int | str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def find_title(lines: list[str], meta: dict[str, str]) -> str | None:
    """The report title: from the body's first lines (joined when broken), else page metadata."""
    # Archivers prefix a field name (标题: …); the title itself follows it.
    head = [
        re.sub(r"^(?:标题|题目|名称|文章标题)\s*[:：]\s*", "", ln.strip()) for ln in lines[:12] if ln.strip()
    ]
    for i, line in enumerate(head):
        if len(line) > 80:
            continue
        if title_year(clean(line)):
            return _unquote(clean(line))
        joined = line
        for extra in head[i + 1 : i + 3]:
            if len(extra) > 40:
                break
            joined += extra
            if title_year(clean(joined)) and clean(joined).endswith(("报告", "报告》")):
                return _unquote(clean(joined))
    for key in ("ArticleTitle", "articletitle", "title", "Title"):
        value = meta.get(key)
        if value and title_year(clean(value)):
            value = re.split(r"[_|]|\s-\s", value)[0]
            return _unquote(clean(value))
    return None


def _unquote(title: str) -> str:
    # A site name appended to the page title: `…年度报告-沭阳县发改局`, `…报告_某某市人民政府`.
    m = re.search(r"报告》?(?=[-_|–—].{2,30}$)", title)
    if m:
        title = title[: m.end()]
    return title[1:-1] if title.startswith("《") and title.endswith("》") else title


def agency_from_title(title: str | None) -> str | None:
    """The agency as the title names it: the text before the year, or after a leading year."""
    if not title:
        return None
    title = clean(title)
    m = TITLE.search(title)
    if not m:
        first = TITLE_YEAR_FIRST.match(title)
        return first.group(2) if first else None
    before = title[: m.start()].strip("《》“”\"' :：-—")
    before = re.sub(r"^关于", "", before)
    if before:
        return before
    after = re.match(r"\d{4}年度?(.+?)(?:政府)?信息公开", title)
    if after and after.group(1) not in ("", "政府"):
        return after.group(1)
    return None


def year_of(title: str | None, text: str) -> int | None:
    """The report year: the title's first, else the statistical period (DEADLINES.md §4)."""
    if title and title_year(title):
        return title_year(title)
    flat = nfkc(text[:20000])
    for pattern in (PERIOD, PERIOD_LOOSE, BODY_YEAR):
        m = pattern.search(flat)
        if m and 2000 <= int(m.group(1)) <= 2100:
            return int(m.group(1))
    m = TITLE.search(clean(flat[:3000]))
    return int(m.group(1)) if m else None


def document_kind(title: str | None) -> str:
    """report | interpretation | notice | announcement | letter | format | unknown (by title)."""
    if not title:
        return "unknown"
    t = clean(title)
    for kind, words in COMPANION.items():
        if any(w in t for w in words):
            return kind
    # 政府工作报告 (the work report to the People's Congress) is another document: 信息公开 must be named.
    if "信息公开" in t and (title_year(t) or "年度报告" in t or "工作报告" in t):
        return "report"
    return "unknown"


def parse_date_text(text: str) -> str | None:
    """`2020-12-15 10:00:00`, `2020/12/15`, `2022-01-5`, `2021-03-2918:26` -> ISO date."""
    m = DATE.search(nfkc(text or ""))
    return make_date(*m.groups()) if m else None


def date_from_meta(meta: dict[str, str]) -> str | None:
    lowered = {k.lower(): v for k, v in meta.items()}
    for key in META_DATE_KEYS:
        value = lowered.get(key)
        if not value:
            continue
        if value.strip().isdigit() and len(value.strip()) in (10, 13):  # epoch seconds / ms
            seconds = int(value.strip()) / (1000 if len(value.strip()) == 13 else 1)
            return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat()
        found = parse_date_text(value)
        if found:
            return found
    return None


def date_from_byline(lines: list[str]) -> str | None:
    for line in lines:
        text = nfkc(line)
        if "星期" in text and not re.search(r"发布|公开日期", text):
            continue  # a date widget in the page chrome
        m = BYLINE.search(text)
        if m:
            found = parse_date_text(m.group(2))
            if found:
                return found
    return None


def date_from_url(url: str | None) -> str | None:
    """A date encoded in the URL: ISO day, or `YYYY-MM` when only the month is known."""
    if not url:
        return None
    for pattern, precision in URL_DATES:
        m = pattern.search(url)
        if not m:
            continue
        if precision == "month":
            y, mo = int(m.group(1)), int(m.group(2))
            if 2000 <= y <= 2100 and 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}"
            continue
        found = make_date(*m.groups())
        if found and 2000 <= int(found[:4]) <= 2100:
            return found
    m = re.search(r"/(?:doc_)?([0-9a-f]{24})\.s?html?", url)  # ObjectId: first 8 hex = Unix seconds
    if m:
        seconds = int(m.group(1)[:8], 16)
        stamp = datetime.fromtimestamp(seconds, tz=UTC).date()
        if 2005 <= stamp.year <= 2100:
            return stamp.isoformat()
    return None


def cn_date(text: str) -> str | None:
    m = CN_DATE.match(text)
    if not m:
        return None
    year = "".join(str(CN_DIGITS[c]) for c in m.group(1))

    def small(s: str) -> int:
        if s == "十":
            return 10
        if s.startswith("十"):
            return 10 + CN_DIGITS[s[1]]
        if s.endswith("十"):
            return CN_DIGITS[s[0]] * 10
        if "十" in s:
            return CN_DIGITS[s[0]] * 10 + CN_DIGITS[s[2]]
        return CN_DIGITS[s]

    try:
        return make_date(year, small(m.group(2)), small(m.group(3)))
    except KeyError:
        return None


def date_from_signature(lines: list[str]) -> str | None:
    """The date under the signature: a line that is only a date, among the last lines."""
    # The last 8 non-empty lines, last first (cleaning only those: bodies run to hundreds of lines).
    tail: list[str] = []
    for x in reversed(lines):
        cleaned = clean(x)
        if cleaned:
            tail.append(cleaned)
            if len(tail) == 8:
                break
    for line in tail:
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", line) or re.fullmatch(
            r"(\d{4})[-.](\d{1,2})[-.](\d{1,2})", line
        )
        if m:
            return make_date(*m.groups())
        found = cn_date(line)
        if found:
            return found
    return None


def plausible(found: str, year: int | None) -> bool:
    """A publish date can't precede the end of the report year; a URL date years later is a migration."""
    if year is None:
        return True
    return found[:4] >= str(year + 1)


def publish_dates(
    meta: dict[str, str], chrome: list[str], body_lines: list[str], url: str | None, year: int | None
) -> list[dict]:
    """Every date evidence found, best first by DEADLINES.md §6 priority."""
    candidates = [
        ("meta", date_from_meta(meta)),
        ("byline", date_from_byline(chrome + body_lines[:10])),
        ("url", date_from_url(url)),
        ("signature", date_from_signature(body_lines)),
    ]
    out = []
    for source, found in candidates:
        if found and plausible(found, year):
            entry = {"date": found, "from": source}
            if source == "url" and year is not None and found[:4] > str(year + 1) and len(out) == 0:
                entry["suspect"] = (
                    "URL date more than a year after the report was due: likely a site migration"
                )
            out.append(entry)
    return out


def best_date(dates: list[dict]) -> tuple[str | None, str | None]:
    for entry in dates:
        if not entry.get("suspect"):
            return entry["date"], entry["from"]
    return None, None
