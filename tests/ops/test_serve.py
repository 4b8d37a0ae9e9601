"""`nianbao serve`: Datasette with our metadata, saved queries, facets, links, documents and chart."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from db.datasette_plugin import make_datasette

DOCUMENT = "<html><body>承德市教育局2022年政府信息公开工作年度报告</body></html>".encode()
SHA = hashlib.sha256(DOCUMENT).hexdigest()


@pytest.fixture
def served_db(ops_db, finding, tmp_path):
    """A database like one after a cycle: reports on time and late, a missing and an inconsistent one."""
    db = ops_db
    blob_dir = tmp_path / "watch.db.blobs"
    (blob_dir / SHA[:2]).mkdir(parents=True)
    (blob_dir / SHA[:2] / SHA).write_bytes(DOCUMENT)
    db["documents"].insert(
        {
            "sha256": SHA,
            "size": len(DOCUMENT),
            "container": "html",
            "content_type": "text/html; charset=utf-8",
            "path": f"{SHA[:2]}/{SHA}",
        }
    )
    db["reports"].insert_all(
        [
            {
                "id": 1,
                "agency_id": "cd-jyj",
                "year": 2022,
                "title": "承德市教育局2022年度报告",
                "url_key": "a",
                "url": "http://jyj.chengde.example.gov.cn/2022.html",
                "published": "2023-02-10",
                "sha256": SHA,
            },
            {
                "id": 2,
                "agency_id": "cd-gxq",
                "year": 2022,
                "title": "承德高新区2022年度报告",
                "url_key": "b",
                "url": "http://gxq.chengde.example.gov.cn/2022.html",
                "published": "2023-01-20",
            },
            {
                "id": 3,
                "agency_id": "cd-gxq",
                "year": 2021,
                "title": "承德高新区2021年度报告",
                "url_key": "c",
                "url": "http://gxq.chengde.example.gov.cn/2021.html",
                "published": "2022-01-25",
            },
        ]
    )
    late = finding(db, "cd-jyj", "late", message="2022年度报告晚于截止日期10天发布")
    db["findings"].update(late, {"report_id": 1, "report_url": "http://jyj.chengde.example.gov.cn/2022.html"})
    finding(db, "bd-rsj", "missing", message="未发现2022年度报告")
    bad = finding(db, "cd-gxq", "inconsistent.balance", subject="total", message="一+二 ≠ 七+四（总计列）")
    db["findings"].update(bad, {"evidence": '{"new.total": 10, "carried_over.total": 2, "total.total": 9}'})
    return tmp_path / "watch.db", blob_dir


def fetch(db_path, blob_dir, *paths):
    async def go():
        ds = make_datasette(str(db_path), blob_dir=str(blob_dir))
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(go())


def test_tables_facets_and_metadata(served_db):
    findings, detail, page = fetch(
        *served_db,
        "/watch/findings.json?_shape=objects",
        "/watch/findings_detail.json?_shape=objects",
        "/watch/findings_detail",
    )
    assert {row["rule"] for row in findings.json()["rows"]} == {"late", "missing", "inconsistent.balance"}
    facets = detail.json()["facet_results"]
    assert {"region", "rule", "year", "severity"} <= set(facets)
    regions = {item["value"]: item["count"] for item in facets["region"]["results"]}
    assert regions == {"河北省/承德市": 1, "河北省/承德市/高新区": 1, "河北省/保定市": 1}
    assert {item["value"]: item["count"] for item in facets["province"]["results"]} == {"河北省": 3}
    html = page.text
    assert "问题（含地区） Findings by region" in html
    assert f'href="/-/nianbao/document/{SHA}"' in html  # the stored original, one click away
    assert '<a href="http://jyj.chengde.example.gov.cn/2022.html"' in html


def test_saved_queries(served_db):
    missing, late, inconsistent, compliance, history = fetch(
        *served_db,
        "/watch/missing_past_deadline.json?_shape=objects",
        "/watch/late_reports.json?_shape=objects",
        "/watch/inconsistent_reports.json?_shape=objects",
        "/watch/compliance_by_region.json?_shape=objects&region=河北省",
        "/watch/agency_history.json?_shape=objects&agency_id=cd-gxq",
    )
    [row] = missing.json()["rows"]
    assert row["agency_id"] == "bd-rsj" and row["due"] == "2023-01-31" and row["days_overdue"] > 0
    [row] = late.json()["rows"]
    assert (row["agency_id"], row["days_late"], row["sha256"]) == ("cd-jyj", 10, SHA)
    [row] = inconsistent.json()["rows"]
    assert row["rule"] == "inconsistent.balance" and '"total.total": 9' in row["cells_that_disagree"]
    rows = {(r["region"], r["year"]): r for r in compliance.json()["rows"]}
    assert rows[("河北省/承德市", 2022)]["late"] == 1 and rows[("河北省/承德市", 2022)]["compliance_pct"] == 0
    assert rows[("河北省/承德市/高新区", 2021)]["compliance_pct"] == 100
    assert (
        rows[("河北省/保定市", 2022)]["missing"] == 1 and rows[("河北省/保定市", 2022)]["compliance_pct"] == 0
    )
    years = {r["year"]: r for r in history.json()["rows"]}
    assert set(years) == {2021, 2022}
    assert years[2022]["open_findings"] == "inconsistent.balance" and years[2021]["published"] == "2022-01-25"


def test_document_route_and_chart_page(served_db):
    document, unknown, chart = fetch(
        *served_db, f"/-/nianbao/document/{SHA}", f"/-/nianbao/document/{'0' * 64}", "/-/nianbao/compliance"
    )
    assert document.status_code == 200 and document.content == DOCUMENT
    assert document.headers["content-type"].startswith("text/html")
    assert unknown.status_code == 404
    assert chart.status_code == 200 and "<svg" in chart.text and "cdn" not in chart.text.lower()
    bars = re.findall(r'data-region="([^"]+)" data-year="(\d+)"', chart.text)
    assert ("河北省/保定市", "2022") in bars and len(bars) == 6  # 3 regions x 2 years
    assert "100.0% (按时 on time 1;" in chart.text  # 高新区 2021 on time


def test_serve_without_database_is_one_line(tmp_path):
    from click.testing import CliRunner

    from crawler.commands.serve import serve

    result = CliRunner().invoke(serve, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed")
def test_a_person_sees_findings_in_chromium(served_db, tmp_path):
    db_path, _ = served_db
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        findings = dump_dom(f"{base}/watch/findings_detail?rule=late", tmp_path / "c1")
        late = dump_dom(f"{base}/watch/late_reports", tmp_path / "c2")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "问题（含地区） Findings by region" in findings
    assert "承德市教育局" in findings and "2022年度报告晚于截止日期10天发布" in findings
    assert "未发现2022年度报告" not in findings  # the rule=late filter took effect
    assert "逾期发布 Late reports" in late and "cd-jyj" in late and ">10<" in late


def dump_dom(url: str, profile) -> str:
    result = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(profile)},
    )
    return result.stdout
