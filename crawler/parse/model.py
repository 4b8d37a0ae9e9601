"""The one model every container is read into: paragraphs and tables in reading order.

Containers (html, docx, pdf, text, office) only turn bytes into a `Document`; everything
that knows the report format (sections, tables, cells, dates) reads a `Document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ParseError(Exception):
    """The input cannot be read at all (missing, corrupt, not a document). One line, for users."""


class UnsupportedDocument(Exception):
    """A real document whose container we cannot open here (DOC/WPS without LibreOffice, XLS...).

    Not an error of the input: the report object gets problem `unsupported_document`.
    """


@dataclass
class Table:
    """A grid of cell texts with merged cells expanded.

    A merged cell's text sits at its top-left position; every other position it covers is
    `None` (covered), so a value spanning three columns is still one value and a row label
    spanning twenty rows is still one label. `""` is a real, empty cell.
    `explicit` is False when cell boundaries were lost (flattened text): then a row holds
    one line of text and values must be split by the run-together rule.
    """

    rows: list[list[str | None]]
    explicit: bool = True
    # Columns line up across rows (a real grid: HTML, DOCX, PDF). Text layouts give rows of
    # cells that do not (tab and pipe styles): values are then read in sequence after the label.
    aligned: bool = True


@dataclass
class Document:
    source: str
    # Body in reading order: each paragraph is one line of text; tables are Table.
    blocks: list[str | Table] = field(default_factory=list)
    # Page-level metadata: HTML <meta name=...> values (PubDate, ArticleTitle, ...), "title"
    # (the <title>), "url" (where the document was fetched from), PDF/DOCX core properties.
    meta: dict[str, str] = field(default_factory=dict)
    # Text lines outside the body that may hold a byline or a 政务公开 metadata table
    # (索引号/发布机构/发布日期...). Page-chrome widgets should be left out where possible.
    chrome: list[str] = field(default_factory=list)
    # Images inside the body (tables published as pictures give `image_only`).
    images: int = 0
    # A PDF with pages but no text layer.
    no_text_layer: bool = False
    # The container's name: html, docx, pdf, text, doc, wps.
    container: str = "text"

    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
