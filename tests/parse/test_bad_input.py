"""Bad input gives a one-line error object and the run goes on (INTERFACE.md §3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from crawler.cli import main
from crawler.parse import parse_bytes, parse_file


def test_missing_and_empty(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert parse_file(str(tmp_path / "nope.pdf")) == {
        "source": str(tmp_path / "nope.pdf"),
        "error": "no such file",
    }
    assert parse_file(str(empty))["error"] == "empty file"


def test_random_bytes_and_mislabelled():
    noise = bytes(range(256)) * 40
    assert "error" in parse_bytes(noise, "noise.bin")
    assert "error" in parse_bytes(noise, "report.pdf")
    truncated_pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"
    assert parse_bytes(truncated_pdf, "cut.pdf")["error"].startswith(("corrupt PDF", "not a"))
    assert "error" in parse_bytes(b"PK\x03\x04broken zip", "x.docx")


def test_not_a_report_is_not_an_error():
    got = parse_bytes("《2021年政府信息公开工作年度报告》解读\n本报告全面反映……".encode(), "jd.txt")
    assert "error" not in got
    assert got["document_kind"] == "interpretation"
    assert ("not_report", "document") in {(p["code"], p["where"]) for p in got["problems"]}


def test_report_without_tables_says_so():
    got = parse_bytes(
        "某局2022年政府信息公开工作年度报告\n一、总体情况\n全年未收到申请。".encode(), "prose.txt"
    )
    assert got["format"] is None
    assert "no_tables" in {p["code"] for p in got["problems"]}


def test_cli_goes_on_after_a_bad_file(tmp_path, seeds_dir):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    seed = seeds_dir / "000_d15466998edb0963.txt"
    result = CliRunner().invoke(
        main, ["parse", "--json", str(bad), str(tmp_path / "missing.docx"), str(seed)]
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("error" in obj) for obj in lines] == [True, True, False]
    assert lines[2]["requests"]["new.total"] == 5
    assert "Traceback" not in result.output


def test_size_limit_refuses_without_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    result = CliRunner().invoke(main, ["parse", "--json", "--max-bytes", "1024", str(big)])
    assert result.exit_code == 1
    assert "too large" in json.loads(result.stdout.splitlines()[0])["error"]


def test_console_script_subprocess(seeds_dir):
    seed = str(seeds_dir / "004_a7ed15760e03fe8e.txt")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "parse", "--json", seed],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["published"] == "2021-01-29" and "text" not in report


def test_parse_url_from_loopback(seeds_dir):
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(seeds_dir), **kw)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        result = CliRunner().invoke(
            main,
            ["parse", "--json", f"{base}/000_d15466998edb0963.txt", f"{base}/nothing.txt"],
            env={"no_proxy": "*"},
        )
    finally:
        server.shutdown()
    first, second = (json.loads(x) for x in result.stdout.splitlines())
    assert first["title"] == "承德高新区2020年政府信息公开工作年度报告"
    assert "404" in second["error"]
