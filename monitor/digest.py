"""Content fingerprints of a report, for `duplicate`: its tables, and its prose with names, digits,
whitespace and punctuation removed (so a copy with the agency's name changed still matches)."""

from __future__ import annotations

import hashlib
import json
import math
import re

from monitor.text import nfkc

PROSE_SECTIONS = ("overview", "problems", "other")
_NOISE = re.compile(r"[\s\d\W_a-zA-Z]+", re.UNICODE)
# A table's JSON with its values left as %s, per sequence of keys (there are few: one per format and
# table), so that the digest costs one string formatting instead of json.dumps cell by cell.
_TEMPLATES: dict[tuple, str | None] = {}
_MAX_TEMPLATES = 64
_PYTHON_WORDS = ("None", "True", "False")  # str() of a value where JSON has null, true, false


def tables_digest(report) -> str | None:
    """Same digest <=> same format and the same value (or blank) in every cell. None without tables."""
    if not report.format or not report.tables:
        return None
    # Keys come in the format's order (crawler/parse/keys.py), so no sorting is needed.
    tables = [report.tables.get(t) or {} for t in ("active", "requests", "appeals")]
    parts = [_table_json(table) for table in tables]
    if None in parts:
        payload = json.dumps([report.format, *tables])
    else:
        payload = "[" + json.dumps(report.format) + ", " + ", ".join(parts) + "]"
    return hashlib.sha1(payload.encode()).hexdigest()


def _template(keys: tuple) -> str | None:
    try:
        return _TEMPLATES[keys]
    except KeyError:
        pass
    template = None
    if all(type(k) is str and not any(w in k for w in _PYTHON_WORDS) for k in keys):
        template = "{" + ", ".join(json.dumps(k).replace("%", "%%") + ": %s" for k in keys) + "}"
    if len(_TEMPLATES) < _MAX_TEMPLATES:
        _TEMPLATES[keys] = template
    return template


def _table_json(table: dict) -> str | None:
    """Exactly json.dumps(table) (the digests stored so far depend on it), in about half the time; None
    for what only json.dumps writes right (text values, nesting, NaN, infinities, unusual keys)."""
    template = _template(tuple(table))
    if template is None:
        return None
    values = tuple(table.values())
    if "" in values:  # the one text filter(None) below lets through
        return None
    try:  # numbers, booleans and None only, all finite: str() is then what json writes
        if not math.isfinite(sum(filter(None, values))):
            return None
    except (TypeError, OverflowError):
        return None
    return (template % values).replace("None", "null").replace("True", "true").replace("False", "false")


def prose_of(report) -> str:
    parts = [report.section_text.get(name) or "" for name in PROSE_SECTIONS]
    return "\n".join(p for p in parts if p)


def normalise_prose(text: str, names=()) -> str:
    """NFKC; drop the report's own names, then everything that is not a letter of running text."""
    text = nfkc(text or "")
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(nfkc(name), "")
    return _NOISE.sub("", text)


def prose_digest(report, names=()) -> tuple[str | None, int]:
    prose = normalise_prose(prose_of(report), names)
    if not prose:
        return None, 0
    return hashlib.sha1(prose.encode()).hexdigest(), len(prose)


def shingles(text: str, size: int = 4) -> set[str]:
    return {text[i : i + size] for i in range(max(0, len(text) - size + 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character 4-gram sets (1.0: same text)."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
