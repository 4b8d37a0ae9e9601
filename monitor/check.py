"""`check(db, today=...)`: run every rule over what is stored and update the findings table.

Findings are upserted by their stable key (rule|agency|year|subject): one still produced keeps its
row (last_seen moves on), one no longer produced becomes `resolved`, one a person `dismissed` stays
dismissed. Everything happens in one transaction, and running it twice changes nothing but last_seen.

Speed: an agency whose inputs (its reports of the year and the year before, its sources, its
registry row, whether its deadline has passed, the rule set and calibration) have the same
fingerprint as at the last check reuses the findings remembered then (`monitor_cache`), without
decoding any report. Agencies that changed are checked in batches, each report decoded once.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import UTC, date, datetime

from db.store import write_transaction
from monitor.context import Context, Tolerances
from monitor.deadlines import deadline_for
from monitor.findings import Finding
from monitor.load import (
    agency_stamps,
    calibrate,
    fingerprint,
    load_batch,
    read_digests,
    save_digests,
    unmatched_stamps,
)
from monitor.registry import all_rules

# Bump when a rule's logic changes, so cached results are recomputed.
RULESET_VERSION = "2"
BATCH_SIZE = 500


def _scope_of(finding: Finding) -> str:
    return finding.agency_id or f"report:{finding.report_id}"


def _ruleset_fingerprint(rules, ctx: Context) -> str:
    return fingerprint(
        RULESET_VERSION,
        ",".join(f"{r.code}:{r.severity}:{r.scope}" for r in rules),
        repr(ctx.tolerances),
        repr(sorted(ctx.decision_limits.items())),
    )


def _finish(finding: Finding, rule) -> Finding:
    if finding.rule is None:
        finding.rule = rule.code
    elif finding.rule != rule.code:
        raise ValueError(f"rule {rule.code} produced a finding for {finding.rule}")
    finding.severity = finding.severity or rule.severity
    return finding


def check(
    db,
    *,
    today: date,
    year: int | None = None,
    agencies: list[str] | None = None,
    now: str | None = None,
    tolerances: Tolerances | None = None,
    use_cache: bool = True,
    batch_size: int = BATCH_SIZE,
) -> dict:
    """Run every rule for report year `year` (default: the most recent one whose deadline has passed
    or is running) as of `today`, restricted to `agencies` if given. Returns
    {rule: {"new": n, "open": n, "resolved": n}} for every rule."""
    rules = all_rules()
    ctx = Context.for_day(
        today,
        year,
        agency_ids=frozenset(agencies) if agencies else None,
        tolerances=tolerances or Tolerances(),
    )
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    with write_transaction(db):
        ctx.decision_limits = calibrate(db, ctx.year, ctx.tolerances)
        ruleset = _ruleset_fingerprint(rules, ctx)
        produced: dict[str, Finding] = {}
        dirty_agencies, dirty_reports = _plan(db, ctx, ruleset, produced, use_cache)
        agency_rules = [r for r in rules if r.scope == "agency"]
        for start in range(0, len(dirty_agencies), batch_size):
            _run_batch(db, ctx, agency_rules, dirty_agencies[start : start + batch_size], [], produced)
        for start in range(0, len(dirty_reports), batch_size):
            _run_batch(db, ctx, agency_rules, [], dirty_reports[start : start + batch_size], produced)
        year_ctx = dataclasses.replace(ctx, digests=read_digests(db, ctx.year))
        for rule in (r for r in rules if r.scope == "year"):
            for finding in rule.func(db, year_ctx):
                finding = _finish(finding, rule)
                if ctx.agency_ids is None or finding.agency_id in ctx.agency_ids:
                    produced.setdefault(finding.key, finding)
        return apply_findings(db, ctx, rules, produced, now)


def _plan(db, ctx: Context, ruleset: str, produced: dict, use_cache: bool):
    """Fingerprint every agency (and unmatched report) in scope; reuse cached findings of the
    unchanged ones; return the changed ones as [(scope, fingerprint)]."""
    cache = {}
    if use_cache:
        cache = {
            scope: (fp, found)
            for scope, fp, found in db.execute(
                "SELECT scope, fingerprint, findings FROM monitor_cache WHERE year = ?", [ctx.year]
            )
        }
    dirty_agencies, dirty_reports = [], []

    def reuse_or_queue(scope, fp, queue, item):
        cached = cache.get(scope)
        if cached and cached[0] == fp:
            for row in json.loads(cached[1]):
                finding = Finding(**row)
                produced.setdefault(finding.key, finding)
        else:
            queue.append((item, fp))

    for aid, name, kind, region, deadline, reports, sources, n_sources in agency_stamps(
        db, ctx.year, ctx.agency_ids
    ):
        passed = ctx.today > deadline_for({"kind": kind, "deadline": deadline}, ctx.year)
        fp = fingerprint(ruleset, ctx.year, name, kind, region, deadline, passed, reports, sources, n_sources)
        reuse_or_queue(aid, fp, dirty_agencies, aid)
    if ctx.agency_ids is None:
        for rid, stamp in unmatched_stamps(db, ctx.year):
            reuse_or_queue(f"report:{rid}", fingerprint(ruleset, ctx.year, stamp), dirty_reports, rid)
    return dirty_agencies, dirty_reports


def _run_batch(db, ctx: Context, rules, agencies: list, reports: list, produced: dict) -> None:
    agency_ids = [a for a, _ in agencies]
    report_ids = [r for r, _ in reports]
    batch_agencies, batch_reports, previous = load_batch(db, ctx.year, agency_ids, report_ids)
    by_id = {a.id: a for a in batch_agencies}
    save_digests(db, batch_reports + [r for rs in previous.values() for r in rs], by_id)
    bctx = ctx.with_batch(batch_agencies, batch_reports, previous)
    by_scope: dict[str, list[Finding]] = defaultdict(list)
    for rule in rules:
        for finding in rule.func(db, bctx):
            finding = _finish(finding, rule)
            if finding.key in produced:
                continue  # several copies of one report: the newest capture's finding counts
            produced[finding.key] = finding
            by_scope[_scope_of(finding)].append(finding)
    rows = []
    for scope, fp in [*agencies, *((f"report:{r}", fp) for r, fp in reports)]:
        found = [dataclasses.asdict(f) for f in by_scope.get(scope, [])]
        rows.append((scope, ctx.year, fp, json.dumps(found, ensure_ascii=False)))
    db.conn.executemany(
        "INSERT OR REPLACE INTO monitor_cache (scope, year, fingerprint, findings) VALUES (?, ?, ?, ?)", rows
    )


def apply_findings(db, ctx: Context, rules, produced: dict[str, Finding], now: str) -> dict:
    """Upsert `produced` into the findings table; resolve what is no longer produced."""
    codes = [r.code for r in rules]
    summary = {code: {"new": 0, "open": 0, "resolved": 0} for code in codes}
    where = f"year = ? AND rule IN ({','.join('?' for _ in codes)})"
    params: list = [ctx.year, *codes]
    if ctx.agency_ids is not None:
        where += f" AND agency_id IN ({','.join('?' for _ in ctx.agency_ids)})"
        params += sorted(ctx.agency_ids)
    existing = {
        key: (fid, status, severity, message, evidence)
        for fid, key, status, severity, message, evidence in db.execute(
            f"SELECT id, key, status, severity, message, evidence FROM findings WHERE {where}", params
        )
    }
    inserts, seen, changed, reopened, resolved = [], [], [], [], []
    for key, finding in produced.items():
        row = finding.to_row()
        old = existing.get(key)
        if old is None:
            inserts.append(
                {**row, "first_seen": now, "last_seen": now, "status": "open", "resolved_at": None}
            )
            summary[finding.rule]["new"] += 1
            continue
        fid, status, severity, message, evidence = old
        if status == "resolved":
            reopened.append(
                (
                    row["severity"],
                    row["message"],
                    row["evidence"],
                    row["report_id"],
                    row["report_url"],
                    now,
                    fid,
                )
            )
            summary[finding.rule]["new"] += 1
        elif (severity, message, evidence) != (row["severity"], row["message"], row["evidence"]):
            changed.append(
                (
                    row["severity"],
                    row["message"],
                    row["evidence"],
                    row["report_id"],
                    row["report_url"],
                    now,
                    fid,
                )
            )
        else:
            seen.append((now, fid))
    for key, (fid, status, *_rest) in existing.items():
        if key not in produced and status == "open":
            resolved.append((now, fid))
            summary[key.split("|", 1)[0]]["resolved"] += 1
    if inserts:
        columns = list(inserts[0])
        db.conn.executemany(
            f"INSERT INTO findings ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [list(r.values()) for r in inserts],
        )
    update = "UPDATE findings SET severity = ?, message = ?, evidence = ?, report_id = ?, report_url = ?, last_seen = ?"
    db.conn.executemany(f"{update} WHERE id = ?", changed)
    db.conn.executemany(f"{update}, status = 'open', resolved_at = NULL WHERE id = ?", reopened)
    db.conn.executemany("UPDATE findings SET last_seen = ? WHERE id = ?", seen)
    db.conn.executemany("UPDATE findings SET status = 'resolved', resolved_at = ? WHERE id = ?", resolved)
    for rule_code, count in db.execute(
        f"SELECT rule, count(*) FROM findings WHERE {where} AND status = 'open' GROUP BY rule", params
    ):
        summary[rule_code]["open"] = count
    return summary
