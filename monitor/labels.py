"""Chinese labels of cells, rows and columns for messages (taken from crawler/parse/keys.py)."""

from __future__ import annotations

from crawler.parse.keys import ACTIVE_ROWS, APPEAL_COLUMNS, APPEAL_GROUPS, REQUEST_COLUMNS, REQUEST_ROWS

TABLE_NAMES = {"active": "表一", "requests": "表二", "appeals": "表三"}
_REQUEST_ROWS = {key: label for key, label, _ in REQUEST_ROWS}
_REQUEST_COLUMNS = dict(REQUEST_COLUMNS)
_APPEAL_GROUPS = dict(APPEAL_GROUPS)
_APPEAL_COLUMNS = dict(APPEAL_COLUMNS)
_ACTIVE = {
    f"{row}.{col}": f"{labels[0]}·{col_label}"
    # 2019 last: its wording wins for the keys both formats share (处理决定数量)
    for fmt in ("2021", "2019")
    for row, labels, cols in ACTIVE_ROWS[fmt]
    for col, col_label in cols
}


def row_label(table: str, row: str) -> str:
    if table == "requests":
        return _REQUEST_ROWS.get(row, row)
    if table == "appeals":
        return _APPEAL_GROUPS.get(row, row)
    return row


def column_label(table: str, col: str) -> str:
    if table == "requests":
        return _REQUEST_COLUMNS.get(col, col)
    if table == "appeals":
        return _APPEAL_COLUMNS.get(col, col)
    return col


def cell_label(table: str, key: str) -> str:
    """`requests`, `new.total` -> 一、本年新收政府信息公开申请数量·总计."""
    if table == "active":
        return _ACTIVE.get(key, key)
    row, _, col = key.rpartition(".")
    return f"{row_label(table, row)}·{column_label(table, col)}"


def number(value) -> str:
    """12.0 -> '12'; 175.12926 -> '175.12926'."""
    if value is None:
        return "空"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"
