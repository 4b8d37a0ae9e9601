"""Fixtures of the store tests: a real SQLite file in tmp_path, hand-made report dicts shaped like
crawler.parse.parse_bytes output (INTERFACE §3 + stored extras), registry agencies."""

from __future__ import annotations

import pytest

from crawler.parse.keys import cell_keys


def make_report(fmt: str = "2019", value=0, **overrides) -> dict:
    """A complete report of `fmt` with every cell set to `value`; keyword arguments replace fields."""
    report = {
        "source": "report.html",
        "title": "鞍山高新区2020年度政府信息公开工作报告",
        "agency": "鞍山高新区",
        "year": 2020,
        "format": fmt,
        "published": None,
        "published_from": None,
        "sections": ["overview", "active", "requests", "appeals", "problems", "other"],
        "problems": [],
        "dates": [],
        "document_kind": "report",
        "text": "鞍山高新区2020年度政府信息公开工作报告 高新区深入贯彻落实《中华人民共和国政府信息公开条例》",
        "section_text": {"overview": "高新区深入贯彻落实"},
    }
    for table, keys in cell_keys(fmt).items():
        report[table] = dict.fromkeys(keys, value)
    report.update(overrides)
    return report


@pytest.fixture
def report_factory():
    return make_report


@pytest.fixture
def db(tmp_path):
    from db import open_db

    database = open_db(str(tmp_path / "nianbao.db"))
    yield database
    database.close()


@pytest.fixture
def blob_dir(tmp_path):
    return str(tmp_path / "blobs")


def add_agency(db, agency_id: str, name: str, aliases=(), kind: str = "department") -> None:
    import json

    db["agencies"].insert(
        {
            "id": agency_id,
            "name": name,
            "kind": kind,
            "deadline": "01-31",
            "aliases": json.dumps(list(aliases)),
        }
    )


@pytest.fixture
def agency():
    return add_agency
