"""Reading the store for the monitor: what changed since the last check (cheap, metadata only) and
the full reports of one batch of agencies (JSON decoded once, shared by every rule)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator

import orjson

from monitor.context import (
    DECISION_FLOORS,
    DECISION_KEYS,
    DECISION_PRIORS,
    Agency,
    Report,
    Source,
    Tolerances,
    Version,
)
from monitor.digest import prose_digest, tables_digest

REPORT_KIND = "coalesce(r.document_kind, 'report') = 'report'"

# Everything about a report that a rule may read, besides the parsed JSON (covered by sha256,
# version, and the problems/sections columns that a re-parse rewrites).
_REPORT_STAMP = (
    "r.id || ',' || r.year || ',' || ifnull(r.sha256,'') || ',' || ifnull(r.version,'') || ',' ||"
    " ifnull(r.published,'') || ',' || ifnull(r.published_from,'') || ',' || ifnull(r.first_seen,'') || ',' ||"
    " ifnull(r.format,'') || ',' || ifnull(r.problems,'') || ',' || ifnull(r.sections,'') || ',' ||"
    " ifnull(r.dates,'') || ',' || ifnull(r.url,'') || ',' || ifnull(r.title,'')"
)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- calibration ---------------------------------------------------------------------------
def calibrate(db, year: int, tolerances: Tolerances) -> dict:
    """Limits for implausible decision counts per (kind, key): max(floor, factor × 99th percentile)
    of what agencies of that kind reported for `year`, or the prior when there are too few reports.
    Rounded to two significant digits so a little new data does not invalidate every cached result."""
    samples: dict = defaultdict(list)
    marks = ",".join("?" for _ in DECISION_KEYS)
    sql = (
        "SELECT a.kind, c.key, c.value FROM reports r JOIN agencies a ON a.id = r.agency_id "
        "JOIN cells c ON c.report_id = r.id AND c.tbl = 'active' "
        f"WHERE r.year = ? AND c.key IN ({marks}) AND c.value IS NOT NULL"
    )
    for kind, key, value in db.execute(sql, [year, *DECISION_KEYS]):
        samples[(kind, key)].append(value)
    limits = {}
    for kind, priors in DECISION_PRIORS.items():
        for key in DECISION_KEYS:
            values = sorted(samples.get((kind, key), []))
            if len(values) >= tolerances.decision_min_samples:
                p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
                limit = max(DECISION_FLOORS[kind][key], tolerances.decision_factor * p99)
            else:
                limit = priors[key]
            limits[(kind, key)] = float(f"{limit:.2g}")
    return limits


# -- what changed ----------------------------------------------------------------------------
def agency_stamps(db, year: int, agency_ids=None) -> Iterator[tuple]:
    """(agency row..., reports stamp, sources stamp) for every agency in scope, in id order."""
    where, params = "", [year, year - 1]
    if agency_ids is not None:
        ids = sorted(agency_ids)
        where = f"WHERE a.id IN ({','.join('?' for _ in ids)})"
        params += ids
    sql = f"""
        SELECT a.id, a.name, a.kind, a.region, a.deadline,
          (SELECT group_concat(x, ';') FROM (
             SELECT {_REPORT_STAMP} || ',' ||
               (SELECT count(*) FROM report_versions v WHERE v.report_id = r.id) AS x
             FROM reports r WHERE r.agency_id = a.id AND r.year IN (?, ?) AND {REPORT_KIND}
             ORDER BY r.id)) AS reports,
          (SELECT group_concat(s.url || ',' || ifnull(s.status,'') || ',' || ifnull(s.last_crawled,'') ||
                  ',' || ifnull(s.detail,''), ';')
             FROM agency_sources x JOIN sources s ON s.url = x.url WHERE x.agency_id = a.id) AS sources,
          (SELECT count(*) FROM agency_sources x WHERE x.agency_id = a.id) AS n_sources
        FROM agencies a {where} ORDER BY a.id
    """
    yield from db.execute(sql, params)


def unmatched_stamps(db, year: int) -> Iterator[tuple]:
    sql = f"""
        SELECT r.id, {_REPORT_STAMP} || ',' ||
               (SELECT count(*) FROM report_versions v WHERE v.report_id = r.id)
        FROM reports r WHERE r.agency_id IS NULL AND r.year = ? AND {REPORT_KIND} ORDER BY r.id
    """
    yield from db.execute(sql, [year])


def fingerprint(*parts) -> str:
    return hashlib.sha1("\x1f".join(["" if p is None else str(p) for p in parts]).encode()).hexdigest()


# -- full reports of a batch ------------------------------------------------------------------
_REPORT_COLUMNS = (
    "r.id, r.agency_id, r.year, r.title, r.url, r.published, r.published_from, r.first_seen, r.format, "
    "r.sha256, r.version, r.agency_name, r.dates, r.problems, r.sections, r.section_text, v.report_json"
)


def _loads(text, default):
    if not text:
        return default
    try:
        return orjson.loads(text)  # several times faster than json on Chinese text
    except (TypeError, ValueError):
        pass
    try:  # what orjson refuses but json reads (NaN, lone surrogates, huge integers)
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def _report_from_row(row) -> Report:
    (rid, agency_id, year, title, url, published, published_from, first_seen, fmt, sha, version,
     agency_name, dates, problems, sections, section_text, report_json) = row  # fmt: skip
    parsed = _loads(report_json, {})
    if not parsed:  # no stored JSON: the report row's own columns
        parsed = {"sections": _loads(sections, []), "problems": _loads(problems, []), "dates": _loads(dates, []),
                  "section_text": _loads(section_text, {})}  # fmt: skip
    return Report(
        id=rid,
        agency_id=agency_id,
        year=year,
        title=title or parsed.get("title"),
        url=url,
        published=published if published is not None else parsed.get("published"),
        published_from=published_from if published is not None else parsed.get("published_from"),
        first_seen=first_seen,
        format=fmt or parsed.get("format"),
        sha256=sha,
        version=version or 1,
        agency_name=agency_name or parsed.get("agency"),
        dates=parsed.get("dates") or [],
        problems=parsed.get("problems") or [],
        sections=parsed.get("sections") or [],
        section_text=parsed.get("section_text") or {},
        tables={t: parsed[t] for t in ("active", "requests", "appeals") if isinstance(parsed.get(t), dict)},
    )


def _fill_tables_from_cells(db, reports: list[Report]) -> None:
    """Reports stored without their JSON: read the long-form cells instead."""
    by_id = {r.id: r for r in reports if not r.tables and r.format}
    for ids in _chunks(list(by_id), 500):
        sql = (
            f"SELECT report_id, tbl, key, value FROM cells WHERE report_id IN ({','.join('?' for _ in ids)})"
        )
        for rid, tbl, key, value in db.execute(sql, ids):
            by_id[rid].tables.setdefault(tbl, {})[key] = value


def _attach_versions(db, reports: list[Report]) -> None:
    revised = {r.id: r for r in reports if (r.version or 1) > 1}
    for ids in _chunks(list(revised), 500):
        sql = (
            "SELECT report_id, version, sha256, first_seen FROM report_versions "
            f"WHERE report_id IN ({','.join('?' for _ in ids)}) ORDER BY report_id, version"
        )
        for rid, version, sha, first_seen in db.execute(sql, ids):
            revised[rid].versions.append(Version(version, sha, first_seen))


def load_version_json(db, report_id: int, version: int) -> dict:
    row = db.execute(
        "SELECT report_json FROM report_versions WHERE report_id = ? AND version = ?", [report_id, version]
    ).fetchone()
    return _loads(row[0] if row else None, {})


def _newest_first(reports: list[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.first_seen or "", r.id), reverse=True)


def load_batch(db, year: int, agency_ids: list[str], report_ids: list[int]):
    """Agencies (with sources), their reports of `year` and `year-1`, and the given unmatched reports."""
    agencies: dict[str, Agency] = {}
    reports: list[Report] = []
    previous: dict[str, list[Report]] = defaultdict(list)
    if agency_ids:
        marks = ",".join("?" for _ in agency_ids)
        for aid, name, kind, region, deadline in db.execute(
            f"SELECT id, name, kind, region, deadline FROM agencies WHERE id IN ({marks})", agency_ids
        ):
            agencies[aid] = Agency(aid, name, kind, region, deadline)
        for aid, url, status, detail, last_crawled, last_ok in db.execute(
            "SELECT x.agency_id, x.url, s.status, s.detail, s.last_crawled, s.last_ok FROM agency_sources x "
            f"LEFT JOIN sources s ON s.url = x.url WHERE x.agency_id IN ({marks}) ORDER BY x.url",
            agency_ids,
        ):
            if aid in agencies:
                agencies[aid].sources.append(Source(url, status, detail, last_crawled, last_ok))
        sql = (
            f"SELECT {_REPORT_COLUMNS} FROM reports r "
            "LEFT JOIN report_versions v ON v.report_id = r.id AND v.version = r.version "
            f"WHERE r.agency_id IN ({marks}) AND r.year IN (?, ?) AND {REPORT_KIND}"
        )
        for row in db.execute(sql, [*agency_ids, year, year - 1]):
            report = _report_from_row(row)
            if report.year == year:
                reports.append(report)
            else:
                previous[report.agency_id].append(report)
    if report_ids:
        sql = (
            f"SELECT {_REPORT_COLUMNS} FROM reports r "
            "LEFT JOIN report_versions v ON v.report_id = r.id AND v.version = r.version "
            f"WHERE r.id IN ({','.join('?' for _ in report_ids)})"
        )
        reports.extend(_report_from_row(row) for row in db.execute(sql, report_ids))
    everything = reports + [r for rs in previous.values() for r in rs]
    _fill_tables_from_cells(db, everything)
    _attach_versions(db, reports)
    previous = {aid: _newest_first(rs) for aid, rs in previous.items()}
    return list(agencies.values()), _newest_first(reports), previous


# -- digests for duplicate --------------------------------------------------------------------
def digest_rows(db, reports: list[Report], agencies: dict) -> list[dict]:
    """The digest rows of the reports whose stored digests are missing or stale (reads only, so
    a worker process can compute them; `write_digests` stores them)."""
    stamps = {}
    ids = [r.id for r in reports]
    for chunk in _chunks(ids, 500):
        sql = f"SELECT report_id, stamp FROM monitor_digests WHERE report_id IN ({','.join('?' for _ in chunk)})"
        stamps.update(db.execute(sql, chunk).fetchall())
    rows = []
    for report in reports:
        stamp = f"{report.sha256}|{report.version}"
        if stamps.get(report.id) == stamp:
            continue
        agency = agencies.get(report.agency_id)
        names = [report.agency_name, agency.name if agency else None, report.title]
        digest, chars = prose_digest(report, names)
        rows.append(
            {
                "report_id": report.id,
                "stamp": stamp,
                "year": report.year,
                "agency_id": report.agency_id,
                "tables_digest": tables_digest(report),
                "prose_digest": digest,
                "prose_chars": chars,
            }
        )
    return rows


def write_digests(db, rows: list[dict]) -> None:
    if rows:
        columns = list(rows[0])
        db.conn.executemany(
            f"INSERT OR REPLACE INTO monitor_digests ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [list(r.values()) for r in rows],
        )


def read_digests(db, year: int) -> list[dict]:
    """Current digests of every report of `year` and `year-1` (stale ones are left out)."""
    sql = f"""
        SELECT d.report_id, r.agency_id, r.year, r.url, r.first_seen, r.published, d.tables_digest,
               d.prose_digest, d.prose_chars
        FROM monitor_digests d JOIN reports r ON r.id = d.report_id
        WHERE r.year IN (?, ?) AND d.stamp = ifnull(r.sha256,'None') || '|' || ifnull(r.version, 1)
          AND d.tables_digest IS NOT NULL AND {REPORT_KIND}
    """
    columns = ["report_id", "agency_id", "year", "url", "first_seen", "published", "tables_digest",
               "prose_digest", "prose_chars"]  # fmt: skip
    return [dict(zip(columns, row, strict=True)) for row in db.execute(sql, [year, year - 1])]
