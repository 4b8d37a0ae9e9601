"""db.store against a real SQLite file: blobs, save/version/unchanged, identity, dates, agencies, sources, search."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

import pytest

from db.store import (
    blob_dir_for,
    current_report_json,
    known_report,
    load_blob,
    match_agency,
    normalise_url,
    record_source,
    save_blob,
    save_report,
)

URL = "http://www.ahz.gov.cn/xxgk/gknb/202101/t20210129_1.html"
DAY1, DAY2, DAY3 = "2021-01-30T09:00:00+08:00", "2021-02-10T09:00:00+08:00", "2021-03-01T09:00:00+08:00"


def rows(db, sql, params=()):
    return db.execute(sql, params).fetchall()


# --- blobs --------------------------------------------------------------------------------


def test_blob_is_content_addressed_and_written_whole(blob_dir):
    data = "报告".encode() * 1000
    sha = save_blob(blob_dir, data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert os.path.isfile(os.path.join(blob_dir, sha[:2], sha))
    assert load_blob(blob_dir, sha) == data
    assert save_blob(blob_dir, data) == sha  # same bytes: same file, no error
    assert os.listdir(os.path.join(blob_dir, sha[:2])) == [sha]  # no temp files left behind


def test_blob_dir_defaults_beside_the_database(tmp_path):
    assert blob_dir_for(str(tmp_path / "x.db")) == str(tmp_path / "x.db.blobs")
    assert blob_dir_for(str(tmp_path / "x.db"), "/srv/blobs") == "/srv/blobs"


# --- saving and versions --------------------------------------------------------------------


def test_first_save_stores_everything(db, blob_dir, report_factory, agency):
    agency(db, "ash", "鞍山高新技术产业开发区管理委员会", aliases=["鞍山高新区"])
    report = report_factory(
        value=3, problems=[{"code": "unit_assumed", "where": "active.procurement", "message": "m"}]
    )
    report["requests"]["new.natural"] = None
    saved = save_report(
        db,
        report,
        raw=b"<html>v1</html>",
        blob_dir=blob_dir,
        seen_at=DAY1,
        url=URL,
        source_url="http://www.ahz.gov.cn/xxgk/gknb/",
        listing_date="2021-01-29",
    )
    assert (saved.version, saved.created, saved.changed) == (1, True, True)
    row = db["reports"].get(saved.report_id)
    assert row["agency_id"] == "ash"  # matched by alias: the report names itself 鞍山高新区
    assert row["url_key"] == "ahz.gov.cn/xxgk/gknb/202101/t20210129_1.html"
    assert row["sha256"] == hashlib.sha256(b"<html>v1</html>").hexdigest()
    assert (row["first_seen"], row["last_seen"], row["year"], row["format"]) == (DAY1, DAY1, 2020, "2019")
    assert (row["source_url"], row["listing_date"]) == ("http://www.ahz.gov.cn/xxgk/gknb/", "2021-01-29")
    assert json.loads(row["problems"])[0]["code"] == "unit_assumed"
    assert json.loads(row["section_text"]) == {"overview": "高新区深入贯彻落实"}
    assert load_blob(blob_dir, row["sha256"]) == b"<html>v1</html>"
    document = db["documents"].get(row["sha256"])
    assert (document["size"], document["container"]) == (len(b"<html>v1</html>"), "html")
    # cells in long form, one per key, NULL kept as NULL
    n_keys = sum(len(report[t]) for t in ("active", "requests", "appeals"))
    assert rows(db, "SELECT count(*) FROM cells WHERE report_id = ?", [saved.report_id]) == [(n_keys,)]
    assert rows(db, "SELECT row, col, value FROM cells WHERE tbl = 'requests' AND key = 'new.natural'") == [
        ("new", "natural", None)
    ]
    assert rows(db, "SELECT row, col, value FROM cells WHERE key = 'withheld.third_party.total'") == [
        ("withheld.third_party", "total", 3.0)
    ]
    # the stored version is the parsed dict without the bulky text
    version = json.loads(rows(db, "SELECT report_json FROM report_versions")[0][0])
    assert "text" not in version and version["requests"]["new.natural"] is None
    assert current_report_json(db, saved.report_id)["text"] == report["text"]


def test_same_bytes_again_only_touch_last_seen(db, blob_dir, report_factory):
    first = save_report(db, report_factory(), raw=b"same", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    again = save_report(db, report_factory(), raw=b"same", blob_dir=blob_dir, seen_at=DAY2, url=URL)
    assert (again.report_id, again.version, again.created, again.changed) == (
        first.report_id,
        1,
        False,
        False,
    )
    row = db["reports"].get(first.report_id)
    assert (row["first_seen"], row["last_seen"]) == (DAY1, DAY2)
    assert rows(db, "SELECT count(*) FROM report_versions") == [(1,)]


def test_changed_bytes_make_a_new_version_and_keep_the_old(db, blob_dir, report_factory):
    first = save_report(db, report_factory(value=1), raw=b"v1", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    # the mobile twin of the same page, revised
    twin = URL.replace(".html", "_wap.html").replace("http://www.", "https://")
    second = save_report(db, report_factory(value=2), raw=b"v2", blob_dir=blob_dir, seen_at=DAY2, url=twin)
    third = save_report(db, report_factory(value=2), raw=b"v2", blob_dir=blob_dir, seen_at=DAY3, url=URL)
    assert (second.report_id, second.version, second.changed) == (first.report_id, 2, True)
    assert (third.version, third.changed) == (2, False)
    row = db["reports"].get(first.report_id)
    assert (row["version"], row["first_seen"], row["last_seen"]) == (2, DAY1, DAY3)
    assert row["sha256"] == hashlib.sha256(b"v2").hexdigest()
    versions = rows(db, "SELECT version, sha256, first_seen FROM report_versions ORDER BY version")
    assert versions == [
        (1, hashlib.sha256(b"v1").hexdigest(), DAY1),
        (2, hashlib.sha256(b"v2").hexdigest(), DAY2),
    ]
    old = json.loads(rows(db, "SELECT report_json FROM report_versions WHERE version = 1")[0][0])
    assert old["requests"]["total.total"] == 1
    # the cells are the current version's only
    assert rows(db, "SELECT DISTINCT value FROM cells") == [(2.0,)]
    assert load_blob(blob_dir, hashlib.sha256(b"v1").hexdigest()) == b"v1"  # old raw bytes kept


def test_identity_without_url_is_agency_and_year(db, blob_dir, report_factory, agency):
    agency(db, "ash", "鞍山高新技术产业开发区管理委员会")
    a = save_report(db, report_factory(), raw=b"a", blob_dir=blob_dir, seen_at=DAY1, agency_id="ash")
    b = save_report(db, report_factory(), raw=b"b", blob_dir=blob_dir, seen_at=DAY2, agency_id="ash")
    c = save_report(db, report_factory(year=2021), raw=b"c", blob_dir=blob_dir, seen_at=DAY2, agency_id="ash")
    assert a.report_id == b.report_id and b.version == 2
    assert c.report_id != a.report_id
    assert db["reports"].get(a.report_id)["url_key"] == "ingest:ash/2020"
    assert db["reports"].get(a.report_id)["url"] is None


def test_hand_ingested_file_is_adopted_when_the_crawler_finds_its_page(db, blob_dir, report_factory, agency):
    agency(db, "ash", "鞍山高新技术产业开发区管理委员会")
    ingested = save_report(db, report_factory(), raw=b"doc", blob_dir=blob_dir, seen_at=DAY1, agency_id="ash")
    crawled = save_report(
        db, report_factory(), raw=b"doc", blob_dir=blob_dir, seen_at=DAY2, agency_id="ash", url=URL
    )
    assert crawled.report_id == ingested.report_id and not crawled.changed
    row = db["reports"].get(ingested.report_id)
    assert (row["url"], row["url_key"], row["first_seen"]) == (URL, normalise_url(URL), DAY1)
    assert known_report(db, URL.replace("http://www.", "https://"))["id"] == ingested.report_id


def test_known_report(db, blob_dir, report_factory):
    assert known_report(db, URL) is None
    saved = save_report(db, report_factory(), raw=b"x", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    assert known_report(db, URL.replace(".html", "_wap.html"))["id"] == saved.report_id


def test_error_and_non_report_documents_are_refused_and_nothing_is_stored(db, blob_dir, report_factory):
    with pytest.raises(ValueError, match="corrupt"):
        save_report(
            db, {"source": "x.pdf", "error": "corrupt file"}, raw=b"x", blob_dir=blob_dir, seen_at=DAY1
        )
    with pytest.raises(ValueError, match="interpretation"):
        save_report(
            db, report_factory(document_kind="interpretation"), raw=b"y", blob_dir=blob_dir, seen_at=DAY1
        )
    with pytest.raises(ValueError, match="notice"):
        save_report(db, report_factory(document_kind="notice"), raw=b"z", blob_dir=blob_dir, seen_at=DAY1)
    assert rows(db, "SELECT count(*) FROM reports") == [(0,)]
    assert rows(db, "SELECT count(*) FROM documents") == [(0,)]
    # a document the parser could not classify is kept (the listing or the person says it is the report)
    saved = save_report(
        db, report_factory(document_kind="unknown"), raw=b"u", blob_dir=blob_dir, seen_at=DAY1
    )
    assert db["reports"].get(saved.report_id)["document_kind"] == "unknown"


def test_a_failed_save_leaves_nothing_half_written(db, blob_dir, report_factory):
    broken = report_factory()
    broken["appeals"]["review.total"] = "not a number"  # float() fails after the reports row is written
    with pytest.raises(ValueError):
        save_report(db, broken, raw=b"x", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    for table in ("reports", "report_versions", "cells", "documents"):
        assert rows(db, f"SELECT count(*) FROM {table}") == [(0,)], table


# --- published precedence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parsed", "given", "expected"),
    [
        (
            ("2021-01-29", "byline"),
            ("2021-01-20", "given"),
            ("2021-01-29", "byline"),
        ),  # document wins over given
        (
            (None, None),
            ("2021-01-20", "given"),
            ("2021-01-20", "given"),
        ),  # given only without a document date
        (
            ("2021-01-29", "signature"),
            ("2021-01-25", "meta"),
            ("2021-01-25", "meta"),
        ),  # crawler meta is stronger
        (
            ("2021-01-29", "byline"),
            ("2021-02-03", "url"),
            ("2021-01-29", "byline"),
        ),  # weaker crawler evidence loses
        (("2021-01-29", "url"), (None, None), ("2021-01-29", "url")),
        ((None, None), (None, None), (None, None)),
    ],
)
def test_published_precedence(db, blob_dir, report_factory, parsed, given, expected):
    report = report_factory(published=parsed[0], published_from=parsed[1])
    saved = save_report(
        db,
        report,
        raw=b"x",
        blob_dir=blob_dir,
        seen_at=DAY1,
        url=URL,
        published=given[0],
        published_from=given[1],
    )
    row = db["reports"].get(saved.report_id)
    assert (row["published"], row["published_from"]) == expected


def test_published_without_published_from_counts_as_given(db, blob_dir, report_factory):
    saved = save_report(
        db, report_factory(), raw=b"x", blob_dir=blob_dir, seen_at=DAY1, published="2021-01-20"
    )
    assert db["reports"].get(saved.report_id)["published_from"] == "given"


def test_a_stronger_date_found_later_upgrades_an_unchanged_report(db, blob_dir, report_factory):
    report = report_factory(published="2021-01-29", published_from="url")
    save_report(db, report, raw=b"x", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    saved = save_report(
        db,
        report,
        raw=b"x",
        blob_dir=blob_dir,
        seen_at=DAY2,
        url=URL,
        published="2021-01-28",
        published_from="meta",
    )
    row = db["reports"].get(saved.report_id)
    assert (row["published"], row["published_from"], saved.changed) == ("2021-01-28", "meta", False)


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.x.gov.cn/a/t20230118_11520599_wap.html", "x.gov.cn/a/t20230118_11520599.html"),
        ("https://x.gov.cn/a/t20230118_11520599.html", "x.gov.cn/a/t20230118_11520599.html"),
        ("http://WWW.X.GOV.CN:80/xxgk/gknb/index.shtml", "x.gov.cn/xxgk/gknb"),
        ("https://x.gov.cn:443/xxgk/gknb/", "x.gov.cn/xxgk/gknb"),
        ("http://x.gov.cn/xxgk/gknb/index.htm#top", "x.gov.cn/xxgk/gknb"),
        ("http://x.gov.cn:8080/a.html", "x.gov.cn:8080/a.html"),
        ("http://127.0.0.1:8765/r/index.html", "127.0.0.1:8765/r"),
        ("http://x.gov.cn/gkmlpt/index#1234", "x.gov.cn/gkmlpt/index"),
        (
            "http://x.gov.cn/module/xxgk/xxgkAnnualReport.jsp?fbtime=2021&area=11",
            "x.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11&fbtime=2021",
        ),
        (
            "http://x.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11&fbtime=2021",
            "x.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11&fbtime=2021",
        ),
        (
            "http://x.gov.cn/art/2024/1/23/art_1229114055_88348.html",
            "x.gov.cn/art/2024/1/23/art_1229114055_88348.html",
        ),
    ],
)
def test_normalise_url(url, key):
    assert normalise_url(url) == key


def test_listing_urls_keep_the_gkmlpt_category():
    assert (
        normalise_url("http://www.x.gov.cn/gkmlpt/index#1234", listing=True) == "x.gov.cn/gkmlpt/index#1234"
    )
    assert normalise_url("http://x.gov.cn/gkmlpt/index#top", listing=True) == "x.gov.cn/gkmlpt/index"


def test_different_pages_stay_different():
    assert normalise_url("http://x.gov.cn/a/t1.html") != normalise_url("http://y.x.gov.cn/a/t1.html")
    assert normalise_url("http://x.gov.cn/a/index.html") != normalise_url("http://x.gov.cn/b/index.html")
    assert normalise_url("http://x.gov.cn/a.jsp?fbtime=2020") != normalise_url(
        "http://x.gov.cn/a.jsp?fbtime=2021"
    )


# --- agencies -------------------------------------------------------------------------------


@pytest.fixture
def registry_db(db, agency):
    agency(db, "cd-gxq", "承德高新技术产业开发区管理委员会", aliases=["承德高新区", "承德高新区管委会"])
    agency(db, "cd-gov", "承德市人民政府", kind="government")
    agency(db, "cd-office", "承德市人民政府办公室")
    agency(db, "dfq-jd", "东风区佳东街道办事处")
    return db


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("承德市人民政府",), "cd-gov"),  # exact name, although another name contains it
        (("承德高新区",), "cd-gxq"),  # exact alias
        ((None, "承德高新区2020年政府信息公开工作年度报告"), "cd-gxq"),  # alias contained in the title
        (("承德高新区管委会2020年度报告",), "cd-gxq"),  # longest alias wins
        (
            ("承德市人民政府办公室2020年政府信息公开工作年度报告",),
            "cd-office",
        ),  # longest name wins over 承德市人民政府
        (("东风区佳东街道办事处 ",), "dfq-jd"),  # whitespace ignored
        (("东风区 佳东街道 办事处２０２０年度",), "dfq-jd"),  # NFKC and inner spaces
        (("鞍山高新区",), None),
        ((None, ""), None),
    ],
)
def test_match_agency(registry_db, names, expected):
    assert match_agency(registry_db, *names) == expected


def test_match_agency_never_guesses_between_two_agencies(db, agency):
    agency(db, "a", "甲县人民政府", aliases=["甲县"])
    agency(db, "b", "甲县人民政府办公室", aliases=["甲县"])
    assert match_agency(db, "甲县") is None
    assert match_agency(db, "甲县人民政府办公室") == "b"


def test_full_width_brackets_in_registry_and_title_match(db, agency):
    agency(db, "gy", "贵阳市人民政府（市人民政府办公厅）")
    assert match_agency(db, "贵阳市人民政府(市人民政府办公厅)2021年政府信息公开工作年度报告") == "gy"


# --- sources --------------------------------------------------------------------------------


def test_record_source_keeps_history_fields(db):
    url = "http://www.x.gov.cn/xxgk/gknb/index.shtml"
    record_source(db, url, status="ok", crawled_at=DAY1, family="trs", reports_found=4)
    record_source(db, url, status="unreachable", detail="connection refused", crawled_at=DAY2)
    row = db["sources"].get(url)
    assert (row["status"], row["detail"], row["last_crawled"], row["last_ok"]) == (
        "unreachable",
        "connection refused",
        DAY2,
        DAY1,
    )
    assert (row["family"], row["reports_found"]) == ("trs", 4)
    with pytest.raises(ValueError):
        record_source(db, url, status="fine", crawled_at=DAY3)


# --- search ---------------------------------------------------------------------------------


def test_full_text_search_finds_a_chinese_phrase(db, blob_dir, report_factory):
    saved = save_report(db, report_factory(), raw=b"x", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    save_report(
        db,
        report_factory(text="承德高新区 政府信息公开", title="承德高新区报告"),
        raw=b"y",
        blob_dir=blob_dir,
        seen_at=DAY1,
        url=URL + "?other",
    )
    found = [r["id"] for r in db["reports"].search("深入贯彻落实")]
    assert found == [saved.report_id]
    # a new version is indexed too
    save_report(
        db, report_factory(text="本年度新增政务公开专栏"), raw=b"x2", blob_dir=blob_dir, seen_at=DAY2, url=URL
    )
    assert [r["id"] for r in db["reports"].search("政务公开专栏")] == [saved.report_id]
    assert list(db["reports"].search("深入贯彻落实")) == []


def test_database_is_in_wal_mode_and_readable_while_open(db, blob_dir, report_factory, tmp_path):
    save_report(db, report_factory(), raw=b"x", blob_dir=blob_dir, seen_at=DAY1, url=URL)
    reader = sqlite3.connect(str(tmp_path / "nianbao.db"))
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


# --- re-parsing stored bytes ------------------------------------------------------------------


def test_reparse_replaces_the_parsed_data_of_the_stored_bytes(db, blob_dir, report_factory, seeds_dir):
    from db.store import reparse

    raw = (seeds_dir / "004_a7ed15760e03fe8e.txt").read_bytes()
    old_parse = report_factory(
        value=99, published=None, published_from=None
    )  # what an older parser made of it
    saved = save_report(db, old_parse, raw=raw, blob_dir=blob_dir, seen_at=DAY1, published="2021-02-01")
    report = reparse(db, blob_dir, saved.report_id)
    expected = json.loads((seeds_dir / "expected" / "004_a7ed15760e03fe8e.json").read_text())
    row = db["reports"].get(saved.report_id)
    assert (row["version"], row["first_seen"]) == (1, DAY1)
    assert (row["published"], row["published_from"]) == (
        "2021-01-29",
        "byline",
    )  # the document's date now wins
    assert report["requests"] == expected["requests"]
    assert current_report_json(db, saved.report_id)["active"] == expected["active"]
    values = dict(db.execute("SELECT key, value FROM cells WHERE tbl = 'active'").fetchall())
    assert values == expected["active"]


def test_two_writers_at_once_both_succeed(tmp_path, report_factory):
    """A crawl and an ingest writing the same file together: each save waits its turn, none fails."""
    import threading

    from db import open_db

    path = str(tmp_path / "shared.db")
    open_db(path).close()
    errors = []

    def writer(name: str) -> None:
        db = open_db(path)
        try:
            for i in range(25):
                save_report(
                    db,
                    report_factory(),
                    raw=f"{name}{i}".encode(),
                    blob_dir=str(tmp_path / "b"),
                    seen_at=DAY1,
                    url=f"http://x.gov.cn/{name}/{i}.html",
                )
        except Exception as exc:  # collected: a thread's exception would otherwise be lost
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("crawl", "ingest")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert open_db(path)["reports"].count == 50
