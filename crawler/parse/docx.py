"""Word (DOCX) -> Document: body paragraphs and tables in document order, merged cells expanded.

The body XML is read directly (zipfile + lxml), in order: iterating `doc.paragraphs` and then
`doc.tables` would lose where each table sits. A horizontally merged cell (`gridSpan`) and a
vertically merged one (`vMerge`) keep their text at the top-left position and None elsewhere.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from lxml import etree

from crawler.parse.html import join_pieces, normalise_space
from crawler.parse.model import Document, ParseError, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_P, _TBL, _TR, _TC, _R = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "r"
_T, _TAB, _BR, _CR = _W + "t", _W + "tab", _W + "br", _W + "cr"
_TXBX = _W + "txbxContent"
_DRAWING = _W + "drawing"
_PICT = _W + "pict"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_PART = "word/document.xml"
# Text under these never shows in the document: deleted revisions, field codes.
_HIDDEN = frozenset({_W + "delText", _W + "instrText", _W + "del"})


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part named in the package relationships (almost always word/document.xml)."""
    try:
        rels = etree.fromstring(zf.read("_rels/.rels"))
    except (KeyError, etree.XMLSyntaxError):
        return _MAIN_PART
    for rel in rels.iter(_REL_NS + "Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", _MAIN_PART).lstrip("/")
    return _MAIN_PART


def _core_meta(zf: zipfile.ZipFile) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        core = etree.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return meta
    for el in core:
        name = etree.QName(el).localname
        if (
            el.text
            and el.text.strip()
            and name in ("title", "subject", "creator", "created", "modified", "description")
        ):
            meta[name] = el.text.strip()
    return meta


def _run_lines(p) -> list[str]:
    """A paragraph's text split at manual line breaks; text boxes inside it are left to the caller."""
    lines, buf = [], []
    for el in p.iter(_T, _TAB, _BR, _CR, _TXBX, *_HIDDEN):
        tag = el.tag
        if tag == _T:
            if not _hidden(el, p):
                buf.append(el.text or "")
        elif tag == _TAB:
            buf.append(" ")
        elif tag in (_BR, _CR) and el.get(_W + "type") in (None, "textWrapping"):
            lines.append("".join(buf))
            buf = []
    lines.append("".join(buf))
    return [line for line in (normalise_space(x) for x in lines) if line]


def _hidden(el, stop) -> bool:
    """Inside a text box (read separately) or a deleted revision."""
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _TXBX or parent.tag in _HIDDEN:
            return True
        parent = parent.getparent()
    return False


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[str | Table] = []
        self.images = 0

    def container(self, el) -> None:
        for child in el:
            tag = child.tag
            if tag == _P:
                self.paragraph(child)
            elif tag == _TBL:
                self.table(child)
            elif isinstance(tag, str) and not tag.endswith("}sectPr"):
                self.container(child)  # w:sdt/w:sdtContent, w:customXml, w:ins ...

    def paragraph(self, p) -> None:
        self.blocks.extend(_run_lines(p))
        for box in p.iter(_TXBX):
            self.container(box)
        self.images += sum(1 for _ in p.iter(_DRAWING, _PICT))

    def table(self, tbl) -> None:
        rows = [tr for tr in tbl if tr.tag == _TR]
        cells = [[tc for tc in tr if tc.tag == _TC] for tr in rows]
        if cells and max(len(c) for c in cells) == 1:
            # A one-column frame around content (layout): read what is inside as blocks.
            for row in cells:
                for tc in row:
                    self.container(tc)
            return
        self.images += sum(1 for _ in tbl.iter(_DRAWING, _PICT))
        self.blocks.append(read_table(tbl))


def _val(tc, name: str) -> str | None:
    tcpr = tc.find(_W + "tcPr")
    if tcpr is None:
        return None
    el = tcpr.find(_W + name)
    if el is None:
        return None
    return el.get(_W + "val", "continue")


def _cell_text(tc) -> str:
    pieces: list[str] = []
    for el in tc.iter(_P):
        pieces.extend(_run_lines(el))
    return join_pieces(pieces)


def read_table(tbl) -> Table:
    grid: list[list[str | None]] = []
    # Column of each open vertical merge: the text sits in the row where it was restarted.
    for tr in (t for t in tbl if t.tag == _TR):
        row: list[str | None] = []
        trpr = tr.find(_W + "trPr")
        if trpr is not None:
            before = trpr.find(_W + "gridBefore")
            if before is not None:
                row.extend([None] * _int(before.get(_W + "val"), 0))
        for tc in (c for c in tr if c.tag == _TC):
            span = _int(_val(tc, "gridSpan"), 1)
            vmerge = _val(tc, "vMerge")
            text = None if vmerge == "continue" else _cell_text(tc)
            row.append(text)
            row.extend([None] * (span - 1))
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return Table(rows=[r + [None] * (width - len(r)) for r in grid])


def _int(value: str | None, default: int) -> int:
    try:
        return max(default, int(value)) if value is not None else default
    except ValueError:
        return default


def read_docx(data: bytes, source: str) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            part = _main_part(zf)
            xml = zf.read(part)
            meta = _core_meta(zf)
    except KeyError:
        raise ParseError("corrupt DOCX: no main document part") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ParseError(f"corrupt DOCX: {exc}") from None
    except Exception as exc:  # zlib.error and friends from truncated members
        raise ParseError(f"corrupt DOCX: {exc}") from None
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"corrupt DOCX: {exc}") from None
    body = root.find(_W + "body")
    if body is None:
        raise ParseError("corrupt DOCX: the document has no body")
    reader = _Reader()
    reader.container(body)
    return Document(source=source, blocks=reader.blocks, meta=meta, images=reader.images, container="docx")
