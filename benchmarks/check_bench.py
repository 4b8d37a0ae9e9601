"""`check` at registry scale: first run, unchanged re-run, and peak memory.

    python benchmarks/check_bench.py [--agencies 150000] [--years 5] [--db PATH] [--keep]

Generates a registry of N agencies (60% departments, 10% governments, 30% townships) with YEARS
years of parsed reports (2019-format tables up to 2020, 2021 format after), bulk-inserted straight
into the store's schema (agencies, agency_sources, sources, reports, report_versions, cells) with
realistic values and a few percent of faults: arithmetic errors, blank cells, late and missing
reports, failing sources, implausible counts, wrong prose counts, copied reports, revised reports.
Then times `check` for the latest report year (the default year) twice — first run, then again
with nothing changed — each phase in its own subprocess so peak RSS (ru_maxrss) is per phase.
Goals: the re-run >= 5x faster than the first run; peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.parse.keys import APPEAL_GROUPS, APPLICANT_COLUMNS, cell_keys, outcome_rows  # noqa: E402

FIRST_YEAR = 2019
KINDS = ["department"] * 6 + ["government"] + ["township"] * 3
FILLER = [
    "严格落实政务公开工作要点，完善工作机制。",
    "主动公开机构职能、政策文件、财政预决算等信息。",
    "加强政策解读，做到文件与解读同步起草、同步审签、同步发布。",
    "规范依申请公开办理流程，按时答复申请人。",
    "推进基层政务公开标准化规范化建设。",
    "加强政府网站和政务新媒体管理。",
    "开展政务公开培训，提升工作人员业务能力。",
    "围绕优化营商环境做好重点领域信息公开。",
    "及时回应社会关切，做好舆情处置。",
    "健全政务公开监督考核制度。",
    "推进重大建设项目批准和实施信息公开。",
    "做好疫情防控信息发布工作。",
]


def kb_peak(who=resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss


def consistent_tables(
    rng: random.Random, fmt: str, kind: str, carried_over: dict, stock: dict
) -> tuple[dict, dict]:
    """Tables that satisfy every hard rule and follow last year's (carried_over, and `stock`: the item
    counts and documents in force, updated in place); returns (tables, carried_forward per column)."""
    keys = cell_keys(fmt)
    tables = {t: dict.fromkeys(ks, 0) for t, ks in keys.items()}
    scale = {"township": 2, "department": 12, "government": 60}[kind]
    req = tables["requests"]
    outcomes = outcome_rows(fmt)
    carried_forward = {}
    for col in APPLICANT_COLUMNS:
        new = rng.randint(0, scale) if (col == "natural" or rng.random() < 0.2) else 0
        before = carried_over.get(col, 0)
        forward = rng.randint(0, min(2, new + before)) if new + before and rng.random() < 0.2 else 0
        done = new + before - forward
        req[f"new.{col}"], req[f"carried_over.{col}"] = new, before
        req[f"total.{col}"], req[f"carried_forward.{col}"] = done, forward
        for _ in range(done):  # spread over a few outcome rows
            row = rng.choice(outcomes[:3] + outcomes[12:13] if rng.random() < 0.9 else outcomes)
            req[f"{row}.{col}"] += 1
        carried_forward[col] = forward
    rows = {k.rpartition(".")[0] for k in req}
    for row in rows:
        req[f"{row}.total"] = sum(req[f"{row}.{c}"] for c in APPLICANT_COLUMNS)
    carried_forward["total"] = sum(carried_forward.values())
    for group, _ in APPEAL_GROUPS:
        if rng.random() < 0.05:
            upheld = rng.randint(0, 2)
            tables["appeals"][f"{group}.upheld"] = upheld
            tables["appeals"][f"{group}.total"] = upheld
    act = tables["active"]
    limit = {"township": 30, "department": 800, "government": 3000}[kind]
    for key in act:
        if key.endswith(".decisions"):
            act[key] = rng.randint(0, limit)
        elif key.endswith("amount_wan"):
            act[key] = round(rng.random() * 500, 2)
    if fmt == "2019":
        for row in ("licensing", "other_services", "penalty", "enforcement", "fees"):
            act[f"{row}.prev_items"] = stock.setdefault(row, rng.randint(0, 40))
            act[f"{row}.change"] = rng.randint(-2, 3) if act[f"{row}.prev_items"] > 2 else 0
            stock[row] = act[f"{row}.prev_items"] + act[f"{row}.change"]
        act["normative_docs.total"] = stock.setdefault("disclosed", rng.randint(0, 60)) + 2
        act["normative_docs.published"] = act["normative_docs.made"] = 2
        stock["disclosed"] += 2
    else:
        issued, repealed = rng.randint(0, 4), rng.randint(0, 1)
        before = stock.setdefault("in_force", rng.randint(5, 60))
        act["normative_docs.issued"], act["normative_docs.repealed"] = issued, repealed
        act["normative_docs.in_force"] = stock["in_force"] = before + issued - repealed
    return tables, carried_forward


DECISION_CELLS = (
    "licensing.decisions",
    "other_services.decisions",
    "penalty.decisions",
    "enforcement.decisions",
)


def generate(path: str, n_agencies: int, n_years: int, all_cells: bool = True, seed: int = 1) -> dict:
    from db import open_db

    rng = random.Random(seed)
    db = open_db(path)
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")
    years = list(range(FIRST_YEAR, FIRST_YEAR + n_years))
    counts = dict.fromkeys(("reports", "cells", "faults", "copies"), 0)
    last_of_kind: dict = {}
    state: dict[str, dict] = {}
    report_id = 0
    sources = {}
    chunk = 250
    for start in range(0, n_agencies, chunk):
        agencies, links, reports, versions, cells = [], [], [], [], []
        for i in range(start, min(n_agencies, start + chunk)):
            aid = f"agency-{i:06d}"
            kind = KINDS[i % len(KINDS)]
            name = (
                f"测试{i}号{'乡镇' if kind == 'township' else '局' if kind == 'department' else '人民政府'}"
            )
            deadline = "03-31" if kind == "government" else "01-31"
            agencies.append((aid, name, kind, f"某省/某市/某县{i // 50}", deadline, None, "[]", "2024-01-01"))
            url = f"http://county{i // 20}.gov.cn/xxgk/gknb/"
            if url not in sources:
                sources[url] = "unreachable" if rng.random() < 0.005 else "ok"
            links.append((aid, url, None))
            carried, stock = {}, {}
            for year in years:
                fmt = "2019" if year <= 2020 else "2021"
                if rng.random() < 0.01:  # missing
                    carried = {}
                    continue
                if fmt == "2021" and year == 2021:
                    stock = {}  # 2019 stocks do not carry into the 2021 format
                tables, carried = consistent_tables(rng, fmt, kind, carried, stock)
                problems = []
                fault = rng.random()
                if fault < 0.02:  # arithmetic error
                    tables["requests"]["total.total"] += 1
                elif fault < 0.05:  # blank cells
                    for col in (
                        "natural",
                        "commercial",
                        "research",
                        "nonprofit",
                        "legal",
                        "other_org",
                        "total",
                    ):
                        tables["requests"][f"partly_granted.{col}"] = None
                    problems.append(
                        {"code": "blank_cells", "where": "requests.partly_granted", "message": "empty"}
                    )
                elif fault < 0.055 and kind == "township":
                    tables["active"]["enforcement.decisions"] = 10087
                counts["faults"] += fault < 0.055
                deadline_day = date(year + 1, 3 if kind == "government" else 1, 31)
                late = rng.random() < 0.03
                published = deadline_day + timedelta(days=rng.randint(1, 60) if late else -rng.randint(0, 25))
                first_seen = (published + timedelta(days=rng.randint(0, 3))).isoformat() + "T08:00:00"
                copy = last_of_kind.get((kind, year))
                if copy and rng.random() < 0.003:  # 内容雷同: another agency's report, name changed
                    tables = json.loads(json.dumps(copy[0]))
                    counts["copies"] += 1
                new_total = tables["requests"]["new.total"]
                stated = new_total + (1 if rng.random() < 0.005 else 0)
                overview = "".join(rng.sample(FILLER, 6)) + f"本年度共收到政府信息公开申请{stated}件。"

                section_text = {
                    "overview": overview,
                    "problems": "五、存在的主要问题及改进情况\n一是公开的深度和广度还需拓展；二是解读形式较为单一。\n"
                    + "下一步，"
                    + "".join(rng.sample(FILLER, 3)),
                    "other": "六、其他需要报告的事项\n本年度未收取信息处理费。",
                }
                if copy and tables == copy[0]:
                    section_text = copy[1]
                last_of_kind[(kind, year)] = (tables, section_text)
                report_id += 1
                report = {
                    "source": f"http://county{i // 20}.gov.cn/art/{year + 1}/{aid}.html",
                    "title": f"{name}{year}年度政府信息公开工作报告",
                    "agency": name,
                    "year": year,
                    "format": fmt,
                    "published": published.isoformat(),
                    "published_from": "meta",
                    "sections": list(section_text) + ["active", "requests", "appeals"],
                    "problems": problems,
                    "dates": [{"date": published.isoformat(), "from": "meta"}],
                    "document_kind": "report",
                    "section_text": section_text,
                    **tables,
                }
                payload = json.dumps(report, ensure_ascii=False)
                sha = hashlib.sha256(payload.encode()).hexdigest()
                n_versions = 2 if rng.random() < 0.005 else 1
                for v in range(1, n_versions + 1):
                    versions.append((report_id, v, sha if v == n_versions else "0" * 64, first_seen, payload))
                reports.append(
                    (report_id, aid, year, report["title"], report["source"], report["source"], report["published"],
                     "meta", first_seen, first_seen, fmt, sha, name, report["source"], None, "report",
                     json.dumps(report["sections"]), json.dumps(problems, ensure_ascii=False),
                     json.dumps(report["dates"]), n_versions, 0, None, json.dumps(section_text, ensure_ascii=False))
                )  # fmt: skip
                for table in ("active", "requests", "appeals") if all_cells else ("active",):
                    for key, value in tables[table].items():
                        if not all_cells and key not in DECISION_CELLS:
                            continue
                        row, _, col = key.rpartition(".")
                        cells.append((report_id, table, key, row, col, value))
        conn.executemany("INSERT INTO agencies VALUES (?, ?, ?, ?, ?, ?, ?, ?)", agencies)
        conn.executemany("INSERT INTO agency_sources VALUES (?, ?, ?)", links)
        conn.executemany(
            "INSERT INTO reports (id, agency_id, year, title, url, url_key, published, published_from, first_seen,"
            " last_seen, format, sha256, agency_name, source_url, listing_date, document_kind, sections, problems,"
            " dates, version, suspicious_host, text, section_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reports,
        )
        conn.executemany(
            "INSERT INTO report_versions (report_id, version, sha256, first_seen, report_json) VALUES (?, ?, ?, ?, ?)",
            versions,
        )
        conn.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?)", cells)
        conn.commit()
        counts["reports"] += len(reports)
        counts["cells"] += len(cells)
    conn.executemany(
        "INSERT INTO sources (url, status, last_crawled, detail) VALUES (?, ?, '2024-03-01T00:00:00', ?)",
        [(url, status, status) for url, status in sources.items()],
    )
    conn.commit()
    return counts | {"agencies": n_agencies, "years": years, "state": len(state)}


def run_check(path: str, year: int) -> dict:
    from db import open_db
    from monitor.check import check

    db = open_db(path)
    started = time.perf_counter()
    summary = check(db, today=date(year + 1, 6, 1), year=year)
    seconds = time.perf_counter() - started
    totals = {k: sum(v[k] for v in summary.values()) for k in ("new", "open", "resolved")}
    per_rule = {rule: v["open"] for rule, v in summary.items() if v["open"]}
    return {"seconds": seconds, "totals": totals, "open_by_rule": per_rule}


def phase(args) -> None:
    started = time.perf_counter()
    if args.phase == "generate":
        result = generate(args.db, args.agencies, args.years, all_cells=args.cells == "all")
    else:
        result = run_check(args.db, FIRST_YEAR + args.years - 1)
    result["wall"] = time.perf_counter() - started
    result["peak_rss_mb"] = kb_peak() / 1024
    # check computes batches in worker processes: the largest one's peak (each worker's is about the same).
    result["worker_peak_rss_mb"] = kb_peak(resource.RUSAGE_CHILDREN) / 1024
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result["cpu"] = sum(u.ru_utime + u.ru_stime for u in usage)
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=150_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--db", help="database file (default: a temporary one, removed unless --keep)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--cells",
        choices=["all", "decisions"],
        default="all",
        help="long-form cells to insert: all (as the store does) or only the decision counts check reads",
    )
    parser.add_argument("--reuse", action="store_true", help="skip generation: --db already holds the data")
    parser.add_argument("--phase", choices=["generate", "check"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args)
        return
    workdir = None
    if not args.db:
        workdir = tempfile.mkdtemp(prefix="check_bench_")
        args.db = os.path.join(workdir, "bench.db")

    def sub(name: str) -> dict:
        cmd = [sys.executable, __file__, "--phase", name, "--db", args.db,
               "--agencies", str(args.agencies), "--years", str(args.years), "--cells", args.cells]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"phase {name} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    try:
        if not args.reuse:
            gen = sub("generate")
            size = os.path.getsize(args.db) / 2**30
            print(f"generated {gen['agencies']} agencies, years {gen['years'][0]}-{gen['years'][-1]}: "
                  f"{gen['reports']} reports, {gen['cells']} cells, {gen['faults']} faulty, {gen['copies']} copied reports; "
                  f"{gen['wall']:.0f} s, {size:.1f} GiB, peak RSS {gen['peak_rss_mb']:.0f} MB")  # fmt: skip
        first = sub("check")
        second = sub("check")
        year = FIRST_YEAR + args.years - 1
        for label, run in (("first run:", first), ("unchanged:", second)):
            print(f"check year {year}, {label:11s} {run['seconds']:8.1f} s  CPU {run['cpu']:6.1f} s  "
                  f"peak RSS {run['peak_rss_mb']:5.0f} MB (+ per worker {run['worker_peak_rss_mb']:4.0f} MB)"
                  f"  findings {run['totals']}")  # fmt: skip
        ratio = first["seconds"] / max(second["seconds"], 1e-9)
        print(f"re-run speed-up: {ratio:.1f}x (goal >= 5x); peak memory goal < 1024 MB (main + workers)")
        print(f"open findings by rule: {json.dumps(second['open_by_rule'], ensure_ascii=False)}")
    finally:
        if workdir and not args.keep:
            for name in os.listdir(workdir):
                os.remove(os.path.join(workdir, name))
            os.rmdir(workdir)


if __name__ == "__main__":
    main()
