"""`nianbao ingest` and `nianbao agencies` through click's CliRunner, and once as a real subprocess."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import threading

import pytest
from click.testing import CliRunner

from crawler.cli import main
from db import open_db
from db.store import load_blob

REGISTRY = """\
agencies:
  - id: chengde-gxq
    name: 承德高新技术产业开发区管理委员会
    aliases: [承德高新区]
    kind: department
  - id: anshan-gxq
    name: 鞍山高新技术产业开发区管理委员会
    aliases: [鞍山高新区]
    kind: department
  - id: jiadong
    name: 东风区佳东街道办事处
    kind: township
"""
SEED_000 = "000_d15466998edb0963.txt"
SEED_004 = "004_a7ed15760e03fe8e.txt"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `nianbao ...` in-process against a database in tmp_path with the registry imported."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_BLOB_DIR", raising=False)
    (tmp_path / "registry.yml").write_text(REGISTRY, encoding="utf-8")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [*args, "--db", str(tmp_path / "n.db")], catch_exceptions=False)

    result = run("agencies", "import", "registry.yml")
    assert result.exit_code == 0, result.output
    return run


def stored(tmp_path):
    return open_db(str(tmp_path / "n.db"))


def test_agencies_import_and_list(cli):
    result = cli("agencies", "import", "registry.yml")
    assert result.exit_code == 0
    assert result.stdout.strip() == "imported 3 agencies (0 new, 3 updated), 0 sources"
    listed = cli("agencies", "list")
    assert listed.exit_code == 0
    assert [line.split("\t")[:3] for line in listed.stdout.splitlines()] == [
        ["anshan-gxq", "department", "01-31"],
        ["chengde-gxq", "department", "01-31"],
        ["jiadong", "township", "01-31"],
    ]


def test_agencies_import_of_a_bad_file_lists_every_problem_and_exits_1(cli, tmp_path):
    (tmp_path / "bad.yml").write_text(
        REGISTRY.replace("kind: township", "kind: village").replace(
            "  - id: anshan-gxq", "  - id: chengde-gxq"
        ),
        encoding="utf-8",
    )
    result = cli("agencies", "import", "bad.yml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("nianbao: bad.yml:line 6: duplicate id 'chengde-gxq'")
    assert lines[1].startswith("nianbao: bad.yml:line 12: unknown kind 'village'")
    assert lines[2] == "nianbao: registry not imported: 2 problem(s) in bad.yml"
    assert "Traceback" not in result.output


def test_unknown_agency_is_one_line_and_exit_1(cli, seeds_dir):
    result = cli("ingest", str(seeds_dir / SEED_004), "--agency", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("nianbao: unknown agency 'nowhere'")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", ["2021-02-30", "2021/01/29", "29.01.2021", "20210129"])
def test_bad_published_date_is_refused(cli, bad):
    result = cli("ingest", "x.txt", "--agency", "jiadong", "--published", bad)
    assert result.exit_code == 1 and "is not a date YYYY-MM-DD" in result.stderr


def test_url_with_several_documents_is_refused(cli):
    result = cli("ingest", "a.txt", "b.txt", "--agency", "jiadong", "--url", "http://x.gov.cn/a.html")
    assert result.exit_code == 1 and "ONE report" in result.stderr


def test_unreadable_file_is_reported_and_nothing_stored(cli, tmp_path):
    result = cli("ingest", "missing.txt", "--agency", "jiadong")
    assert result.exit_code == 1
    assert "nianbao: missing.txt: no such file" in result.stderr
    assert stored(tmp_path)["reports"].count == 0


def test_ingest_seeds_stores_them_like_the_crawler(cli, tmp_path, seeds_dir):
    result = cli("ingest", str(seeds_dir / SEED_004), "--agency", "anshan-gxq")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "report 1\tanshan-gxq\t2020\tv1 (new)\tformat 2019\tpublished 2021-01-29 (byline)"
    )
    db = stored(tmp_path)
    row = db["reports"].get(1)
    raw = (seeds_dir / SEED_004).read_bytes()
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()
    assert load_blob(str(tmp_path / "n.db.blobs"), row["sha256"]) == raw
    assert (row["url_key"], row["agency_name"], row["title"]) == (
        "ingest:anshan-gxq/2020",
        "鞍山高新区",
        "鞍山高新区2020年度政府信息公开工作报告",
    )
    expected = json.loads((seeds_dir / "expected" / SEED_004.replace(".txt", ".json")).read_text())
    # the stored cells are the parser's, null where it could not read them
    cells = {(t, k): v for t, k, v in db.execute("SELECT tbl, key, value FROM cells WHERE report_id = 1")}
    for table in ("active", "requests", "appeals"):
        for key, value in expected[table].items():
            assert cells[(table, key)] == value, (table, key)
    assert [r["id"] for r in db["reports"].search("深入贯彻落实")] == [1]

    again = cli("ingest", str(seeds_dir / SEED_004), "--agency", "anshan-gxq", "--published", "2021-01-20")
    assert again.exit_code == 0 and "v1 (unchanged)" in again.stdout
    assert "published 2021-01-29 (byline)" in again.stdout  # the document's own date beats --published


def test_published_is_used_when_the_document_has_no_date_and_errors_do_not_stop_the_others(
    cli, tmp_path, seeds_dir
):
    result = cli(
        "ingest",
        "missing.txt",
        str(seeds_dir / SEED_000),
        "--agency",
        "chengde-gxq",
        "--published",
        "2021-02-03",
    )
    assert result.exit_code == 1
    assert "nianbao: missing.txt: no such file" in result.stderr
    assert "1 of 2 document(s) not stored" in result.stderr
    assert "published 2021-02-03 (given)" in result.stdout
    row = stored(tmp_path)["reports"].get(1)
    assert (row["agency_id"], row["published"], row["published_from"]) == (
        "chengde-gxq",
        "2021-02-03",
        "given",
    )


@pytest.fixture
def portal(seeds_dir):
    """A loopback HTTP server serving the seeds directory."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(seeds_dir))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ingest_a_url_records_where_it_is_published(cli, tmp_path, portal, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    url = f"{portal}/{SEED_004}"
    result = cli("ingest", url, "--agency", "anshan-gxq")
    assert result.exit_code == 0, result.output
    row = stored(tmp_path)["reports"].get(1)
    assert (row["url"], row["url_key"]) == (url, url.removeprefix("http://"))


