"""The national report format as data: every cell key of both formats, with its labels.

This module is the single source of the cell keys of INTERFACE.md §3 and FORMATS.md §3–5.
Everything else (the table reader, the store, the rules) takes its keys from here.
"""

from __future__ import annotations

FORMATS = ("2019", "2021")
TABLES = ("active", "requests", "appeals")

# Table 1 `active`: (row key, row label, [(column key, column label), ...]) per format.
ACTIVE_ROWS: dict[str, list[tuple[str, tuple[str, ...], list[tuple[str, str]]]]] = {
    "2019": [
        (
            "rules",
            ("规章",),
            [("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total", "对外公开总数量")],
        ),
        (
            "normative_docs",
            ("规范性文件", "行政规范性文件"),
            [("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total", "对外公开总数量")],
        ),
        (
            "licensing",
            ("行政许可",),
            [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")],
        ),
        (
            "other_services",
            ("其他对外管理服务事项",),
            [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")],
        ),
        (
            "penalty",
            ("行政处罚",),
            [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")],
        ),
        (
            "enforcement",
            ("行政强制",),
            [("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")],
        ),
        ("fees", ("行政事业性收费",), [("prev_items", "上一年项目数量"), ("change", "本年增/减")]),
        ("procurement", ("政府集中采购",), [("projects", "采购项目数量"), ("amount_wan", "采购总金额")]),
    ],
    "2021": [
        (
            "rules",
            ("规章",),
            [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
        ),
        (
            "normative_docs",
            ("行政规范性文件", "规范性文件"),
            [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
        ),
        ("licensing", ("行政许可",), [("decisions", "本年处理决定数量")]),
        ("penalty", ("行政处罚",), [("decisions", "本年处理决定数量")]),
        ("enforcement", ("行政强制",), [("decisions", "本年处理决定数量")]),
        ("fees", ("行政事业性收费",), [("amount_wan", "本年收费金额")]),
    ],
}

# Cells that may be negative (signed changes) or decimal (amounts in 万元).
SIGNED_COLUMNS = frozenset({"change"})
AMOUNT_COLUMNS = frozenset({"amount_wan"})

# Table 2 `requests`: columns in order.
REQUEST_COLUMNS: list[tuple[str, str]] = [
    ("natural", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
]
APPLICANT_COLUMNS = [c for c, _ in REQUEST_COLUMNS if c != "total"]

# Table 2 rows in the format's order: (row key, label as printed, formats it belongs to).
# Group labels without cells are not listed here; see GROUP_LABELS.
REQUEST_ROWS: list[tuple[str, str, tuple[str, ...]]] = [
    ("new", "一、本年新收政府信息公开申请数量", FORMATS),
    ("carried_over", "二、上年结转政府信息公开申请数量", FORMATS),
    ("granted", "(一)予以公开", FORMATS),
    ("partly_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", FORMATS),
    ("withheld.state_secret", "1.属于国家秘密", FORMATS),
    ("withheld.law_forbidden", "2.其他法律行政法规禁止公开", FORMATS),
    ("withheld.security_stability", "3.危及“三安全一稳定”", FORMATS),
    ("withheld.third_party", "4.保护第三方合法权益", FORMATS),
    ("withheld.internal_affairs", "5.属于三类内部事务信息", FORMATS),
    ("withheld.process_info", "6.属于四类过程性信息", FORMATS),
    ("withheld.enforcement_file", "7.属于行政执法案卷", FORMATS),
    ("withheld.query_matter", "8.属于行政查询事项", FORMATS),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息", FORMATS),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作", FORMATS),
    ("unavailable.unclear", "3.补正后申请内容仍不明确", FORMATS),
    ("not_processed.petition", "1.信访举报投诉类申请", FORMATS),
    ("not_processed.duplicate", "2.重复申请", FORMATS),
    ("not_processed.publication", "3.要求提供公开出版物", FORMATS),
    ("not_processed.excessive", "4.无正当理由大量反复申请", FORMATS),
    ("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", FORMATS),
    ("other", "(六)其他处理", ("2019",)),
    (
        "other.overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("2021",),
    ),
    (
        "other.unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("2021",),
    ),
    ("other.other", "3.其他", ("2021",)),
    ("total", "(七)总计", FORMATS),
    ("carried_forward", "四、结转下年度继续办理", FORMATS),
]

# Group labels of table 2 that carry no cells (2021: (六) is a group label too).
GROUP_LABELS = ("三、本年度办理结果", "(三)不予公开", "(四)无法提供", "(五)不予处理")

# Table 3 `appeals`.
APPEAL_GROUPS: list[tuple[str, str]] = [
    ("review", "行政复议"),
    ("suit_direct", "未经复议直接起诉"),
    ("suit_after_review", "复议后起诉"),
]
APPEAL_COLUMNS: list[tuple[str, str]] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

SECTIONS = ("overview", "active", "requests", "appeals", "problems", "other")


def request_rows(fmt: str) -> list[str]:
    """Table-2 row keys of a format, in order."""
    return [key for key, _, formats in REQUEST_ROWS if fmt in formats]


def outcome_rows(fmt: str) -> list[str]:
    """The outcome rows summed by （七）总计: `granted` .. `other` (2019) or `other.other` (2021)."""
    rows = request_rows(fmt)
    return rows[rows.index("granted") : rows.index("total")]


def active_keys(fmt: str) -> list[str]:
    return [f"{row}.{col}" for row, _, cols in ACTIVE_ROWS[fmt] for col, _ in cols]


def request_keys(fmt: str) -> list[str]:
    return [f"{row}.{col}" for row in request_rows(fmt) for col, _ in REQUEST_COLUMNS]


def appeal_keys() -> list[str]:
    return [f"{g}.{c}" for g, _ in APPEAL_GROUPS for c, _ in APPEAL_COLUMNS]


def cell_keys(fmt: str) -> dict[str, list[str]]:
    """Every cell key of a format, per table, in the format's order."""
    return {"active": active_keys(fmt), "requests": request_keys(fmt), "appeals": appeal_keys()}


def split_key(table: str, key: str) -> tuple[str, str]:
    """`withheld.third_party.total` -> (`withheld.third_party`, `total`)."""
    row, _, col = key.rpartition(".")
    return row, col
