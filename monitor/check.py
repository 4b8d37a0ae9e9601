"""`check(db, today=...)`: run every rule over what is stored and update the findings table.

Findings are upserted by their stable key (rule|agency|year|subject): one still produced keeps its
row (last_seen moves on), one no longer produced becomes `resolved`, one a person `dismissed` stays
dismissed. Everything happens in one transaction, and running it twice changes nothing but last_seen.

Speed: an agency whose inputs (its reports of the year and the year before, its sources, its
registry row, whether its deadline has passed, the rule set and calibration) have the same
fingerprint as at the last check reuses the findings remembered then (`monitor_cache`), without
decoding any report. Agencies that changed are checked in batches, each report decoded once.

A large check is CPU-bound, so its batches are computed by a pool of worker processes, each with
its own read-only connection: the main process holds the write lock for the whole check, so the
workers see exactly the committed state it started from (WAL). Every write (digests, cache,
findings) stays in the main process, in the one transaction, and batches are merged in their
original order, so the result does not depend on which worker finished first.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from multiprocessing import get_context
from urllib.parse import quote

import orjson
from sqlite_utils import Database

from db.store import write_transaction
from monitor.context import Context, Tolerances
from monitor.deadlines import deadline_for
from monitor.findings import Finding
from monitor.load import (
    agency_stamps,
    calibrate,
    digest_rows,
    fingerprint,
    load_batch,
    read_digests,
    unmatched_stamps,
    write_digests,
)
from monitor.registry import all_rules

# Bump when a rule's logic changes, so cached results are recomputed.
RULESET_VERSION = "2"
BATCH_SIZE = 500
MAX_WORKERS = 4
# Fewer changed batches than this are checked in-process: starting workers costs about a second.
MIN_POOLED_BATCHES = 2


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
    workers: int | None = None,
) -> dict:
    """Run every rule for report year `year` (default: the most recent one whose deadline has passed
    or is running) as of `today`, restricted to `agencies` if given. Returns
    {rule: {"new": n, "open": n, "resolved": n}} for every rule. `workers`: processes computing
    the changed batches (default min(CPUs, 4); 1 = all in this process)."""
    rules = all_rules()
    ctx = Context.for_day(
        today,
        year,
        agency_ids=frozenset(agencies) if agencies else None,
        tolerances=tolerances or Tolerances(),
    )
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    # Inside a caller's transaction, uncommitted changes would be invisible to worker processes.
    nested = db.conn.in_transaction
    with write_transaction(db):
        ctx.decision_limits = calibrate(db, ctx.year, ctx.tolerances)
        ruleset = _ruleset_fingerprint(rules, ctx)
        produced: dict[str, Finding] = {}
        agency_rules = [r for r in rules if r.scope == "agency"]
        size = 0 if nested else _pool_size(db, agency_rules, workers)
        with _Batches(db, ctx, agency_rules, batch_size, size) as batches:
            _plan(db, ctx, ruleset, produced, use_cache, batches.add)
            for (agencies_fp, reports_fp), result in batches.results():
                _store_batch(db, ctx, agencies_fp, reports_fp, result, produced)
        year_ctx = dataclasses.replace(ctx, digests=read_digests(db, ctx.year))
        for rule in (r for r in rules if r.scope == "year"):
            for finding in rule.func(db, year_ctx):
                finding = _finish(finding, rule)
                if ctx.agency_ids is None or finding.agency_id in ctx.agency_ids:
                    produced.setdefault(finding.key, finding)
        return apply_findings(db, ctx, rules, produced, now)


def _plan(db, ctx: Context, ruleset: str, produced: dict, use_cache: bool, queue) -> None:
    """Fingerprint every agency (and unmatched report) in scope; reuse cached findings of the
    unchanged ones; queue the changed ones: queue("agency" | "report", (id, fingerprint))."""
    cache = {}
    if use_cache:
        cache = {
            scope: (fp, found)
            for scope, fp, found in db.execute(
                "SELECT scope, fingerprint, findings FROM monitor_cache WHERE year = ?", [ctx.year]
            )
        }

    def reuse_or_queue(scope, fp, kind, item):
        cached = cache.get(scope)
        if cached and cached[0] == fp:
            if cached[1] == "[]":  # most agencies: nothing to decode
                return
            for row in orjson.loads(cached[1]):
                finding = Finding(**row)
                produced.setdefault(finding.key, finding)
        else:
            queue(kind, (item, fp))

    passed_by: dict[tuple, bool] = {}  # (kind, deadline): there are few
    for aid, name, kind, region, deadline, reports, sources, n_sources in agency_stamps(
        db, ctx.year, ctx.agency_ids
    ):
        passed = passed_by.get((kind, deadline))
        if passed is None:
            passed = ctx.today > deadline_for({"kind": kind, "deadline": deadline}, ctx.year)
            passed_by[(kind, deadline)] = passed
        fp = fingerprint(ruleset, ctx.year, name, kind, region, deadline, passed, reports, sources, n_sources)
        reuse_or_queue(aid, fp, "agency", aid)
    if ctx.agency_ids is None:
        for rid, stamp in unmatched_stamps(db, ctx.year):
            reuse_or_queue(f"report:{rid}", fingerprint(ruleset, ctx.year, stamp), "report", rid)


def _ids(batch) -> tuple[list, list]:
    agencies, reports = batch
    return [a for a, _ in agencies], [r for r, _ in reports]


def _compute_batch(db, ctx: Context, rules, agency_ids: list, report_ids: list) -> tuple[list, list]:
    """Read one batch and run the agency-scope rules on it. Writes nothing, so it may run in a
    worker process. Returns (digest rows to store, [(finding, its cached JSON)] in the order produced)."""
    batch_agencies, batch_reports, previous = load_batch(db, ctx.year, agency_ids, report_ids)
    by_id = {a.id: a for a in batch_agencies}
    digests = digest_rows(db, batch_reports + [r for rs in previous.values() for r in rs], by_id)
    bctx = ctx.with_batch(batch_agencies, batch_reports, previous)
    found = []
    for rule in rules:
        for finding in rule.func(db, bctx):
            finding = _finish(finding, rule)
            found.append((finding, _cached_json(finding)))
    return digests, found


def _cached_json(finding: Finding) -> str:
    """The finding as JSON, to be read back by Finding(**row)."""
    try:
        return orjson.dumps(finding, option=orjson.OPT_NON_STR_KEYS).decode()  # dataclasses natively
    except TypeError:  # what orjson cannot write (e.g. an integer beyond 64 bits)
        return json.dumps(dataclasses.asdict(finding), ensure_ascii=False)


def _store_batch(db, ctx: Context, agencies: list, reports: list, result, produced: dict) -> None:
    digests, found = result
    write_digests(db, digests)
    by_scope: dict[str, list[str]] = defaultdict(list)
    for finding, cached in found:
        if finding.key in produced:
            continue  # several copies of one report: the newest capture's finding counts
        produced[finding.key] = finding
        by_scope[_scope_of(finding)].append(cached)
    rows = []
    for scope, fp in [*agencies, *((f"report:{r}", fp) for r, fp in reports)]:
        # A JSON list of the findings.
        rows.append((scope, ctx.year, fp, "[" + ", ".join(by_scope.get(scope, ())) + "]"))
    db.conn.executemany(
        "INSERT OR REPLACE INTO monitor_cache (scope, year, fingerprint, findings) VALUES (?, ?, ?, ?)", rows
    )


# -- worker processes ----------------------------------------------------------------------------
def _database_file(db) -> str | None:
    """The file of a WAL database, which other processes can read while this one writes; else None."""
    files = [file for _, name, file in db.execute("PRAGMA database_list") if name == "main"]
    if not files or not files[0]:
        return None  # in memory, or a temporary database
    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        return None
    return files[0]


def _pool_size(db, rules, workers: int | None) -> int:
    """How many worker processes may compute batches: 0 when they cannot (or would not) help."""
    size = min(os.cpu_count() or 1, MAX_WORKERS) if workers is None else workers
    if size < 2:
        return 0
    # A worker finds the rules by importing monitor.rules; one registered elsewhere (a test's) it cannot.
    if any(not r.func.__module__.startswith("monitor.rules.") for r in rules):
        return 0
    return size if _database_file(db) else 0


class _Batches:
    """The changed agencies, then the changed unmatched reports, cut into batches as the plan finds
    them; and the `_compute_batch` result of every batch, in batch order.

    With a pool `size` of 2 or more, worker processes start as soon as there are MIN_POOLED_BATCHES
    batches and compute every complete batch while the plan goes on. Otherwise (or with fewer
    batches) the batches are computed in this process."""

    def __init__(self, db, ctx: Context, rules, batch_size: int, size: int):
        self.db, self.ctx, self.rules, self.batch_size, self.size = db, ctx, rules, batch_size, size
        self.batches: list[tuple[list, list]] = []  # ([(agency id, fp)], [(report id, fp)])
        self.kind: str | None = None  # of the last batch
        self.pool: ProcessPoolExecutor | None = None
        self.futures: deque = deque()
        self.submitted = 0

    def add(self, kind: str, item: tuple) -> None:
        side = 1 if kind == "report" else 0
        if not self.batches or kind != self.kind or len(self.batches[-1][side]) >= self.batch_size:
            self.batches.append(([], []))
            self.kind = kind
            self._submit(complete=len(self.batches) - 1)
        self.batches[-1][side].append(item)

    def _submit(self, complete: int) -> None:
        """The first `complete` batches are final: hand the pool those it has not had yet."""
        if self.pool is None and self.size >= 2 and len(self.batches) >= MIN_POOLED_BATCHES:
            self.pool = ProcessPoolExecutor(
                self.size,
                mp_context=get_context("spawn"),  # no fork of a process holding an open SQLite transaction
                initializer=_worker_start,
                initargs=(_database_file(self.db), self.ctx, [r.code for r in self.rules]),
            )
        while self.pool is not None and self.submitted < complete:
            self.futures.append(self.pool.submit(_worker_batch, *_ids(self.batches[self.submitted])))
            self.submitted += 1

    def results(self):
        """(batch, result) for every batch, in batch order; once the plan is done."""
        self._submit(complete=len(self.batches))
        for batch in self.batches:
            if self.pool is not None:
                yield batch, self.futures.popleft().result()
            else:
                yield batch, _compute_batch(self.db, self.ctx, self.rules, *_ids(batch))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


# Per worker process (set once by the pool's initializer): its connection, the context, the rules.
_worker: dict = {}


def _worker_start(path: str, ctx: Context, codes: list[str]) -> None:
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    rules = {r.code: r for r in all_rules()}
    _worker.update(db=Database(conn), ctx=ctx, rules=[rules[code] for code in codes])


def _worker_batch(agency_ids: list, report_ids: list) -> tuple[list, list]:
    return _compute_batch(_worker["db"], _worker["ctx"], _worker["rules"], agency_ids, report_ids)


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
        update = (
            row["severity"],
            row["message"],
            row["evidence"],
            row["report_id"],
            row["report_url"],
            now,
            fid,
        )
        if status == "resolved":
            reopened.append(update)
            summary[finding.rule]["new"] += 1
        elif (severity, message, evidence) != (row["severity"], row["message"], row["evidence"]):
            changed.append(update)
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
