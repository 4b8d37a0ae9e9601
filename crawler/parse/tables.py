"""Tables -> cells (FORMATS.md §3–5, §7, §10): one reader for every layout.

A document's table cells are cut into three segments (active, requests, appeals) at the cells
that open each table. Within a segment, rows are found by their labels: a grid row or a text
row whose label matches takes the cells after it. Where no cell boundaries exist (flattened text)
the lines of the table's section are read with the run-together rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from crawler.parse import keys, labels
from crawler.parse.model import Table
from crawler.parse.values import PLACEHOLDERS, Cell, kind_of, nfkc, norm, read_cell, split_run, tokens_of

SEGMENTS = ("active", "requests", "appeals")
TABLE_LINE = re.compile(r"第二十条|信息内容|数量|金额|件数")
TAIL = re.compile(r"^[^\d+\-—－/]*")


@dataclass
class Segment:
    rows: list[list[str | None]] = field(default_factory=list)  # explicit cells
    aligned: bool = True


@dataclass
class TablesRead:
    format: str | None
    cells: dict[str, dict[str, float | int | None]]
    problems: list[dict]
    found: set[str]  # tables with at least one row read


def problem(code: str, where: str, message: str) -> dict:
    return {"code": code, "where": where, "message": message}


# --- segmenting ---------------------------------------------------------------------------


def segment(tables: list[Table]) -> dict[str, Segment]:
    """Cut the cells of every table block into the three tables, at their opening cells."""
    segs = {name: Segment() for name in SEGMENTS}
    state: str | None = None
    for table in tables:
        for row in table.rows:
            piece: list[str | None] = []
            for cell in row:
                marker = labels.marker_of(cell) if cell else None
                if marker is None and cell and state is None and labels.match_active(norm(cell)):
                    marker = "active"
                if marker and marker != state:
                    if piece and state:
                        segs[state].rows.append(piece)
                    piece, state = [], marker
                piece.append(cell)
            if piece and state:
                segs[state].rows.append(piece)
                segs[state].aligned = segs[state].aligned and table.aligned
    return segs


# --- explicit rows --------------------------------------------------------------------------


VALUE_LIKE = re.compile(r"^(?:[+-]?\d[\d.,]*(?:万元|元|万|件|个|条|项|次)?)+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


@lru_cache(maxsize=16384)  # called for every cell, several times; cell texts repeat
def _is_value_like(text: str | None) -> bool:
    """Empty, a placeholder, or digits (possibly several run together): not a label."""
    t = norm(text)
    return t in PLACEHOLDERS or bool(VALUE_LIKE.match(t))


def collect_rows(seg: Segment, match) -> tuple[dict[str, list[str | None]], list[str]]:
    """label key -> the cells after it (None = covered by a merged cell); also unknown labelled rows."""
    found: dict[str, list[str | None]] = {}
    extra: list[str] = []
    for row in seg.rows:
        normed = [norm(cell) for cell in row]  # once per cell, not once per look at it
        i = 0
        while i < len(row):
            cell = row[i]
            hit = match(normed[i]) if cell else None
            if hit is None:
                # The cheap, cached test first: most cells are values, not labels.
                if _may_be_row_label(normed[i]) and _unknown_row_label(normed[i], row[i + 1 :]):
                    extra.append(cell)
                i += 1
                continue
            key, end = hit
            values: list[str | None] = []
            glued = normed[i][end:]
            j = i + 1
            while j < len(row):
                nxt = row[j]
                if nxt is not None:
                    t = normed[j]
                    if (t and not _is_value_like(t)) and (
                        match(t) or labels.is_group_label(t) or CJK_PAIR.search(t)
                    ):
                        break
                values.append(nxt)
                j += 1
            if key not in found:
                found[key] = [glued] + values if glued and _is_value_like(glued) else values
            i = j
    return found, extra


def _unknown_row_label(t: str, following: list[str | None]) -> bool:
    """A label the format does not have, followed by a number: a provincial extra row."""
    if not _may_be_row_label(t):
        return False
    nxt = next((c for c in following if c is not None), None)
    return bool(norm(nxt)) and _is_value_like(nxt)


@lru_cache(maxsize=16384)  # the part of _unknown_row_label that depends on the cell alone
def _may_be_row_label(t: str) -> bool:
    if not CJK.search(t) or _is_value_like(t) or _header_word(t):
        return False
    return not (labels.is_group_label(t) or labels.marker_of(t))


def _header_word(t: str) -> bool:
    return (
        t in labels.REQUEST_HEADERS
        or t in labels.APPEAL_HEADERS
        or "数量" in t
        or "金额" in t
        or t == "信息内容"
    )


def place(values: list[str | None], n: int) -> list[str | None] | None:
    """The n cell texts of a row from the cells after its label; None when they cannot be placed
    (the caller then tries the run-together rule on their joined text)."""
    present = [v for v in values if v is not None]
    while len(present) > n and norm(present[-1]) == "":
        present.pop()  # empty trailing cells of a wider grid
    return present if len(present) == n else None


def read_row(texts: list[str | None], columns: list[str], header_unit: str | None) -> list[Cell]:
    return [read_cell(t, kind_of(col), header_unit) for t, col in zip(texts, columns, strict=True)]


# --- flattened lines -----------------------------------------------------------------------


def compact(line: str) -> tuple[str, list[int]]:
    """The line without whitespace, and each kept character's index in the NFKC line."""
    text = nfkc(line)
    kept = [(ch, i) for i, ch in enumerate(text) if not ch.isspace() and ch not in "\u00a0\u3000"]
    return "".join(ch for ch, _ in kept), [i for _, i in kept]


