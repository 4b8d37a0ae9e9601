"""`nianbao run`: one full cycle — import the registry, crawl, check, send alerts — logged in `runs`.

    summary = run_cycle(db_path, registry, today=date(2023, 4, 15), alerts_config="alerts.yml")

The crawl runs in its own process (Scrapy's reactor starts once per process), printing a progress
line per source on stderr. The cycle succeeds when crawl and check completed; a channel that is down
does not fail it (its alerts stay pending for the next cycle).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

import settings
from crawler.commands.common import db_option, fail, open_db_or_fail


class CycleError(Exception):
    """The cycle could not complete. One line, for users."""


def run_cycle(
    db_path: str,
    registry: str,
    *,
    today: date,
    year: int | None = None,
    alerts_config: str | None = None,
    datasette_url: str = "",
    allowed_hosts=(),
    settings_overrides: dict | None = None,
    crawl_env: dict | None = None,
    run_id: int | None = None,
    echo=lambda line: None,
) -> dict:
    """One cycle; returns {"registry", "crawl", "check", "alerts"}. Raises CycleError (the run is logged failed)."""
    from db import open_db
    from monitor.schedule import finish_run, start_run

    db = open_db(db_path)
    run_id = run_id or start_run(db, "run")
    counts: dict = {}
    try:
        _cycle(
            db,
            db_path,
            registry,
            counts,
            today=today,
            year=year,
            alerts_config=alerts_config,
            datasette_url=datasette_url,
            allowed_hosts=allowed_hosts,
            settings_overrides=settings_overrides,
            crawl_env=crawl_env,
            echo=echo,
        )
    except CycleError as exc:
        finish_run(db, run_id, "failed", counts=counts, detail=str(exc))
        raise
    except BaseException as exc:  # Ctrl-C or a bug: the runs row must not stay "running"
        outcome = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        finish_run(db, run_id, outcome, counts=counts, detail=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(db, run_id, "ok", counts=counts)
    counts["run_id"] = run_id
    return counts


def _cycle(
    db,
    db_path,
    registry,
    counts,
    *,
    today,
    year,
    alerts_config,
    datasette_url,
    allowed_hosts,
    settings_overrides,
    crawl_env,
    echo,
) -> None:
    from crawler.crawl import CrawlError, crawl_in_subprocess
    from db.registry import RegistryError, import_registry
    from monitor.alerts import AlertsConfigError, load_config, send
    from monitor.check import check

    try:  # read the alerts config first: a typo should not cost a whole crawl
        alerts = load_config(alerts_config, datasette_url=datasette_url) if alerts_config else None
    except AlertsConfigError as exc:
        raise CycleError(str(exc)) from None
    if not os.path.isfile(registry):
        raise CycleError(f"registry file {registry} does not exist")
    try:
        imported = import_registry(db, registry, allowed_hosts=allowed_hosts)
    except RegistryError as exc:
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        raise CycleError(f"{exc.problems[0]}{more}") from None
    counts["registry"] = {"agencies": imported.agencies, "new": imported.new, "sources": imported.sources}
    echo(f"registry: {imported.summary()}")
    for warning in imported.warnings:
        echo(f"registry: warning: {warning}")

    try:
        crawled = crawl_in_subprocess(
            db_path, year=year, today=today.isoformat(), settings_overrides=settings_overrides, env=crawl_env
        )
    except CrawlError as exc:
        raise CycleError(f"crawl: {exc}") from None
    totals = crawled["totals"]
    counts["crawl"] = totals
    echo(
        f"crawl: {totals['sources']} sources ({totals['ok']} ok, {totals['failed']} failed), "
        f"{totals['reports_found']} reports found ({totals['new']} new, {totals['changed']} changed), "
        f"{totals['errors']} errors"
    )

    counts["check"] = check(db, today=today, year=year)

    if alerts is None:
        counts["alerts"] = None
        return
    counts["alerts"] = send(db, alerts, db_name=Path(db_path).stem, echo=lambda line: echo(f"alerts: {line}"))


def format_check_summary(summary: dict) -> list[str]:
    """The per-rule table printed at the end of a cycle."""
    lines = [f"{'rule':<28} {'new':>5} {'open':>6} {'resolved':>9}"]
    for rule, n in sorted(summary.items()):
        lines.append(f"{rule:<28} {n.get('new', 0):>5} {n.get('open', 0):>6} {n.get('resolved', 0):>9}")
    return lines


@click.command()
@click.option(
    "--registry", required=True, type=click.Path(dir_okay=False), help="Registry file (YAML or CSV)."
)
@click.option(
    "--year", type=int, help="Report year (default: the latest whose deadline has passed or is running)."
)
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge deadlines as of this date (default: today)."
)
@click.option(
    "--alerts-config",
    type=click.Path(dir_okay=False),
    help=f"Alerts config (default: {settings.NIANBAO_ALERTS_CONFIG} if it exists; none: no alerts).",
)
@click.option("--run-id", type=int, hidden=True, help="The runs row to fill in (the scheduler made it).")
@db_option
def run(registry, year, today, alerts_config, run_id, db_path):
    """One full cycle: import registry, crawl, parse, check, send alerts."""
    if alerts_config is None and os.path.isfile(settings.NIANBAO_ALERTS_CONFIG):
        alerts_config = settings.NIANBAO_ALERTS_CONFIG
    open_db_or_fail(db_path).conn.close()
    allowed = [host for host in settings.NIANBAO_ALLOWED_HOSTS.split(",") if host.strip()]
    try:
        summary = run_cycle(
            db_path,
            registry,
            today=today.date() if today else date.today(),
            year=year,
            alerts_config=alerts_config,
            datasette_url=settings.NIANBAO_DATASETTE_URL,
            allowed_hosts=allowed,
            run_id=run_id,
            echo=lambda line: click.echo(line, err=True),
        )
    except CycleError as exc:
        fail(str(exc))
    for line in format_check_summary(summary["check"]):
        click.echo(line)
    if summary["alerts"] is None:
        click.echo("alerts: none configured")
    else:
        sent = summary["alerts"]
        click.echo(
            f"alerts: {sent['messages_sent']} message(s) sent ({sent['items_sent']} items), "
            f"{sent['messages_failed']} not delivered ({sent['items_pending']} items pending)"
        )
