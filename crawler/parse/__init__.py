"""The document parser: bytes in, report JSON (INTERFACE.md §3) out. Pure: no Scrapy, no DB.

parse_bytes(data, source)  -> dict   # the report, or {"source", "error"} for unreadable input
parse_file(path)           -> dict
read_document(data, ...)   -> Document (the container step alone)
"""

from __future__ import annotations

import os
import zipfile
from io import BytesIO

from crawler.parse.model import Document, ParseError, Table, UnsupportedDocument

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "ParseError",
    "Table",
    "UnsupportedDocument",
    "detect_container",
    "parse_bytes",
    "parse_file",
    "read_document",
]


def detect_container(data: bytes, source: str = "", content_type: str | None = None) -> str:
    """Name the container from the bytes themselves first; extension and content type only break ties.

    Portals mislabel files (a PDF served as text/html, a .doc that is really HTML), so magic wins.
    """
    head = data[:2048]
    ext = os.path.splitext(source.split("?")[0].split("#")[0])[1].lower().lstrip(".")
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "corrupt"
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names:
            return "odt"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2: legacy Word, WPS, or Excel; the extension tells which converter filter to expect.
        return {"wps": "wps", "xls": "xls", "et": "xls"}.get(ext, "doc")
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lower().lstrip()
    if lowered.startswith((b"\xef\xbb\xbf<", b"<")) and any(
        tag in lowered for tag in (b"<html", b"<!doctype", b"<meta", b"<body", b"<table", b"<div", b"<p")
    ):
        return "html"
    if content_type and "html" in content_type and b"<" in head:
        return "html"
    if ext in ("html", "htm", "shtml", "jsp", "xhtml") and b"<" in head:
        return "html"
    return "text"


def read_document(
    data: bytes, source: str, *, content_type: str | None = None, url: str | None = None
) -> Document:
    """The container step: bytes -> Document. Raises ParseError for unreadable input."""
    if not data or not data.strip():
        raise ParseError("empty file")
    container = detect_container(data, source, content_type)
    if container == "pdf":
        from crawler.parse.pdf import read_pdf

        doc = read_pdf(data, source)
    elif container == "docx":
        from crawler.parse.docx import read_docx

        doc = read_docx(data, source)
    elif container in ("doc", "wps", "rtf", "odt"):
        from crawler.parse.office import read_office

        doc = read_office(data, source, container)
    elif container == "html":
        from crawler.parse.html import read_html

        doc = read_html(data, source, content_type=content_type)
    elif container == "text":
        from crawler.parse.text import read_text

        doc = read_text(data, source)
    elif container in ("xls", "xlsx"):
        raise UnsupportedDocument(f"{container} spreadsheets are not read; the report itself is needed")
    elif container == "corrupt":
        raise ParseError("corrupt file: looks like a ZIP/DOCX but cannot be opened")
    else:
        raise ParseError(f"not a report document ({container})")
    if url:
        doc.meta.setdefault("url", url)
    return doc


def parse_bytes(data: bytes, source: str, *, content_type: str | None = None, url: str | None = None) -> dict:
    """Parse one document. Never raises for bad input: returns {"source", "error"} instead."""
    from crawler.parse.report import build_report, unsupported_report

    try:
        doc = read_document(data, source, content_type=content_type, url=url)
        return build_report(doc)
    except UnsupportedDocument as exc:
        return unsupported_report(source, str(exc), url=url)
    except ParseError as exc:
        return {"source": source, "error": str(exc)}
    except RecursionError:
        return {"source": source, "error": "document too deeply nested to read"}


def parse_file(path: str, *, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """Parse a file on disk, refusing files over `max_bytes` without reading them."""
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        return {"source": path, "error": "no such file"}
    except OSError as exc:
        return {"source": path, "error": f"cannot read file: {exc.strerror or exc}"}
    if os.path.isdir(path):
        return {"source": path, "error": "is a directory, not a document"}
    if size > max_bytes:
        return {"source": path, "error": f"file too large ({size} bytes > limit {max_bytes})"}
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return {"source": path, "error": f"cannot read file: {exc.strerror or exc}"}
    return parse_bytes(data, path, url=url)
