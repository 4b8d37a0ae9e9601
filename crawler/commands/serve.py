"""`nianbao serve`: browse the database in Datasette with the project's metadata, saved queries and chart."""

from __future__ import annotations

import os

import click

import settings
from crawler.commands.common import db_option, fail, open_db_or_fail


@click.command()
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface (0.0.0.0 to share on the network)."
)
@db_option
def serve(port, host, db_path):
    """Serve the findings, reports and saved queries at http://HOST:PORT/ (read-only)."""
    if not os.path.isfile(db_path):
        fail(f"database {db_path} does not exist (run `nianbao run` or `nianbao demo` first)")
    open_db_or_fail(db_path).conn.close()  # bring an older database up to date (views, tables) first
    import uvicorn

    from db.datasette_plugin import make_datasette
    from db.store import blob_dir_for

    datasette = make_datasette(db_path, blob_dir=blob_dir_for(db_path, settings.NIANBAO_BLOB_DIR))
    click.echo(f"nianbao: serving {db_path} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
