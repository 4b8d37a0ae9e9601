"""Run cycles on a schedule (APScheduler 3) until stopped; each cycle is a subprocess, logged in `runs`.

Config (YAML), every key optional:

    registry: registry.yml          # passed to `nianbao run`
    alerts_config: alerts.yml
    year: 2023                      # default: let `run` decide
    timeout_minutes: 360            # a cycle running longer is killed and logged as failed
    timezone: Asia/Shanghai         # of the cron times
    misfire_grace_seconds: 3600     # a cycle missed (machine busy or asleep) still runs if this late
    triggers:                       # default: daily 06:00 in the reporting season (Jan-Apr), Mondays otherwise
      - cron: {month: "1-4", hour: 6, minute: 0}
      - cron: {month: "5-12", day_of_week: mon, hour: 6, minute: 0}
      # - interval: {seconds: 30}   # also accepted (tests)
    command: [python, -c, "..."]    # replaces `nianbao run ...`; "{db}", "{registry}", "{run_id}" filled in

One job with all triggers combined, max_instances=1 and coalesce: never two cycles at once, and a
backlog of missed firings runs once. SIGTERM/SIGINT stop the scheduler after the running cycle ends;
a second signal ends the running cycle too.
"""

from __future__ import annotations

import collections
import json
import logging
import shlex
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from db import open_db

DEFAULT_TRIGGERS = [
    {"cron": {"month": "1-4", "hour": 6, "minute": 0}},
    {"cron": {"month": "5-12", "day_of_week": "mon", "hour": 6, "minute": 0}},
]


class ScheduleConfigError(Exception):
    """The schedule config cannot be used. One line, for users."""


@dataclass
class ScheduleConfig:
    triggers: list[dict] = field(default_factory=lambda: list(DEFAULT_TRIGGERS))
    registry: str | None = None
    alerts_config: str | None = None
    year: int | None = None
    command: list[str] | None = None
    timeout_minutes: float = 360
    misfire_grace_seconds: int = 3600
    timezone: str = "Asia/Shanghai"


def load_config(path: str | None) -> ScheduleConfig:
    if path is None or not Path(path).exists():
        return ScheduleConfig()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ScheduleConfigError(f"cannot read schedule config {path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise ScheduleConfigError(f"schedule config {path} must be a mapping")
    unknown = set(raw) - set(ScheduleConfig.__dataclass_fields__)
    if unknown:
        raise ScheduleConfigError(f"schedule config {path}: unknown key(s) {', '.join(sorted(unknown))}")
    command = raw.get("command")
    if isinstance(command, str):
        raw["command"] = shlex.split(command)
    config = ScheduleConfig(**{k: v for k, v in raw.items() if v is not None})
    build_trigger(config.triggers, config.timezone)  # fail now, not at the first firing
    return config


def build_trigger(specs: list[dict], timezone: str = "Asia/Shanghai"):
    from apscheduler.triggers.combining import OrTrigger
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    triggers = []
    for spec in specs:
        try:
            [(kind, args)] = spec.items()
            if kind == "cron":
                triggers.append(CronTrigger(**{"timezone": timezone, **args}))
            elif kind == "interval":
                triggers.append(IntervalTrigger(**{"timezone": timezone, **args}))
            else:
                raise ValueError(f"unknown trigger {kind!r} (cron or interval)")
        except (ValueError, TypeError, AttributeError, LookupError) as exc:
            raise ScheduleConfigError(f"bad trigger {spec!r}: {exc}") from None
    if not triggers:
        raise ScheduleConfigError("the schedule has no triggers")
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def cycle_command(config: ScheduleConfig, db_path: str) -> list[str]:
    if config.command:
        return [
            part.replace("{db}", db_path).replace("{registry}", config.registry or "")
            for part in config.command
        ]
    if not config.registry:
        raise ScheduleConfigError("the schedule config needs `registry:` (or a `command:`)")
    command = [sys.executable, "-m", "crawler.cli", "run", "--registry", config.registry, "--db", db_path]
    command += ["--run-id", "{run_id}"]  # `run` fills in the counts of the runs row the scheduler made
    if config.year:
        command += ["--year", str(config.year)]
    if config.alerts_config:
        command += ["--alerts-config", config.alerts_config]
    return command


# --- the runs table ----------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def start_run(db, command: str) -> int:
    return db["runs"].insert({"command": command, "started": now_iso(), "outcome": "running"}).last_pk


def finish_run(db, run_id: int, outcome: str, *, counts: dict | None = None, detail: str = "") -> None:
    change = {"ended": now_iso(), "outcome": outcome, "detail": detail}
    if counts is not None:
        change["counts"] = json.dumps(counts, ensure_ascii=False)
    db["runs"].update(run_id, change)


# --- one scheduled cycle -------------------------------------------------------------------------


class CycleRunner:
    """Runs the cycle command in a subprocess and logs it; remembers the child so a second signal can end it."""

    def __init__(self, db_path: str, command: list[str], timeout_minutes: float, echo=print):
        self.db_path, self.command, self.timeout = db_path, command, timeout_minutes * 60
        self.echo = echo
        self.child: subprocess.Popen | None = None

    def __call__(self) -> None:
        db = open_db(self.db_path)  # a connection of this worker thread
        run_id = start_run(db, "schedule: " + shlex.join(self.command))
        self.echo(f"cycle {run_id} started: {shlex.join(self.command)}")
        try:
            code, tail = self._run_child(run_id)
        except Exception as exc:  # a broken cycle is logged; the scheduler goes on
            code, tail = None, [f"could not start the cycle: {exc}"]
        row = db["runs"].get(run_id)
        counts = json.loads(row["counts"]) if row["counts"] else {}
        counts["exit_code"] = code
        outcome = "ok" if code == 0 else ("interrupted" if code is not None and code < 0 else "failed")
        finish_run(db, run_id, outcome, counts=counts, detail="" if code == 0 else "\n".join(tail))
        self.echo(f"cycle {run_id} {outcome} (exit {code})")
        db.conn.close()

    def _run_child(self, run_id: int) -> tuple[int, list[str]]:
        # Own session: a Ctrl-C meant for the scheduler must not kill the cycle half-way.
        self.child = subprocess.Popen(
            [part.replace("{run_id}", str(run_id)) for part in self.command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        timer = threading.Timer(self.timeout, self.child.kill)
        timer.start()
        tail = collections.deque(maxlen=20)
        try:
            for line in self.child.stdout:
                tail.append(line.rstrip())
                self.echo(f"  {line.rstrip()}")
            return self.child.wait(), list(tail)
        finally:
            timer.cancel()
            self.child = None

    def stop_child(self) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            child.terminate()


def run_schedule(db_path: str, config: ScheduleConfig, *, echo=print) -> None:
    """Block, running cycles on the config's triggers, until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    runner = CycleRunner(db_path, cycle_command(config, db_path), config.timeout_minutes, echo=echo)
    scheduler = BlockingScheduler()
    job = scheduler.add_job(
        runner,
        build_trigger(config.triggers, config.timezone),
        id="cycle",
        name="nianbao cycle",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=config.misfire_grace_seconds,
    )
    stopping = threading.Event()

    def on_signal(signum, frame):
        if stopping.is_set():
            echo("second signal: ending the running cycle")
            runner.stop_child()
            return
        stopping.set()
        echo(f"{signal.Signals(signum).name}: stopping after the running cycle")
        if scheduler.running:
            scheduler.shutdown(wait=True)
        else:  # the signal came before the scheduler started
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    echo(f"scheduler started: {job.trigger}")
    scheduler.start()
    echo("scheduler stopped")
