"""What every command shares: the --db option and one-line failures (no tracebacks for user errors)."""

from __future__ import annotations

import click

import settings


def db_option(func):
    return click.option(
        "--db",
        "db_path",
        default=settings.NIANBAO_DB,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="SQLite database (created on first use).",
    )(func)


def max_bytes_option(func):
    return click.option(
        "--max-bytes",
        type=int,
        default=settings.NIANBAO_MAX_DOCUMENT_BYTES,
        show_default=True,
        help="Refuse documents larger than this.",
    )(func)


def fail(message: str, code: int = 1):
    """Print one line on stderr and exit non-zero."""
    click.echo(f"nianbao: {message}", err=True)
    raise SystemExit(code)


def open_db_or_fail(path: str):
    from db import StoreError, open_db

    try:
        return open_db(path)
    except StoreError as exc:
        fail(str(exc))
