"""`nianbao alerts send`: send pending digest alerts now (normally done by `nianbao run`)."""

from __future__ import annotations

from pathlib import Path

import click

import settings
from crawler.commands.common import db_option, fail, open_db_or_fail


def config_option(func):
    return click.option(
        "--config",
        "config_path",
        default=settings.NIANBAO_ALERTS_CONFIG,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="Alerts config (YAML): recipients, channels, routing.",
    )(func)


@click.group()
def alerts():
    """Digest alerts by e-mail, 钉钉, 企业微信, 飞书 or webhook (Apprise)."""


@alerts.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent; change nothing.")
@config_option
@db_option
def send(dry_run, config_path, db_path):
    """Send each recipient one digest of what is new, escalated or resolved."""
    from monitor.alerts import AlertsConfigError, load_config
    from monitor.alerts import send as send_alerts

    try:
        config = load_config(config_path, datasette_url=settings.NIANBAO_DATASETTE_URL)
    except AlertsConfigError as exc:
        fail(str(exc))
    db = open_db_or_fail(db_path)
    summary = send_alerts(db, config, db_name=Path(db_path).stem, dry_run=dry_run, echo=click.echo)
    if dry_run:
        click.echo(f"dry run: {summary['items_pending']} item(s) would be sent; nothing changed")
        return
    click.echo(f"{summary['messages_sent']} message(s) sent ({summary['items_sent']} item(s))")
    if summary["messages_failed"]:
        fail(
            f"{summary['messages_failed']} message(s) not delivered; "
            f"{summary['items_pending']} item(s) stay pending for the next send"
        )
