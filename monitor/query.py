"""Reading and curating findings (what `nianbao findings` shows and changes)."""

from __future__ import annotations

import json

FINDING_COLUMNS = (
    "id", "agency_id", "year", "rule", "subject", "severity", "message", "evidence",
    "report_url", "first_seen", "last_seen", "status",
)  # fmt: skip
STATUSES = ("open", "resolved", "dismissed")


def list_findings(db, *, year=None, rule=None, status="open", agency=None) -> list[dict]:
    """Findings, most severe first. `rule` matches a code exactly or a family prefix (`inconsistent`)."""
    where, params = [], []
    if status and status != "all":
        where.append("status = ?")
        params.append(status)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if rule:
        where.append("(rule = ? OR rule LIKE ?)")
        params += [rule, f"{rule}.%"]
    if agency:
        where.append("agency_id = ?")
        params.append(agency)
    sql = (
        f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule, agency_id, year, id"
    )
    rows = [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in db.execute(sql, params)]
    for row in rows:
        row["evidence"] = json.loads(row["evidence"] or "{}")
    return rows


def set_status(db, finding_id: int, status: str, *, now: str) -> dict:
    """A person dismisses (or reopens) a finding. Raises KeyError for an unknown id."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    row = db.execute("SELECT id, status FROM findings WHERE id = ?", [finding_id]).fetchone()
    if row is None:
        raise KeyError(finding_id)
    with db.conn:
        db.execute(
            "UPDATE findings SET status = ?, resolved_at = CASE WHEN ? = 'open' THEN NULL ELSE ? END WHERE id = ?",
            [status, status, now, finding_id],
        )
    return {"id": finding_id, "was": row[1], "status": status}
