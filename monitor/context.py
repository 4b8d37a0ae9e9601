"""What rules may depend on: the day, the report year, the agencies and reports in scope, tolerances
and per-kind calibration. Rules never read the clock or the settings; everything is in here.

`Context` holds the run-wide facts. `check` fills one batch of agencies at a time (`with_batch`),
so memory stays bounded however large the registry; rules just iterate `ctx.reports()` /
`ctx.agencies()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from monitor.deadlines import default_year


@dataclass(slots=True)
class Source:
    url: str
    status: str | None  # ok | unreachable | blocked | not_found | None (never crawled)
    detail: str | None = None
    last_crawled: str | None = None
    last_ok: str | None = None

    @property
    def failing(self) -> bool:
        return self.status in ("unreachable", "blocked", "not_found")


@dataclass(slots=True)
class Agency:
    id: str
    name: str
    kind: str | None
    region: str | None = None
    deadline: str | None = None  # MM-DD in force
    sources: list[Source] = field(default_factory=list)


@dataclass(slots=True)
class Version:
    version: int
    sha256: str | None
    first_seen: str | None


@dataclass(slots=True)
class Report:
    """One stored report (its current version), as the rules see it."""

    id: int
    agency_id: str | None
    year: int
    title: str | None = None
    url: str | None = None
    published: str | None = None
    published_from: str | None = None
    first_seen: str | None = None
    format: str | None = None
    sha256: str | None = None
    version: int = 1
    agency_name: str | None = None
    dates: list = field(default_factory=list)  # [{date, from}]
    problems: list = field(default_factory=list)  # [{code, where, message}]
    sections: list = field(default_factory=list)
    section_text: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # {"active": {key: value}, "requests": ..., "appeals": ...}
    text: str | None = None
    versions: list[Version] = field(default_factory=list)  # every stored version, oldest first
    memo: dict = field(default_factory=dict)  # results several rules share, computed once per check

    def cell(self, table: str, key: str):
        """The value, or None when blank/missing/unreadable (never guessed)."""
        return self.tables.get(table, {}).get(key)

    def problem_codes(self) -> set[str]:
        return {p.get("code") for p in self.problems}


@dataclass(frozen=True)
class Tolerances:
    """How far a 'should be about equal' may be off before it is worth a person's time."""

    # 2019 T1: prev_items(Y) ≈ prev_items(Y-1) + change(Y-1); items lists get reorganised.
    items_abs: float = 5
    items_rel: float = 0.2
    # 2021 T1: in_force(Y) ≈ in_force(Y-1) + issued(Y) - repealed(Y); documents also lapse.
    in_force_abs: float = 10
    in_force_rel: float = 0.5
    # 2019 fees.prev_items/change count fee items; beyond this they look like money.
    fee_items_max: float = 200
    # An amount in 万元 with no unit printed, this large, was probably entered in 元.
    amount_wan_in_yuan: float = 100_000
    # Duplicate: the prose must be at least this long (normalised characters) to count as copied.
    duplicate_min_chars: int = 100
    # Calibration of decision counts: limit = max(floor, factor × the kind's 99th percentile).
    decision_factor: float = 10
    decision_min_samples: int = 200


# Decision counts (T1 处理决定数量) above which a report is implausible for its kind, used until
# enough stored data exists to calibrate; and the floor a calibrated limit never goes below.
DECISION_KEYS = (
    "licensing.decisions",
    "other_services.decisions",
    "penalty.decisions",
    "enforcement.decisions",
)
DECISION_PRIORS = {
    "township": {
        "licensing.decisions": 5000,
        "other_services.decisions": 20000,
        "penalty.decisions": 2000,
        "enforcement.decisions": 1000,
    },
    # Departments and governments vary enormously (a city's traffic police issue millions of
    # penalties): only absurd values until calibrated.
    "department": {k: 10_000_000 for k in DECISION_KEYS},
    "government": {k: 10_000_000 for k in DECISION_KEYS},
}
DECISION_FLOORS = {
    "township": {k: 500 for k in DECISION_KEYS},
    "department": {k: 50_000 for k in DECISION_KEYS},
    "government": {k: 50_000 for k in DECISION_KEYS},
}


@dataclass
class Context:
    today: date
    year: int
    agency_ids: frozenset[str] | None = None  # None: every agency (and unmatched reports)
    tolerances: Tolerances = field(default_factory=Tolerances)
    # (kind, cell key) -> limit for implausible decision counts (see calibrate() in check.py)
    decision_limits: dict = field(default_factory=dict)
    # The batch being checked (agency-scope rules) ...
    batch_agencies: list[Agency] = field(default_factory=list)
    batch_reports: list[Report] = field(default_factory=list)  # year Y
    batch_previous: dict = field(default_factory=dict)  # agency_id -> [Report] of year Y-1
    # ... or, for year-scope rules, the digests of every report of Y and Y-1 (duplicate).
    digests: list = field(default_factory=list)
    agency_names: dict = field(default_factory=dict)  # agency_id -> name (year-scope rules)
    agency_index: dict = field(default_factory=dict)  # agency_id -> Agency of this batch
    reports_index: dict = field(default_factory=dict)  # agency_id -> [Report] of this batch

    @classmethod
    def for_day(cls, today: date, year: int | None = None, **kwargs) -> Context:
        return cls(today=today, year=default_year(today) if year is None else year, **kwargs)

    def with_batch(self, agencies, reports, previous) -> Context:
        agencies, reports = list(agencies), list(reports)
        index: dict = {}
        for report in reports:
            index.setdefault(report.agency_id, []).append(report)
        return dataclasses.replace(
            self,
            batch_agencies=agencies,
            batch_reports=reports,
            reports_index=index,
            batch_previous=previous,
            agency_index={a.id: a for a in agencies},
        )

    # -- what rules iterate ----------------------------------------------------------------
    def agencies(self, db=None) -> Iterator[Agency]:
        """Registry agencies in scope (this batch)."""
        return iter(self.batch_agencies)

    def reports(self, db=None) -> Iterator[Report]:
        """Reports of the year in scope (this batch), newest capture first within an agency."""
        return iter(self.batch_reports)

    def reports_of(self, agency_id: str) -> list[Report]:
        return self.reports_index.get(agency_id, [])

    def previous(self, report: Report) -> Report | None:
        """The same agency's report for the year before (the newest one), or None."""
        if not report.agency_id:
            return None
        earlier = self.batch_previous.get(report.agency_id) or []
        return earlier[0] if earlier else None

    def agency(self, agency_id: str | None) -> Agency | None:
        return self.agency_index.get(agency_id) if agency_id else None

    def name_of(self, report: Report) -> str:
        agency = self.agency(report.agency_id)
        if agency:
            return agency.name
        if report.agency_id in self.agency_names:
            return self.agency_names[report.agency_id]
        return report.agency_name or report.title or f"report {report.id}"

    def decision_limit(self, kind: str | None, key: str) -> float | None:
        return self.decision_limits.get((kind, key))
