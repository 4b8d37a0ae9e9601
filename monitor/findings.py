"""A finding: one thing a person should look at, identified by rule|agency|year|subject."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    """What a rule yields. `rule` and `severity` default to the rule's registration (filled by check)."""

    agency_id: str | None
    year: int
    subject: str  # what it is about, stable across runs: a column, a cell, a source URL, "report"
    message: str
    evidence: dict = field(default_factory=dict)
    severity: str | None = None
    report_id: int | None = None
    report_url: str | None = None
    rule: str | None = None

    @property
    def key(self) -> str:
        return f"{self.rule}|{self.agency_id or ''}|{self.year}|{self.subject}"

    def to_row(self) -> dict:
        return {
            "key": self.key,
            "agency_id": self.agency_id,
            "year": self.year,
            "rule": self.rule,
            "subject": self.subject,
            "severity": self.severity,
            "message": self.message,
            "evidence": json.dumps(self.evidence, ensure_ascii=False, sort_keys=True),
            "report_id": self.report_id,
            "report_url": self.report_url,
        }

    @classmethod
    def from_row(cls, row: dict) -> Finding:
        return cls(
            agency_id=row["agency_id"],
            year=row["year"],
            subject=row["subject"],
            message=row["message"],
            evidence=json.loads(row["evidence"] or "{}"),
            severity=row["severity"],
            report_id=row.get("report_id"),
            report_url=row.get("report_url"),
            rule=row["rule"],
        )


def report_finding(
    ctx, report, subject: str, message: str, evidence: dict, severity: str | None = None
) -> Finding:
    """A finding about one stored report; `message` continues "<agency> <year>年度报告…".

    A report matched to no agency is told apart by its id, so two unmatched reports never share a key.
    """
    return Finding(
        agency_id=report.agency_id,
        year=report.year,
        subject=subject + ("" if report.agency_id else f"@{report.id}"),
        message=f"{ctx.name_of(report)} {report.year}年度报告{message}",
        evidence=evidence,
        severity=severity,
        report_id=report.id,
        report_url=report.url,
    )
