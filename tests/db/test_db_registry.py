"""The registry: YAML and CSV, every bad line reported with its line number, nothing half-imported."""

from __future__ import annotations

import json
import textwrap

import pytest

from db.registry import RegistryError, import_registry, read_registry
from db.store import record_source

GOOD_YAML = """\
agencies:
  - id: hebei-chengde-gxq            # stable, unique, ascii
    name: 承德高新技术产业开发区管理委员会
    aliases: [承德高新区, 承德高新区管委会]
    kind: department
    region: 河北省/承德市
    sources:
      - http://www.chengde.gov.cn/xxgk/gknb/index.shtml
      - url: http://www.chengde.gov.cn/col/col1229214366/index.html
        family: hanweb
  - id: chengde-gov
    name: 承德市人民政府
    kind: government
    sources:
      - http://www.chengde.gov.cn/xxgk/gknb/index.shtml
  - id: jiadong-jd
    name: 东风区佳东街道办事处
    kind: township
    deadline: "02-20"
  - id: gz-hp
    name: 广州市黄埔区人民政府
    kind: government
    deadline: 02-29
    sources:
      - url: http://www.hp.gov.cn/gkmlpt/index#1234
        family: gkmlpt
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def agencies(db):
    return {r["id"]: r for r in db["agencies"].rows}


def test_good_yaml_is_imported(db, tmp_path):
    path = write(tmp_path, "registry.yml", GOOD_YAML)
    result = import_registry(db, path, now="2024-01-01T00:00:00+08:00")
    assert (result.agencies, result.new, result.updated, result.sources) == (4, 4, 0, 3)
    assert result.summary() == "imported 4 agencies (4 new, 0 updated), 3 sources"
    assert result.warnings == []
    rows = agencies(db)
    assert (rows["hebei-chengde-gxq"]["deadline"], rows["hebei-chengde-gxq"]["deadline_override"]) == (
        "01-31",
        None,
    )
    assert rows["chengde-gov"]["deadline"] == "03-31"
    assert (rows["jiadong-jd"]["deadline"], rows["jiadong-jd"]["deadline_override"]) == ("02-20", "02-20")
    assert rows["gz-hp"]["deadline"] == "02-29"
    assert json.loads(rows["hebei-chengde-gxq"]["aliases"]) == ["承德高新区", "承德高新区管委会"]
    assert rows["hebei-chengde-gxq"]["region"] == "河北省/承德市"
    shared = "http://www.chengde.gov.cn/xxgk/gknb/index.shtml"
    assert sorted(r["agency_id"] for r in db["agency_sources"].rows_where("url = ?", [shared])) == [
        "chengde-gov",
        "hebei-chengde-gxq",
    ]
    assert db["sources"].get("http://www.chengde.gov.cn/col/col1229214366/index.html")["family"] == "hanweb"
    assert db["agency_sources"].get(("gz-hp", "http://www.hp.gov.cn/gkmlpt/index#1234"))["family"] == "gkmlpt"


def test_bad_lines_are_all_reported_with_their_line_and_nothing_is_imported(db, tmp_path):
    path = write(
        tmp_path,
        "bad.yml",
        """\
        agencies:
          - id: ok-one
            name: 甲县教育局
            kind: department
          - id: ok-one
            name: 乙县教育局
            kind: department
          - id: no-name
            kind: department
          - id: bad-kind
            name: 丙县
            kind: county
          - id: bad-deadline
            name: 丁县
            kind: department
            deadline: "02-30"
          - id: bad-url
            name: 戊县
            kind: department
            sources:
              - http://www.wu.gov.cn/ok/
              - ftp://www.wu.gov.cn/gknb/
              - url: http://www.wu.gov.cn/col/col1/index.html
                family: jcms
              - www.wu.gov.cn/no-scheme/
        """,
    )
    with pytest.raises(RegistryError) as info:
        import_registry(db, path)
    problems = info.value.problems
    expected = [
        ("line 5:", "duplicate id 'ok-one' (first at line 2)"),
        ("line 8:", "missing name"),
        ("line 12:", "unknown kind 'county'"),
        ("line 16:", "bad deadline '02-30'"),
        ("line 22:", "malformed source URL 'ftp://www.wu.gov.cn/gknb/'"),
        ("line 23:", "unknown family 'jcms'"),
        ("line 25:", "malformed source URL 'www.wu.gov.cn/no-scheme/'"),
    ]
    assert len(problems) == len(expected), problems
    for problem, (line, words) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}") and words in problem, problem
    assert db["agencies"].count == 0 and db["sources"].count == 0


def test_truncated_yaml_is_one_line_with_its_line(db, tmp_path):
    cut = GOOD_YAML[: GOOD_YAML.index("family: hanweb") + 8]  # stops inside a mapping value
    path = write(tmp_path, "cut.yml", cut + '\n  - id: "unterminated\n')
    with pytest.raises(RegistryError) as info:
        import_registry(db, path)
    assert len(info.value.problems) == 1
    message = info.value.problems[0]
    assert "\n" not in message and "YAML" in message
    assert message.startswith(f"{path}:line 12:") and "started at line 11" in message
    assert db["agencies"].count == 0


def test_yaml_cut_at_a_line_end_gives_the_missing_field(db, tmp_path):
    path = write(tmp_path, "cut.yml", GOOD_YAML[: GOOD_YAML.index("    kind: government")])
    with pytest.raises(RegistryError) as info:
        import_registry(db, path)
    assert info.value.problems == [
        f"{path}:line 11: unknown kind None (expected department | government | township)"
    ]


def test_reimport_is_idempotent_and_updates_in_place(db, tmp_path):
    path = write(tmp_path, "registry.yml", GOOD_YAML)
    import_registry(db, path, now="t1")
    before = (
        sorted(db["agencies"].rows, key=str),
        sorted(db["agency_sources"].rows, key=str),
        sorted(db["sources"].rows, key=str),
    )
    result = import_registry(db, path, now="t1")
    assert result.summary() == "imported 4 agencies (0 new, 4 updated), 3 sources"
    after = (
        sorted(db["agencies"].rows, key=str),
        sorted(db["agency_sources"].rows, key=str),
        sorted(db["sources"].rows, key=str),
    )
    assert after == before


def test_reimport_replaces_sources_but_never_crawl_history(db, tmp_path):
    import_registry(db, write(tmp_path, "registry.yml", GOOD_YAML))
    old = "http://www.chengde.gov.cn/col/col1229214366/index.html"
    record_source(db, old, status="ok", crawled_at="2024-02-01T00:00:00+08:00", reports_found=3)
    changed = GOOD_YAML.replace("承德市人民政府\n", "承德市人民政府（本级）\n").replace(
        "      - url: http://www.chengde.gov.cn/col/col1229214366/index.html\n        family: hanweb\n",
        "      - http://www.chengde.gov.cn/new/gknb/\n",
    )
    result = import_registry(db, write(tmp_path, "registry2.yml", changed))
    assert (result.new, result.updated) == (0, 4)
    assert db["agencies"].get("chengde-gov")["name"] == "承德市人民政府（本级）"
    urls = {r["url"] for r in db["agency_sources"].rows_where("agency_id = ?", ["hebei-chengde-gxq"])}
    assert urls == {"http://www.chengde.gov.cn/xxgk/gknb/index.shtml", "http://www.chengde.gov.cn/new/gknb/"}
    assert db["sources"].get(old)["reports_found"] == 3  # history of the dropped source is kept


def test_agencies_absent_from_a_new_file_are_kept(db, tmp_path):
    import_registry(db, write(tmp_path, "registry.yml", GOOD_YAML))
    only_one = GOOD_YAML[: GOOD_YAML.index("  - id: chengde-gov")]
    result = import_registry(db, write(tmp_path, "one.yml", only_one))
    assert (result.agencies, result.updated) == (1, 1)
    assert db["agencies"].count == 4


def test_csv_with_lists_and_families(db, tmp_path):
    path = write(
        tmp_path,
        "registry.csv",
        """\
        id,name,aliases,kind,region,deadline,sources
        hebei-chengde-gxq,承德高新技术产业开发区管理委员会,承德高新区;承德高新区管委会,department,河北省/承德市,,http://www.chengde.gov.cn/xxgk/gknb/index.shtml|http://www.chengde.gov.cn/col/col1229214366/index.html hanweb
        chengde-gov,承德市人民政府,,government,,"03-31",http://www.chengde.gov.cn/xxgk/gknb/index.shtml
        """,
    )
    result = import_registry(db, path)
    assert result.summary() == "imported 2 agencies (2 new, 0 updated), 2 sources"
    rows = agencies(db)
    assert json.loads(rows["hebei-chengde-gxq"]["aliases"]) == ["承德高新区", "承德高新区管委会"]
    assert rows["chengde-gov"]["deadline_override"] == "03-31"
    assert (
        db["agency_sources"].get(
            ("hebei-chengde-gxq", "http://www.chengde.gov.cn/col/col1229214366/index.html")
        )["family"]
        == "hanweb"
    )


def test_csv_problems_name_their_row_line(db, tmp_path):
    path = write(
        tmp_path,
        "registry.csv",
        """\
        id,name,aliases,kind,region,deadline,sources
        a,甲县教育局,,department,,,

        b,"乙县
        教育局",,department,,13-01,
        c,,,department,,,http://www.c.gov.cn/ x
        """,
    )
    with pytest.raises(RegistryError) as info:
        import_registry(db, path)
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in info.value.problems] == [
        "line 4",
        "line 6",
        "line 6",
    ]
    assert "bad deadline '13-01'" in info.value.problems[0]
    assert db["agencies"].count == 0


def test_csv_saved_by_excel_in_gb18030(db, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes("id,name,kind\nx,承德市人民政府,government\n".encode("gb18030"))
    import_registry(db, str(path))
    assert db["agencies"].get("x")["name"] == "承德市人民政府"


def test_hosts_off_gov_cn_are_warnings_not_errors(db, tmp_path):
    path = write(
        tmp_path,
        "registry.yml",
        """\
        agencies:
          - id: a
            name: 甲县教育局
            kind: department
            sources:
              - http://jy.jiaxian.gov.cn/gknb/
              - http://www.365betchina.com/zwgk/gknb/
              - http://portal.example.org/gknb/
        """,
    )
    result = import_registry(db, path, allowed_hosts=["example.org"])
    assert len(result.warnings) == 1
    assert "line 7" in result.warnings[0] and "365betchina.com" in result.warnings[0]
    assert db["agency_sources"].count == 3


def test_read_registry_gives_entries_to_the_crawler(tmp_path):
    entries = read_registry(write(tmp_path, "registry.yml", GOOD_YAML))
    gz = next(e for e in entries if e.id == "gz-hp")
    assert [(s.url, s.family) for s in gz.sources] == [("http://www.hp.gov.cn/gkmlpt/index#1234", "gkmlpt")]
    assert next(e for e in entries if e.id == "chengde-gov").deadline == "03-31"


def test_missing_file_is_one_problem(db, tmp_path):
    with pytest.raises(RegistryError) as info:
        import_registry(db, str(tmp_path / "nope.yml"))
    assert len(info.value.problems) == 1 and "cannot read" in info.value.problems[0]
