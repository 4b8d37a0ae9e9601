"""The schema: fresh files get every migration; an older file is upgraded in place with nothing lost."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from db import StoreError, open_db
from db.migrations import migrations

MIGRATION_NAMES = [m.name for m in migrations._migrations]


def test_fresh_file_gets_every_table_and_wal(tmp_path):
    path = tmp_path / "fresh.db"
    db = open_db(str(path))
    tables = set(db.table_names())
    for table in (
        "agencies",
        "agency_sources",
        "sources",
        "documents",
        "reports",
        "report_versions",
        "cells",
        "findings",
        "runs",
        "reports_fts",
    ):
        assert table in tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [m.name for m in migrations.applied(db)] == MIGRATION_NAMES
    db.close()
    # opening again applies nothing twice
    again = open_db(str(path))
    assert [m.name for m in migrations.applied(again)] == MIGRATION_NAMES


@pytest.mark.parametrize("stop_before", MIGRATION_NAMES[1:])
def test_older_file_is_upgraded_without_loss(tmp_path, stop_before):
    path = str(tmp_path / "old.db")
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before=stop_before)
    assert stop_before not in {m.name for m in migrations.applied(old)}
    old["agencies"].insert(
        {"id": "a1", "name": "鞍山高新区管委会", "kind": "department", "deadline": "01-31"}
    )
    old["reports"].insert(
        {
            "id": 7,
            "agency_id": "a1",
            "year": 2020,
            "url_key": "x.gov.cn/r.html",
            "title": "鞍山高新区2020年度报告",
            "text": "统计期限自2020年1月1日起至2020年12月31日止",
            "sha256": "ab" * 32,
            "version": 1,
        }
    )
    old.conn.close()

    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == MIGRATION_NAMES
    assert db["agencies"].get("a1")["name"] == "鞍山高新区管委会"
    assert db["reports"].get(7)["sha256"] == "ab" * 32
    # rows written before the search index existed are searchable after the upgrade
    hits = db.execute(
        "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?", ['"2020年12月31日"']
    ).fetchall()
    assert hits == [(7,)]


def test_not_a_database_is_a_one_line_store_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        open_db(str(path))
    assert "\n" not in str(info.value)
