"""The SQLite store: `open_db(path)` gives a sqlite-utils Database with every migration applied."""

from __future__ import annotations

import contextlib
import fcntl
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
        db.execute("PRAGMA busy_timeout = 30000")
        with _migration_lock(path):
            # Two processes opening a new database at once (scheduler and a manual run) must not
            # both create the schema: the file lock makes the second wait, then find nothing pending.
            if path != ":memory:":
                db.enable_wal()
            if migrate and migrations.pending(db):
                migrations.apply(db)
        db.execute("PRAGMA foreign_keys = OFF")  # reports may name agencies not (yet) registered
        # WAL + NORMAL: commits no longer fsync; the database stays consistent on a crash.
        db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from None
    return db


@contextlib.contextmanager
def _migration_lock(path: str):
    if path == ":memory:":
        yield
        return
    try:
        lock = open(f"{path}.lock", "a")  # noqa: SIM115 - held for the duration of the block
    except OSError:
        yield  # a read-only folder: nobody can be creating the schema there
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