def test_ingest_as_a_real_subprocess(tmp_path, seeds_dir):
    nianbao = shutil.which("nianbao")
    assert nianbao, "the console script is installed by pip install -e ."
    (tmp_path / "registry.yml").write_text(REGISTRY, encoding="utf-8")
    db = str(tmp_path / "n.db")
    imported = subprocess.run(
        [nianbao, "agencies", "import", "registry.yml", "--db", db],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported 3 agencies (3 new, 0 updated), 0 sources"
    args = [nianbao, "ingest", str(seeds_dir / SEED_004), "--agency", "anshan-gxq", "--db", db]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("report 1\tanshan-gxq\t2020\tv1 (new)")
    assert "Traceback" not in done.stderr


def test_a_document_naming_another_agency_is_stored_with_a_warning(cli, tmp_path, seeds_dir):
    result = cli("ingest", str(seeds_dir / SEED_000), "--agency", "anshan-gxq")
    assert result.exit_code == 0, result.output
    assert "registered as 'chengde-gxq'; stored under --agency 'anshan-gxq'" in result.stderr
    assert stored(tmp_path)["reports"].get(1)["agency_id"] == "anshan-gxq"


def test_a_document_that_is_not_a_report_is_refused(cli, tmp_path):
    (tmp_path / "jiedu.html").write_text(
        "<html><head><title>一图读懂承德高新区2020年政府信息公开工作年度报告</title></head><body>"
        "<h1>一图读懂承德高新区2020年政府信息公开工作年度报告</h1><p>本年度我区政务公开工作取得新进展。</p></body></html>",
        encoding="utf-8",
    )
    result = cli("ingest", "jiedu.html", "--agency", "chengde-gxq")
    assert result.exit_code == 1
    assert "nianbao: jiedu.html: not a report (interpretation)" in result.stderr
    db = stored(tmp_path)
    assert db["reports"].count == 0 and db["documents"].count == 0


def test_a_document_the_parser_cannot_classify_is_kept_as_unknown(cli, tmp_path):
    (tmp_path / "scan.txt").write_text("本年度我区政务公开工作取得新进展。\n", encoding="utf-8")
    result = cli("ingest", "scan.txt", "--agency", "chengde-gxq", "--published", "2021-01-20")
    assert result.exit_code == 0, result.output
    row = stored(tmp_path)["reports"].get(1)
    assert (row["document_kind"], row["agency_id"], row["published_from"]) == (
        "unknown",
        "chengde-gxq",
        "given",
    )


def test_a_second_untitled_file_for_the_same_agency_and_year_is_a_new_version(cli, tmp_path, seeds_dir):
    # Without --url a hand-delivered report is identified by agency and year: a corrected file replaces it.
    first = cli("ingest", str(seeds_dir / "002_4841818a3633f9fe.txt"), "--agency", "jiadong")
    second = cli("ingest", str(seeds_dir / "003_67d5636951f762bb.txt"), "--agency", "jiadong")
    assert "v1 (new)" in first.stdout and "v2 (changed)" in second.stdout
    db = stored(tmp_path)
    assert db["reports"].count == 1 and db["report_versions"].count == 2
    assert "warning" not in second.stderr  # separate runs: a correction, as intended


def test_two_files_for_one_report_in_one_run_are_warned_about(cli, seeds_dir):
    result = cli(
        "ingest",
        str(seeds_dir / "002_4841818a3633f9fe.txt"),
        str(seeds_dir / "003_67d5636951f762bb.txt"),
        "--agency",
        "jiadong",
    )
    assert result.exit_code == 0
    assert "003_67d5636951f762bb.txt replaced" in result.stderr and "--url" in result.stderr
