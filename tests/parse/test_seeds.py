"""The five seed reports parse exactly to ../shared/seeds/expected (SEEDS.md)."""

from __future__ import annotations

import json
import os

import pytest

from crawler.parse import parse_file
from tests.conftest import SEEDS

NAMES = sorted(p.stem for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-6
    return a == b


@pytest.mark.parametrize("name", NAMES)
def test_seed_matches_expected(seeds_dir, name):
    expected = json.loads((seeds_dir / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    got = parse_file(str(seeds_dir / f"{name}.txt"))
    assert "error" not in got
    assert os.path.basename(got["source"]) == expected["source"]
    for field in ("title", "agency", "year", "format", "published", "published_from", "sections"):
        assert got[field] == expected[field], field
    for table in ("active", "requests", "appeals"):
        assert set(got[table]) == set(expected[table]), f"{table}: keys differ"
        wrong = {k: (v, got[table][k]) for k, v in expected[table].items() if not same(got[table][k], v)}
        assert not wrong, f"{table}: expected/got {wrong}"
    problems = {(p["code"], p["where"]) for p in got["problems"]}
    assert problems == {(p["code"], p["where"]) for p in expected["problems"]}
    for p in got["problems"]:
        assert p["message"], "every problem says why"


def test_seed_header_zeros_are_not_values(seeds_dir):
    """Seed 003: table 3's header positions hold 0; the empty data row stays null."""
    got = parse_file(str(seeds_dir / "003_67d5636951f762bb.txt"))
    assert all(v is None for v in got["appeals"].values())
    assert got["active"]["procurement.amount_wan"] == pytest.approx(175.12926)


def test_seed_text_kept_for_prose_rules(seeds_dir):
    got = parse_file(str(seeds_dir / "004_a7ed15760e03fe8e.txt"))
    assert "共收到依申请公开信息4件" in got["section_text"]["overview"]
    assert got["dates"][0] == {"date": "2021-01-29", "from": "byline"}
    assert {"date": "2021-01-29", "from": "signature"} in got["dates"]
