"""`nianbao run` (one full cycle) against the loopback demo portals, and `nianbao demo` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from crawler.commands.run import run
from crawler.portalfarm.demo import start_demo_farm
from db import open_db
from monitor.schedule import start_run


@pytest.fixture(scope="module")
def farm():
    farm = start_demo_farm()
    yield farm
    farm.stop()


@pytest.mark.slow
def test_run_cycle_crawls_checks_alerts_and_logs(farm, webhook, tmp_path):
    registry = tmp_path / "registry.yml"
    farm.registry_yaml(str(registry))
    alerts = tmp_path / "alerts.yml"
    alerts.write_text(
        f"recipients:\n  - name: shifan\n    region: 示范省\n    channels: {{hook: '{webhook.url('shifan')}'}}\n"
        f"  - name: ops\n    operators: true\n    channels: {{hook: '{webhook.url('ops')}'}}\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "cycle.db"
    args = [
        "--registry",
        str(registry),
        "--year",
        "2023",
        "--today",
        "2024-04-15",
        "--alerts-config",
        str(alerts),
        "--db",
        str(db_path),
    ]
    # Portals through the farm's proxy; the webhook on loopback directly, as no_proxy says.
    env = {**farm.env(), "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1", "AUTOTHROTTLE_ENABLED": "0"}
    started = time.monotonic()
    first = CliRunner().invoke(run, args, env=env)
    elapsed = time.monotonic() - started
    assert first.exit_code == 0, first.output
    assert "crawl: [11/11]" in first.output or "crawl: 11 sources" in first.output  # progress per source
    table = {line.split()[0]: line.split()[1:] for line in first.output.splitlines() if line[:1].islower()}
    assert table["missing"][:2] == ["1", "1"] and table["late"][:2] == ["1", "1"]
    assert table["inconsistent.balance"][0] != "0" and table["unreachable"][:2] == ["5", "5"]
    assert "alerts: 2 message(s) sent" in first.output

    [digest] = [p for p in webhook.posts if p["path"] == "/shifan"]
    assert "示范县财政局 (demo-trs-czj) 2023 missing" in digest["message"]
    assert "示范县教育局 (demo-trs-jyj) 2023 late" in digest["message"]
    assert "/cycle/findings/" in digest["message"]
    [health] = [p for p in webhook.posts if p["path"] == "/ops"]
    assert "[unreachable] http://www.demo-down.gov.cn/" in health["message"]
    assert "[blocked] http://www.demo-robots.gov.cn/" in health["message"]

    db = open_db(str(db_path))
    [row] = db.query("select * from runs")
    counts = json.loads(row["counts"])
    assert (
        row["outcome"] == "ok" and counts["crawl"]["sources"] == 11 and counts["alerts"]["messages_sent"] == 2
    )

    # Again, as the scheduler runs it (it made the runs row): nothing new, nothing sent twice.
    run_id = start_run(db, "schedule: test")
    second = CliRunner().invoke(run, [*args, "--run-id", str(run_id)], env=env)
    assert second.exit_code == 0, second.output
    assert "alerts: 0 message(s) sent" in second.output and len(webhook.posts) == 2
    assert [r["outcome"] for r in db.query("select outcome from runs order by id")] == ["ok", "ok"]
    assert json.loads(db["runs"].get(run_id)["counts"])["check"]["missing"]["new"] == 0
    print(f"one demo cycle through `nianbao run`: {elapsed:.1f}s")


def test_run_with_a_bad_registry_fails_in_one_line_and_is_logged(tmp_path):
    registry = tmp_path / "registry.yml"
    registry.write_text("agencies:\n  - id: x\n    kind: nonsense\n", encoding="utf-8")
    db_path = tmp_path / "bad.db"
    result = CliRunner().invoke(run, ["--registry", str(registry), "--db", str(db_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    [row] = open_db(str(db_path)).query("select outcome, detail from runs")
    assert row["outcome"] == "failed" and row["detail"]
    missing = CliRunner().invoke(run, ["--registry", str(tmp_path / "none.yml"), "--db", str(db_path)])
    assert missing.exit_code == 1 and "does not exist" in missing.output


@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", str(tmp_path / "demo.db")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[error] missing" in out and "示范县财政局" in out
    assert "[error] late" in out and "示范县教育局" in out
    assert "[error] inconsistent.balance" in out and "示范县发展和改革局" in out
    assert "[warning] unreachable" in out and "示范县宕机局" in out
    assert "nianbao serve --db" in out
    assert "crawl: 11 sources" in result.stderr
    db = open_db(str(tmp_path / "demo.db"))
    open_rules = {r["rule"] for r in db.query("select rule from findings where status = 'open'")}
    assert {"missing", "late", "inconsistent.balance", "unreachable"} <= open_rules
    # the on-time reports raise nothing about their dates
    assert not list(db.query("select 1 from findings where agency_id = 'demo-trs-fgw' and rule = 'late'"))
    assert elapsed < 60
    print(f"nianbao demo: {elapsed:.1f}s")
