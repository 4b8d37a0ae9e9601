"""The scheduler as a real subprocess: cycles in subprocesses, logged in `runs`, failures survived, SIGTERM."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from crawler.commands.schedule import schedule
from db import open_db
from monitor.schedule import DEFAULT_TRIGGERS, ScheduleConfig, build_trigger, cycle_command, load_config

# Fails the first time (no marker file yet), then succeeds; takes a moment so overlaps would show.
FLAKY_CYCLE = (
    "import os, sys, time; m = sys.argv[1]; first = not os.path.exists(m); open(m, 'a').close(); "
    "time.sleep(0.3); print('cycle says hello', flush=True); sys.exit(3 if first else 0)"
)


def test_scheduler_logs_cycles_survives_a_failure_and_stops_on_sigterm(tmp_path):
    db_path = tmp_path / "sched.db"
    open_db(str(db_path)).conn.close()  # created (migrated) before two processes race to do it
    config = tmp_path / "schedule.yml"
    command = json.dumps([sys.executable, "-c", FLAKY_CYCLE, str(tmp_path / "marker")])
    config.write_text(f"triggers:\n  - interval: {{seconds: 1}}\ncommand: {command}\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "schedule", "--config", str(config), "--db", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            if ended_runs(db_path) >= 3:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "SIGTERM: stopping after the running cycle" in out and "scheduler stopped" in out
    runs = list(open_db(str(db_path)).query("select * from runs order by id"))
    assert len(runs) >= 3
    assert runs[0]["outcome"] == "failed" and json.loads(runs[0]["counts"])["exit_code"] == 3
    assert "cycle says hello" in runs[0]["detail"]
    assert all(run["outcome"] == "ok" for run in runs[1:]), runs
    assert all(run["ended"] for run in runs)  # SIGTERM waited for the running cycle
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert later["started"] >= earlier["ended"]  # never two cycles at once


def ended_runs(db_path) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("select count(*) from runs where ended is not null").fetchone()[0]


def test_default_schedule_is_daily_in_season_and_weekly_otherwise():
    trigger = build_trigger(DEFAULT_TRIGGERS)
    tz = ZoneInfo("Asia/Shanghai")

    def fires_after(start, n):
        times, now = [], start
        for _ in range(n):
            now = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
            times.append(now)
        return times

    season = fires_after(datetime(2024, 2, 1, 7, 0, tzinfo=tz), 3)
    assert [t.day for t in season] == [2, 3, 4] and all(t.hour == 6 for t in season)
    summer = fires_after(datetime(2024, 6, 1, 0, 0, tzinfo=tz), 3)
    assert all(t.weekday() == 0 for t in summer) and summer[1] - summer[0] == timedelta(days=7)


def test_default_command_runs_nianbao_run(tmp_path):
    config = ScheduleConfig(registry="reg.yml", year=2022, alerts_config="alerts.yml")
    command = cycle_command(config, "x.db")
    assert command[1:6] == ["-m", "crawler.cli", "run", "--registry", "reg.yml"]
    assert "--year" in command and "--alerts-config" in command and "{run_id}" in command


@pytest.mark.parametrize(
    "text, message",
    [
        ("triggers:\n  - cron: {hour: 25}\n", "bad trigger"),
        ("triggers:\n  - every: {seconds: 1}\n", "unknown trigger"),
        ("trigers: []\n", "unknown key(s) trigers"),
    ],
)
def test_bad_config_is_one_line(tmp_path, text, message):
    path = tmp_path / "s.yml"
    path.write_text(text)
    result = CliRunner().invoke(schedule, ["--config", str(path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_needs_a_registry_without_a_command(tmp_path):
    result = CliRunner().invoke(
        schedule, ["--config", str(tmp_path / "absent.yml"), "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 1 and "does not exist" in result.output
    path = tmp_path / "s.yml"
    path.write_text("year: 2022\n")
    result = CliRunner().invoke(schedule, ["--config", str(path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "needs `registry:`" in result.output
    assert load_config(str(path)).triggers == DEFAULT_TRIGGERS