def label_rest(line: str, match) -> tuple[str, str] | None:
    """(row key, the text after the label and its tail) when the line starts with a row label."""
    squeezed, index = compact(line)
    hit = match(squeezed)
    if hit is None:
        return None
    key, end = hit
    text = nfkc(line)
    rest = text[index[end - 1] + 1 :] if end else text
    rest = rest[TAIL.match(rest).end() :] if not re.match(r"^\s*[\d+\-—－/]", rest) else rest
    return key, rest


def flattened_rows(lines: list[str], match) -> dict[str, str]:
    """row key -> the run-together value text after its label, from a table's section lines."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if len(line) > 160:
            continue
        hit = label_rest(line, match)
        if hit is None:
            continue
        key, rest = hit
        if tokens_of(rest) is None:
            continue  # prose that starts like a label
        if not rest.strip() and i + 1 < len(lines):
            nxt = lines[i + 1]
            if label_rest(nxt, match) is None:
                tail = nfkc(nxt)
                tail = tail[TAIL.match(tail).end() :]
                if tail.strip() and tokens_of(tail):
                    rest = tail
        found.setdefault(key, rest)
    return found


# --- the three tables ------------------------------------------------------------------------


def header_unit(texts: list[str]) -> str | None:
    for t in texts:
        t = norm(t)
        if "金额" in t:
            if "万元" in t:
                return "万元"
            if re.search(r"\(元\)|单位:元|元\)", t):
                return "元"
    return None


def detect_format(active_text: str, requests_text: str) -> str | None:
    """From the tables alone (FORMATS.md §7): table-1 column headers, else table 2's (六)."""
    t1 = norm(active_text)
    score_2021 = sum(
        m in t1 for m in ("本年制发件数", "本年废止件数", "现行有效件", "本年处理决定数量", "本年收费金额")
    )
    score_2019 = sum(
        m in t1
        for m in (
            "本年新制作数量",
            "本年新公开数量",
            "对外公开总数量",
            "上一年项目数量",
            "本年增/减",
            "其他对外管理服务事项",
            "第二十条第(九)项",
            "政府集中采购",
            "采购项目数量",
            "采购总金额",
        )
    )
    if score_2019 == 0 and "本年新" in t1:
        score_2019 = 1
    if score_2021 or score_2019:
        return "2021" if score_2021 > score_2019 else "2019"
    t2 = norm(requests_text)
    if "逾期不补正" in t2 or "逾期未按收费通知" in t2:
        return "2021"
    if re.search(r"\(六\)其他处理(?:[\d\-—/]|$)", t2) or re.search(r"\(六\)其他处理\|?\d", t2):
        return "2019"
    return None


