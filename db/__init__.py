"""The SQLite store: `open_db(path)` gives a sqlite-utils Database with every migration applied."""

from __future__ import annotations

import os
import sqlite3

from sqlite_utils import Database


class StoreError(Exception):
    """The database cannot be used (unreadable file, not a database, locked). One line, for users."""


def open_db(path: str = "nianbao.db", *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at `path` in WAL mode and apply pending migrations.

    WAL lets Datasette read while a crawl writes. An older database is upgraded in place.
    """
    from db.migrations import migrations

    if path != ":memory:":
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise StoreError(f"cannot open database {path}: folder {parent} does not exist")
    try:
        conn = sqlite3.connect(path, timeout=30)
        db = Database(conn)
        if path != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = OFF")  # reports may name agencies not (yet) registered
        db.execute("PRAGMA busy_timeout = 30000")
        if migrate:
            migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from None
    return db
