"""`nianbao check` and `nianbao findings` through click's CliRunner, and once as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from click.testing import CliRunner

from crawler.cli import main


def seeded(world):
    world.agency("a1", "甲局")
    world.report("a1", new=5, cells={"requests": {"new.natural": 6, "new.total": 6}})
    world.agency("m1", "乙局")


def test_check_prints_the_summary_per_rule(world):
    seeded(world)
    result = CliRunner().invoke(
        main, ["check", "--year", "2020", "--today", "2021-06-01", "--db", world.path]
    )
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:]}
    assert lines["inconsistent.balance"] == ["2", "2", "0"]
    assert lines["missing"] == ["1", "1", "0"]
    again = CliRunner().invoke(main, ["check", "--year", "2020", "--today", "2021-06-01", "--db", world.path])
    lines = {line.split()[0]: line.split()[1:] for line in again.output.splitlines()[1:]}
    assert lines["inconsistent.balance"] == ["0", "2", "0"] and lines["total"] == ["0", "3", "0"]


def test_bad_today_is_one_line(world):
    result = CliRunner().invoke(main, ["check", "--today", "2021-13-01", "--db", world.path])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "nianbao: --today must be a date YYYY-MM-DD, not '2021-13-01'"
    ]


def test_findings_formats_filters_and_dismiss(world):
    seeded(world)
    runner = CliRunner()
    runner.invoke(main, ["check", "--year", "2020", "--today", "2021-06-01", "--db", world.path])
    table = runner.invoke(main, ["findings", "--db", world.path])
    assert table.exit_code == 0 and "甲局" in table.output and "missing" in table.output
    rows = json.loads(
        runner.invoke(
            main, ["findings", "--rule", "inconsistent", "--format", "json", "--db", world.path]
        ).output
    )
    assert {r["rule"] for r in rows} == {"inconsistent.balance"} and rows[0]["evidence"][
        "table"
    ] == "requests"
    text = runner.invoke(
        main, ["findings", "--rule", "missing", "--format", "csv", "--db", world.path]
    ).output
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["agency_id"] == "m1"
    dismissed = runner.invoke(main, ["findings", "--db", world.path, "dismiss", row["id"]])
    assert dismissed.exit_code == 0 and "open -> dismissed" in dismissed.output
    assert (
        runner.invoke(main, ["findings", "--rule", "missing", "--db", world.path]).output.strip()
        == "no findings"
    )
    listed = runner.invoke(
        main, ["findings", "--status", "dismissed", "--format", "json", "--db", world.path]
    )
    assert [r["id"] for r in json.loads(listed.output)] == [int(row["id"])]
    unknown = runner.invoke(main, ["findings", "--db", world.path, "dismiss", "999"])
    assert unknown.exit_code == 1 and "no finding with id 999" in unknown.output


def test_check_as_a_real_subprocess(world):
    seeded(world)
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "check", "--today", "2021-06-01", "--db", world.path],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("report year 2020, as of 2021-06-01")
    assert "inconsistent.balance" in done.stdout and "Traceback" not in done.stderr
