"""`nianbao agencies import FILE` / `nianbao agencies list`: the registry (INTERFACE §2) in the database."""

from __future__ import annotations

import click

import settings
from crawler.commands.common import db_option, fail, open_db_or_fail


@click.group()
def agencies():
    """The registry of agencies: import it, list it."""


@agencies.command("import")
@click.argument("registry_file", type=click.Path(dir_okay=False))
@db_option
def import_(registry_file, db_path):
    """Load or update the registry (YAML, or CSV with the same columns). Re-importing is idempotent.

    Every line is checked first; nothing is imported if any line is wrong.
    """
    from db.registry import RegistryError, import_registry

    db = open_db_or_fail(db_path)
    allowed = settings.NIANBAO_ALLOWED_HOSTS.split(",")
    try:
        result = import_registry(db, registry_file, allowed_hosts=allowed)
    except RegistryError as exc:
        for problem in exc.problems:
            click.echo(f"nianbao: {problem}", err=True)
        fail(f"registry not imported: {len(exc.problems)} problem(s) in {registry_file}")
    for warning in result.warnings:
        click.echo(f"nianbao: {warning}", err=True)
    click.echo(result.summary())


@agencies.command("list")
@db_option
def list_(db_path):
    """List the registered agencies: id, kind, deadline, sources, name."""
    db = open_db_or_fail(db_path)
    rows = db.execute(
        "SELECT a.id, a.kind, a.deadline, count(s.url), a.name FROM agencies a"
        " LEFT JOIN agency_sources s ON s.agency_id = a.id GROUP BY a.id ORDER BY a.id"
    ).fetchall()
    for agency_id, kind, deadline, sources, name in rows:
        click.echo(f"{agency_id}\t{kind}\t{deadline}\t{sources} sources\t{name}")
    click.echo(f"{len(rows)} agencies", err=True)
