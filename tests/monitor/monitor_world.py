"""Monitor test helpers: a real SQLite file in tmp_path filled through db.store.save_report with
report dicts shaped like crawler.parse output (INTERFACE §3), built from crawler/parse/keys.py."""

from __future__ import annotations

import json
from datetime import date

from crawler.parse.keys import cell_keys
from db import open_db
from db.store import record_source, save_report
from monitor.check import check
from monitor.deadlines import KIND_DEADLINES

PROBLEMS_TEXT = (
    "五、存在的主要问题及改进情况\n一是公开内容还不够全面。\n二是政策解读形式较为单一，下一步将加强培训。"
)


def build_report(
    year: int = 2020,
    fmt: str | None = None,
    name: str = "测试局",
    *,
    new: int = 3,
    carried_over: int = 0,
    carried_forward: int = 0,
    overview: str = "本年度依法做好政府信息公开工作。",
    problems_text: str = PROBLEMS_TEXT,
    other_text: str = "六、其他需要报告的事项\n无。",
    cells: dict | None = None,
    problems: list | None = None,
    sections: list | None = None,
    published: str | None = None,
    published_from: str | None = None,
    dates: list | None = None,
) -> dict:
    """A consistent report: every applicant is a natural person, every processed application granted."""
    fmt = fmt or ("2021" if year >= 2021 else "2019")
    report = {
        "source": f"{name}-{year}.html",
        "title": f"{name}{year}年度政府信息公开工作报告",
        "agency": name,
        "year": year,
        "format": fmt,
        "published": published,
        "published_from": published_from,
        "sections": sections or ["overview", "active", "requests", "appeals", "problems", "other"],
        "problems": problems or [],
        "dates": dates or ([{"date": published, "from": published_from}] if published else []),
        "document_kind": "report",
        "section_text": {"overview": overview, "problems": problems_text, "other": other_text},
    }
    for table, keys in cell_keys(fmt).items():
        report[table] = dict.fromkeys(keys, 0)
    done = new + carried_over - carried_forward
    for row, value in (
        ("new", new),
        ("carried_over", carried_over),
        ("granted", done),
        ("total", done),
        ("carried_forward", carried_forward),
    ):
        report["requests"][f"{row}.natural"] = value
        report["requests"][f"{row}.total"] = value
    for table, values in (cells or {}).items():
        report[table].update(values)
    report["text"] = "\n".join(v for v in report["section_text"].values() if v)
    return report


class World:
    """A registry and its stored reports in a real SQLite file."""

    def __init__(self, path):
        self.path = str(path / "nianbao.db")
        self.db = open_db(self.path)
        self.blob_dir = str(path / "blobs")

    def agency(self, agency_id, name=None, kind="department", region=None, deadline=None, sources=()):
        self.db["agencies"].insert(
            {
                "id": agency_id,
                "name": name or agency_id,
                "kind": kind,
                "region": region,
                "deadline": deadline or KIND_DEADLINES[kind],
                "deadline_override": deadline,
                "aliases": "[]",
            }
        )
        for url, status in sources:
            self.db["agency_sources"].insert({"agency_id": agency_id, "url": url, "family": None})
            if status:
                record_source(self.db, url, status=status, crawled_at="2021-03-01T00:00:00", detail=status)
            else:
                self.db.execute("INSERT OR IGNORE INTO sources (url) VALUES (?)", [url])
        return agency_id

    def report(self, agency_id, report=None, *, seen="2021-03-01T00:00:00", url=None, **kwargs) -> int:
        report = report or build_report(**{"name": agency_id, **kwargs})
        raw = json.dumps(report, ensure_ascii=False, sort_keys=True).encode()
        url = url or f"http://www.example.gov.cn/{agency_id}/{report['year']}.html"
        saved = save_report(
            self.db, report, raw=raw, blob_dir=self.blob_dir, seen_at=seen, url=url, agency_id=agency_id
        )
        return saved.report_id

    def check(self, today="2021-06-01", year=2020, **kwargs) -> dict:
        return check(self.db, today=date.fromisoformat(today), year=year, **kwargs)

    def findings(self, rule=None, status="open") -> list[dict]:
        sql = "SELECT * FROM findings WHERE 1=1"
        params = []
        if rule:
            sql += " AND rule = ?"
            params.append(rule)
        if status:
            sql += " AND status = ?"
            params.append(status)
        rows = [dict(r) for r in self.db.query(sql + " ORDER BY id", params)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return rows