class Reader:
    def __init__(self, segs: dict[str, Segment], section_lines: dict[str, list[str]], fmt: str | None):
        self.segs = segs
        self.lines = section_lines
        self.fmt = fmt
        self.cells: dict[str, dict] = {"active": {}, "requests": {}, "appeals": {}}
        self.problems: list[dict] = []
        self.found: set[str] = set()

    def add_row(
        self,
        table: str,
        row: str,
        columns: list[str],
        texts: list[str | None] | None,
        why: str,
        unit: str | None = None,
    ) -> None:
        if texts is None:
            for col in columns:
                self.cells[table][f"{row}.{col}"] = None
            self.problems.append(problem("ambiguous_cells", f"{table}.{row}", why))
            return
        read = read_row(texts, columns, unit)
        codes: dict[str, list[str]] = {}
        for col, cell in zip(columns, read, strict=True):
            self.cells[table][f"{row}.{col}"] = cell.value
            if cell.problem == "unit_assumed":
                self.problems.append(
                    problem(
                        "unit_assumed",
                        f"{table}.{row}.{col}",
                        f"'{cell.text}' has no unit; taken as 万元 ({cell.value})",
                    )
                )
            elif cell.problem:
                codes.setdefault(cell.problem, []).append(col)
        for code, cols in codes.items():
            what = "empty" if code == "blank_cells" else "not a value of the cell's kind"
            self.problems.append(problem(code, f"{table}.{row}", f"cells {', '.join(cols)} {what}"))

    def read_active(self) -> None:
        fmt = self.fmt
        seg = self.segs["active"]
        unit = header_unit([c for r in seg.rows for c in r if c] + self.lines.get("active", []))
        explicit, extra = collect_rows(seg, labels.match_active)
        flat = {} if explicit else flattened_rows(self.lines.get("active", []), labels.match_active)
        if explicit or flat:
            self.found.add("active")
        for row, _, cols in keys.ACTIVE_ROWS[fmt]:
            columns = [c for c, _ in cols]
            kinds = [kind_of(c) for c in columns]
            self._read(
                "active",
                row,
                columns,
                kinds,
                explicit.get(row),
                flat.get(row),
                unit,
                found_any=bool(explicit or flat),
            )
        for label in extra:
            self.problems.append(
                problem("extra_rows", f"active.{norm(label)}", f"row '{label}' is not in the format; ignored")
            )

    def read_requests(self) -> None:
        fmt = self.fmt
        seg = self.segs["requests"]

        def match(t: str):
            return labels.match_request(t, fmt)

        explicit, extra = collect_rows(seg, lambda t: labels.match_request_cell(t, fmt))
        flat = {} if explicit else flattened_rows(self.lines.get("requests", []), match)
        if explicit or flat:
            self.found.add("requests")
        columns = [c for c, _ in keys.REQUEST_COLUMNS]
        for row in keys.request_rows(fmt):
            self._read(
                "requests",
                row,
                columns,
                ["count"] * 7,
                explicit.get(row),
                flat.get(row),
                None,
                found_any=bool(explicit or flat),
            )
        for label in extra:
            self.problems.append(
                problem(
                    "extra_rows", f"requests.{norm(label)}", f"row '{label}' is not in the format; ignored"
                )
            )

    def _read(self, table, row, columns, kinds, explicit, flat, unit, *, found_any) -> None:
        n = len(columns)
        if explicit is not None:
            texts = place(explicit, n)
            if texts is None:
                joined = " ".join(norm(v) if v else "" for v in explicit if v is not None).strip()
                if joined and all(_is_value_like(v) for v in joined.split()):
                    texts = split_run(joined, kinds)
            why = ""
            if texts is None:  # the message is only needed when the cells cannot be placed
                shown = " | ".join(norm(v) for v in explicit if v is not None)
                why = f"'{shown}': {len([v for v in explicit if v is not None])} cells for {n} columns; cannot place the values"
            self.add_row(table, row, columns, texts, why, unit)
        elif flat is not None:
            texts = split_run(flat, kinds)
            count = len(tokens_of(flat) or [])
            self.add_row(
                table,
                row,
                columns,
                texts,
                f"'{flat.strip()}': {count} value(s) for {n} columns; cannot place the values with certainty",
                unit,
            )
        else:
            for col in columns:
                self.cells[table][f"{row}.{col}"] = None
            if found_any:
                self.problems.append(problem("blank_cells", f"{table}.{row}", "row not found in the table"))

    def read_appeals(self) -> None:
        cols = [c for c, _ in keys.APPEAL_COLUMNS]
        groups = [g for g, _ in keys.APPEAL_GROUPS]
        stream = [c for r in self.segs["appeals"].rows for c in r if c is not None]
        texts: list[str | None] | None = None
        why = ""
        last_header = max((i for i, c in enumerate(stream) if labels.is_appeal_header(c)), default=None)
        if last_header is not None:
            self.found.add("appeals")
            after = stream[last_header + 1 :]
            while len(after) > 15 and norm(after[-1]) == "":
                after.pop()
            if len(after) >= 15:
                texts = after[:15]
            else:
                joined = " ".join(norm(v) for v in after).strip()
                texts = split_run(joined, ["count"] * 15) if joined else None
                why = f"{len(after)} cells after the header for 15 columns; cannot place the values"
        else:
            flat = self._appeals_flat()
            if flat is None:
                for g in groups:
                    for c in cols:
                        self.cells["appeals"][f"{g}.{c}"] = None
                return
            self.found.add("appeals")
            texts = split_run(flat, ["count"] * 15)
            why = f"'{flat.strip()}': {len(tokens_of(flat) or [])} value(s) for 15 cells; cannot place them"
        for gi, g in enumerate(groups):
            self.add_row("appeals", g, cols, texts[gi * 5 : gi * 5 + 5] if texts else None, why)

    def _appeals_flat(self) -> str | None:
        lines = self.lines.get("appeals", [])
        pattern = re.compile("|".join(r"\s*".join(w) for w in labels.APPEAL_HEADERS))
        last = None
        for i, line in enumerate(lines):
            for m in pattern.finditer(nfkc(line)):
                last = (i, m.end())
        if last is None:
            return None
        i, end = last
        parts = [nfkc(lines[i])[end:]]
        if tokens_of(parts[0]) is None:
            return None  # the header words were prose, not a table
        for line in lines[i + 1 :]:
            if tokens_of(line) is None:
                break
            parts.append(line)
        return " ".join(parts)


def read_tables(tables: list[Table], section_lines: dict[str, list[str]]) -> TablesRead:
    segs = segment(tables)
    active_text = " ".join(norm(c) for r in segs["active"].rows for c in r if c)
    requests_text = " ".join(norm(c) for r in segs["requests"].rows for c in r if c)
    # Flattened tables: only lines that are table headers or labelled rows decide the format.
    if not active_text:
        active_text = " ".join(
            ln
            for ln in section_lines.get("active", [])
            if TABLE_LINE.search(norm(ln)) or label_rest(ln, labels.match_active)
        )
    if not requests_text:
        requests_text = " ".join(
            ln
            for ln in section_lines.get("requests", [])
            if label_rest(ln, lambda t: labels.match_request(t, None))
        )
    fmt = detect_format(active_text, requests_text)
    if fmt is None:
        return TablesRead(None, {"active": {}, "requests": {}, "appeals": {}}, [], set())
    reader = Reader(segs, section_lines, fmt)
    reader.read_active()
    reader.read_requests()
    reader.read_appeals()
    return TablesRead(fmt, reader.cells, reader.problems, reader.found)
