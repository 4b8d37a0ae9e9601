"""Document -> the report JSON of INTERFACE.md §3 (plus `text`, `section_text`, `dates`, `document_kind`)."""

from __future__ import annotations

from crawler.parse import keys, meta
from crawler.parse.lines import unflatten
from crawler.parse.model import Document, Table
from crawler.parse.sections import heading_of
from crawler.parse.tables import problem, read_tables

EXAMPLE_FORMAT_BY_YEAR = 2021  # reports for 2021 onward use the 2021 format (FORMATS.md §1)


def split_sections(blocks: list[str | Table]) -> tuple[list[str], dict[str, list[str]], list[Table]]:
    """Section names in order, each section's paragraph lines, and the tables.

    Headings are matched outside tables only, in order (a later section can't come back). Reports
    that number their sections （一）（二）… are read that way when it finds more sections.
    """
    order, lines = _sections(blocks, paren=False)
    if len(order) < 3:
        alt_order, alt_lines = _sections(blocks, paren=True)
        if len(alt_order) > len(order):
            order, lines = alt_order, alt_lines
    return order, lines, [b for b in blocks if isinstance(b, Table)]


def _sections(blocks: list[str | Table], *, paren: bool) -> tuple[list[str], dict[str, list[str]]]:
    order: list[str] = []
    lines: dict[str, list[str]] = {}
    current, last = "preamble", -1
    for block in blocks:
        if isinstance(block, Table):
            continue
        name = heading_of(block, paren=paren)
        if name is not None and keys.SECTIONS.index(name) > last:
            order.append(name)
            current, last = name, keys.SECTIONS.index(name)
            continue
        lines.setdefault(current, []).append(block)
    return order, lines


def empty_cells(fmt: str | None) -> dict[str, dict]:
    if fmt is None:
        return {"active": {}, "requests": {}, "appeals": {}}
    return {table: dict.fromkeys(names) for table, names in keys.cell_keys(fmt).items()}


def full_text(doc: Document) -> str:
    parts = []
    for block in doc.blocks:
        if isinstance(block, Table):
            parts.extend(" ".join(c for c in row if c) for row in block.rows)
        else:
            parts.append(block)
    return "\n".join(parts)


def build_report(doc: Document) -> dict:
    doc.blocks = [
        piece for block in doc.blocks for piece in ([block] if isinstance(block, Table) else unflatten(block))
    ]
    paragraphs = doc.paragraphs()
    order, lines, tables = split_sections(doc.blocks)
    text = full_text(doc)
    title = meta.find_title(paragraphs, doc.meta)
    year = meta.year_of(title, text)
    kind = meta.document_kind(title)
    url = doc.meta.get("url") or meta.stated_url(paragraphs) or doc.source
    dates = meta.publish_dates(doc.meta, doc.chrome, paragraphs, url, year)
    published, published_from = meta.best_date(dates)

    read = read_tables(tables, lines)
    fmt = read.format if read.found else None  # markers in prose alone are no table
    cells = (
        read.cells
        if fmt
        else empty_cells(
            "2021" if (year or 0) >= EXAMPLE_FORMAT_BY_YEAR else ("2019" if year and year >= 2019 else None)
        )
    )
    problems: list[dict] = []

    if kind == "unknown" and (len(order) >= 3 or read.found):
        kind = "report"
    if kind != "report":
        problems.append(
            problem(
                "not_report",
                "document",
                f"not an annual report ({kind}): '{title or doc.meta.get('title') or ''}'",
            )
        )
    for name in keys.SECTIONS:
        if name not in order and kind == "report":
            problems.append(
                problem("missing_section", f"sections.{name}", f"no section {name} heading found")
            )
    if not read.found:
        if doc.no_text_layer or doc.images:
            problems.append(problem("image_only", "tables", "the tables are published only as images"))
        else:
            problems.append(problem("no_tables", "tables", "no statistical table found"))
    else:
        for table in ("active", "requests", "appeals"):
            if table not in read.found:
                problems.append(problem("missing_table", table, f"table {table} not found"))
    problems.extend(read.problems)

    return {
        "source": doc.source,
        "title": title,
        "agency": meta.agency_from_title(title),
        "year": year,
        "format": fmt,
        "published": published,
        "published_from": published_from,
        "sections": order,
        "active": cells["active"],
        "requests": cells["requests"],
        "appeals": cells["appeals"],
        "problems": problems,
        "document_kind": kind,
        "dates": dates,
        "container": doc.container,
        "text": text,
        "section_text": {name: "\n".join(lines.get(name, [])) for name in order},
    }


def unsupported_report(source: str, message: str, *, url: str | None = None) -> dict:
    """A real document we cannot open here: no cells, one `unsupported_document` problem."""
    return {
        "source": source,
        "title": None,
        "agency": None,
        "year": None,
        "format": None,
        "published": None,
        "published_from": None,
        "sections": [],
        "active": {},
        "requests": {},
        "appeals": {},
        "problems": [problem("unsupported_document", "document", message)],
        "document_kind": "unknown",
        "dates": [],
        "container": "unsupported",
        "text": "",
        "section_text": {},
    }
