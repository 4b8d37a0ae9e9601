"""Plain text (the seeds' three styles and archivers' page.txt) -> Document.

- tab style: every cell on its own line after a tab (or several tab-separated cells on a line);
  rows separated by blank lines (seeds 000, 001, 003);
- pipe style: one cell per line with a line holding only `|` between cells, no row breaks (seed 002),
  and markdown-like `| a | b |` rows;
- flattened: cell boundaries lost (seed 004); left as paragraphs, read by the run-together rule.
"""

from __future__ import annotations

import re

from bs4 import UnicodeDammit

from crawler.parse.model import Document, ParseError, Table
from crawler.parse.sections import heading_of

ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312), else detection."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("not a text document (binary data)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        dammit = UnicodeDammit(data, ["utf-8", "gb18030", "big5"])
        if dammit.unicode_markup is None:
            raise ParseError("not a text document (undecodable bytes)")
        text = dammit.unicode_markup
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if sample and controls / len(sample) > 0.02:
        raise ParseError("not a text document (binary data)")
    return text


def _is_pipe_line(line: str) -> bool:
    return line.strip() == "|"


def _markdown_row(line: str) -> list[str] | None:
    s = line.strip()
    if s.startswith("|") and s.count("|") >= 3:
        cells = [c.strip() for c in s.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            return []  # the |---|---| separator row
        return cells
    return None


def _tab_cells(line: str) -> list[str]:
    parts = line.split("\t")
    return parts[1:] if line.startswith("\t") else parts


def read_text(data: bytes, source: str) -> Document:
    text = ARTEFACTS.sub("", decode(data)).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    doc = Document(source=source, container="text")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line and line.strip():
            i = _read_tab_table(lines, i, doc)
        elif _markdown_row(line) is not None:
            i = _read_markdown_table(lines, i, doc)
        elif i + 1 < len(lines) and _is_pipe_line(lines[i + 1]) and line.strip() and not heading_of(line):
            i = _read_pipe_table(lines, i, doc)
        else:
            if line.strip():
                doc.blocks.append(line)
            i += 1
    return doc


def _read_tab_table(lines: list[str], i: int, doc: Document) -> int:
    """Rows of tab cells; a blank line ends a row; a line without a tab ends the table."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    while i < len(lines):
        line = lines[i]
        if not line.strip() and "\t" not in line:
            if row:
                rows.append(row)
                row = []
            i += 1
            continue
        if "\t" not in line:
            break
        row.extend(c.strip() for c in _tab_cells(line))
        i += 1
    if row:
        rows.append(row)
    doc.blocks.append(Table(rows=rows, aligned=False))
    return i


def _read_markdown_table(lines: list[str], i: int, doc: Document) -> int:
    rows: list[list[str | None]] = []
    while i < len(lines):
        cells = _markdown_row(lines[i])
        if cells is None:
            break
        if cells:
            rows.append(cells)
        i += 1
    doc.blocks.append(Table(rows=rows, aligned=False))
    return i


def _read_pipe_table(lines: list[str], i: int, doc: Document) -> int:
    """Cells between `|` lines; a cell may span lines (`本年新` / `制作数量`); a heading ends it."""
    cells: list[str | None] = []
    current: list[str] = []
    while i < len(lines):
        line = lines[i]
        if _is_pipe_line(line):
            cells.append("".join(current))
            current = []
            i += 1
            continue
        if line.strip() and heading_of(line):
            break
        if line.strip():
            # After the last `|` only a short trailing cell belongs to the table.
            if (
                not any(_is_pipe_line(x) for x in lines[i + 1 : i + 4])
                and current == []
                and len(line.strip()) > 20
            ):
                break
            current.append(line.strip())
        i += 1
        if current and not any(_is_pipe_line(x) for x in lines[i : i + 3]):
            break
    if current:
        cells.append("".join(current))
    doc.blocks.append(Table(rows=[cells], aligned=False))
    return i
