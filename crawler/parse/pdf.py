"""PDF -> Document with pdfplumber: ruled tables as Tables, the text around them as paragraphs.

Per page: one `find_tables` (ruled-lines strategy) and one text-line extraction of what lies outside
the tables, so the layout work is done once. Lines are joined back into paragraphs (a line that runs
to the right margin continues on the next unindented line), page footers (`-1-`, `第1页`) are dropped.

WPS-made PDFs paint an invisible white filled rectangle behind every text line; left in, those
rectangles look like table rules and turn whole pages of prose into one-column "tables". Unstroked
white rectangles are removed before looking for tables, and a one-column table is read as text.
"""

from __future__ import annotations

import re
from io import BytesIO

from crawler.parse.html import join_pieces, normalise_space
from crawler.parse.model import Document, ParseError, Table

_FOOTER = re.compile(
    r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})$"
)
# Share of the page height at the top and bottom where page numbers live.
_MARGIN_BAND = 0.09


def _is_white(color) -> bool:
    if color is None:
        return True
    if isinstance(color, int | float):
        return color >= 0.95
    if isinstance(color, tuple | list):
        if len(color) == 1:
            return color[0] >= 0.95
        if len(color) == 3:
            return all(c >= 0.95 for c in color)
        if len(color) == 4:  # CMYK
            return all(c <= 0.05 for c in color)
    return False


def _visible(obj) -> bool:
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    return bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))


def _settings(page) -> dict:
    """Close tables cut by a page break: a rule where the column rules end (top and bottom).

    A table continued on the next page has no bottom rule on this page (nor a top rule on the
    next), so its last row would be lost to the text; the column rules show where it really ends.
    """
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 8]
    if not verticals:
        return {}
    return {
        "explicit_horizontal_lines": sorted(
            {min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)}
        )
    }


def _cell(text: str | None) -> str | None:
    if text is None:
        return None
    return join_pieces([normalise_space(line) for line in text.split("\n")])


def _outside(boxes):
    def test(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    return test


def _page_blocks(page):
    """(top, line dict | Table) items of one page, in reading order."""
    height = page.height
    clean = page.filter(_visible)
    items = []
    boxes = []
    for found in clean.find_tables(_settings(clean)):
        rows = found.extract()
        if not rows or max(len(r) for r in rows) < 2:
            continue  # a frame around prose, not a table: its text is read as lines below
        boxes.append(found.bbox)
        items.append((found.bbox[1], Table(rows=[[_cell(v) for v in row] for row in rows])))
    text_page = clean.filter(_outside(boxes)) if boxes else clean
    for line in text_page.extract_text_lines(return_chars=False):
        text = normalise_space(line["text"])
        if not text:
            continue
        in_band = line["top"] < height * _MARGIN_BAND or line["bottom"] > height * (1 - _MARGIN_BAND)
        if in_band and _FOOTER.match(text):
            continue
        items.append(
            (
                line["top"],
                {
                    "text": text,
                    "x0": line["x0"],
                    "x1": line["x1"],
                    "top": line["top"],
                    "bottom": line["bottom"],
                },
            )
        )
    items.sort(key=lambda item: item[0])
    return [item for _, item in items]


def _paragraphs(items, pages_geometry) -> list[str | Table]:
    """Join wrapped lines: a line reaching the right margin continues on an unindented next line."""
    blocks: list[str | Table] = []
    open_line = None  # the previous line, while its paragraph may continue
    for item, (left, right, size) in pages_geometry(items):
        if isinstance(item, Table):
            blocks.append(item)
            open_line = None
            continue
        continues = (
            open_line is not None
            and open_line["x1"] >= right - 1.5 * size
            and item["x0"] <= left + 0.6 * size
        )
        if continues:
            blocks[-1] = join_pieces([blocks[-1], item["text"]])  # type: ignore[list-item]
        else:
            blocks.append(item["text"])
        open_line = item
    return blocks


def read_pdf(data: bytes, source: str) -> Document:
    import pdfplumber

    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds for a broken file
        raise _error(exc) from None
    pages_items = []
    chars = 0
    images = 0
    try:
        with pdf:
            meta = _metadata(pdf)
            pages = pdf.pages
            if not pages:
                raise ParseError("corrupt PDF: no pages")
            for page in pages:
                chars += len(page.chars)
                images += len(page.images)
                if page.chars:
                    pages_items.append((page, _page_blocks(page)))
                # Free the page's parsed objects: memory stays flat over long documents.
                page.close()
    except ParseError:
        raise
    except Exception as exc:
        raise _error(exc) from None
    if chars == 0:
        return Document(source=source, meta=meta, images=images, no_text_layer=True, container="pdf")

    def geometry(_items):
        for _page, items in pages_items:
            lines = [i for i in items if isinstance(i, dict)]
            if lines:
                left = min(i["x0"] for i in lines)
                right = max(i["x1"] for i in lines)
                size = sorted(i["bottom"] - i["top"] for i in lines)[len(lines) // 2]
            else:
                left, right, size = 0.0, 0.0, 10.0
            for item in items:
                yield item, (left, right, max(size, 4.0))

    return Document(
        source=source,
        blocks=_paragraphs(None, geometry),
        meta=meta,
        images=images,
        container="pdf",
    )


def _metadata(pdf) -> dict[str, str]:
    """The document info dictionary as text (Title, CreationDate, ...).

    Read from the raw strings: WPS writes titles as little-endian UTF-16 with a BOM, which
    pdfplumber's own decoding turns into Latin-1 noise.
    """
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    meta: dict[str, str] = {}
    for info in pdf.doc.info or []:
        for key, value in (resolve1(info) or {}).items():
            value = resolve1(value)
            if isinstance(value, bytes):
                text = _decode_pdf_string(value, decode_text)
            elif hasattr(value, "name"):
                text = str(value.name)
            else:
                continue
            text = text.strip("\x00 \t\r\n")
            if text:
                meta[str(key)] = text
    return meta


def _decode_pdf_string(raw: bytes, decode_text) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(raw)


def _error(exc: Exception) -> ParseError:
    """One line for users; pdfplumber wraps pdfminer's exception in PdfminerException."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args else exc
    if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
        return ParseError("encrypted PDF: it needs a password to open")
    if isinstance(inner, Exception):
        return ParseError(f"corrupt PDF: {_one_line(inner)}")
    return ParseError(f"corrupt PDF: {_one_line(exc)}")


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
