"""Row labels of the three tables as patterns over normalised text (NFKC, no whitespace).

Labels are matched at the start of a cell or line, tolerating numbering, annotations, typos
(只记/只计) and cut headers; values are located by the label, never by the first digit.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from crawler.parse import keys
from crawler.parse.values import norm

ACTIVE_LABELS: list[tuple[str, re.Pattern]] = [
    ("rules", re.compile(r"^规章")),
    ("normative_docs", re.compile(r"^(?:行政)?规范性文件")),
    ("licensing", re.compile(r"^行政许可")),
    ("other_services", re.compile(r"^其他对外管理服务事项")),
    ("penalty", re.compile(r"^行政处罚")),
    ("enforcement", re.compile(r"^行政强制")),
    ("fees", re.compile(r"^行政事业性收费")),
    ("procurement", re.compile(r"^政府集中采购")),
]

_N = r"(?:\d[.、]?)?"  # the 1. 2. ... numbering of sub-rows
REQUEST_LABELS: list[tuple[str, re.Pattern]] = [
    ("new", re.compile(r"^(?:一[、.])?本年新收")),
    ("carried_over", re.compile(r"^(?:二[、.])?上年结转")),
    ("granted", re.compile(r"^(?:\(一\))?予以公开")),
    ("partly_granted", re.compile(r"^(?:\(二\))?部分公开")),
    ("withheld.state_secret", re.compile(rf"^{_N}属于国家秘密")),
    ("withheld.law_forbidden", re.compile(rf"^{_N}其他法律行政法规禁止公开")),
    ("withheld.security_stability", re.compile(rf"^{_N}危及")),
    ("withheld.third_party", re.compile(rf"^{_N}保护第三方")),
    ("withheld.internal_affairs", re.compile(rf"^{_N}属于三类内部事务")),
    ("withheld.process_info", re.compile(rf"^{_N}属于四类过程性")),
    ("withheld.enforcement_file", re.compile(rf"^{_N}属于行政执法案卷")),
    ("withheld.query_matter", re.compile(rf"^{_N}属于行政查询事项")),
    ("unavailable.not_held", re.compile(rf"^{_N}本机关不掌握")),
    ("unavailable.needs_creation", re.compile(rf"^{_N}没有现成信息")),
    ("unavailable.unclear", re.compile(rf"^{_N}补正后申请内容")),
    ("not_processed.petition", re.compile(rf"^{_N}信访举报投诉")),
    ("not_processed.duplicate", re.compile(rf"^{_N}重复申请")),
    ("not_processed.publication", re.compile(rf"^{_N}要求提供公开出版物")),
    ("not_processed.excessive", re.compile(rf"^{_N}无正当理由大量反复")),
    ("not_processed.confirmation", re.compile(rf"^{_N}要求行政机关确认")),
    ("other", re.compile(r"^\(六\)其他处理")),
    ("other.overdue_correction", re.compile(rf"^{_N}(?:申请人)?(?:无正当理由)?逾期不补正")),
    ("other.unpaid_fee", re.compile(rf"^{_N}(?:申请人)?逾期未按收费通知")),
    ("other.other", re.compile(r"^3[.、]?其他(?!处理|法律|对外)")),
    ("total", re.compile(r"^\(七\)总计")),
    ("carried_forward", re.compile(r"^(?:四[、.])?结转下年度")),
]

# Group labels printed before row labels (on the same line in flattened text).
GROUP_PREFIX = re.compile(r"^(?:三[、.]本年度办理结果|\(三\)不予公开|\(四\)无法提供|\(五\)不予处理)+")
GROUP_2021_OTHER = re.compile(r"^\(六\)其他处理")

APPEAL_HEADERS = (
    "行政复议",
    "行政诉讼",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "总计",
    "未经复议直接起诉",
    "复议后起诉",
)
REQUEST_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

# Text that starts each table (segment markers).
ACTIVE_MARKER = re.compile(r"第二十条|^信息内容")
REQUESTS_MARKER = re.compile(r"勾稽关系|^申请人情况|^(?:一[、.])?本年新收")
APPEALS_MARKER = re.compile(r"^行政复议(?:行政诉讼)?$|^未经复议直接起诉|^行政复议行政诉讼")


@lru_cache(maxsize=16384)  # called for every table cell; cell texts repeat across rows and documents
def match_active(text: str) -> tuple[str, int] | None:
    """(row key, end of the label in `text`) for a normalised cell or line."""
    for key, pattern in ACTIVE_LABELS:
        m = pattern.match(text)
        if m:
            return key, m.end()
    return None


def match_request(text: str, fmt: str | None) -> tuple[str, int] | None:
    start = 0
    m = GROUP_PREFIX.match(text)
    if m:
        start = m.end()
    if fmt == "2021":
        m = GROUP_2021_OTHER.match(text, start)
        if m and not re.match(r"[\d\-—/]", text[m.end() : m.end() + 1] or "x"):
            start = m.end()
    rest = text[start:]
    for key, pattern in REQUEST_LABELS:
        if fmt == "2021" and key == "other":
            continue
        if fmt == "2019" and key.startswith("other."):
            continue
        m = pattern.match(rest)
        if m:
            return key, start + m.end()
    return None


def _canonical(label: str) -> str:
    return re.sub(r"^(?:\d[.、]|\([一二三四五六七]\)|[一二三四][、.])", "", norm(label))


CANONICAL_REQUESTS = [(key, _canonical(label), formats) for key, label, formats in keys.REQUEST_ROWS]
CANONICAL_ACTIVE = [(row, _canonical(label)) for row, names, _ in keys.ACTIVE_ROWS["2019"] for label in names]


def fuzzy(text: str, candidates: list[tuple[str, str]], threshold: float = 0.8) -> str | None:
    """A label cell with a typo (`其他法律行政止公开`): the one canonical label it is close to."""
    body = _canonical(text)
    if len(body) < 4 or re.search(r"\d", body):
        return None
    scored = []
    for key, label in candidates:
        matcher = SequenceMatcher(None, body, label)
        if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
            scored.append((matcher.ratio(), key))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= threshold and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.1):
        return scored[0][1]
    return None


@lru_cache(maxsize=16384)
def match_request_cell(text: str, fmt: str | None) -> tuple[str, int] | None:
    """A whole grid cell: exact label first, then a near miss (typos in real reports)."""
    hit = match_request(text, fmt)
    if hit or len(text) < 5 or text in REQUEST_HEADERS or not re.search(r"[\u4e00-\u9fff]", text):
        return hit
    key = fuzzy(
        text, [(k, label) for k, label, formats in CANONICAL_REQUESTS if fmt is None or fmt in formats]
    )
    return (key, len(text)) if key else None


@lru_cache(maxsize=16384)
def is_group_label(text: str) -> bool:
    t = norm(text)
    return bool(GROUP_PREFIX.fullmatch(t)) or t in (
        "三、本年度办理结果",
        "(三)不予公开",
        "(四)无法提供",
        "(五)不予处理",
    )


def is_appeal_header(text: str) -> bool:
    return norm(text) in APPEAL_HEADERS


@lru_cache(maxsize=16384)  # called for every table cell
def marker_of(text: str) -> str | None:
    """Which table a cell starts, if it is one of the tables' opening cells."""
    t = norm(text)
    if not t:
        return None
    if APPEALS_MARKER.search(t):
        return "appeals"
    if REQUESTS_MARKER.search(t):
        return "requests"
    if ACTIVE_MARKER.search(t):
        return "active"
    return None
