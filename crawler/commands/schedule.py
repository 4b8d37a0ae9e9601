"""`nianbao schedule`: run cycles on a schedule until stopped (SIGTERM/SIGINT stop after the running cycle)."""

from __future__ import annotations

import logging
import os

import click

import settings
from crawler.commands.common import db_option, fail, open_db_or_fail


@click.command()
@click.option(
    "--config",
    "config_path",
    default=settings.NIANBAO_SCHEDULE_CONFIG,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Schedule config (YAML): registry, triggers, command.",
)
@click.option("--registry", type=click.Path(dir_okay=False), help="Registry file (overrides the config's).")
@db_option
def schedule(config_path, registry, db_path):
    """Run `nianbao run` daily in the reporting season (Jan-Apr) and weekly otherwise, until stopped."""
    from monitor.schedule import ScheduleConfigError, cycle_command, load_config, run_schedule

    if config_path != settings.NIANBAO_SCHEDULE_CONFIG and not os.path.exists(config_path):
        fail(f"schedule config {config_path} does not exist")
    try:
        config = load_config(config_path)
        if registry:
            config.registry = registry
        cycle_command(config, db_path)
    except ScheduleConfigError as exc:
        fail(str(exc))
    open_db_or_fail(db_path).conn.close()  # fail now on a bad database, not at the first cycle
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    run_schedule(os.path.abspath(db_path), config, echo=lambda line: click.echo(line))
