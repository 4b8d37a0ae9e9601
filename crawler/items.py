"""What the spiders hand to the pipelines: facts only (URLs, raw bytes, dates and where they came from).

Spiders never parse tables; the pipelines turn a ReportItem into a stored report.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Attachment:
    """A file linked from a report page (.pdf, .docx, ... or a link whose text says 附件 / the title)."""

    url: str
    body: bytes
    content_type: str | None = None
    text: str = ""  # the link text on the page


@dataclass
class ReportItem:
    url: str  # where the report is published (the page, or the file itself when linked directly)
    source_url: str  # the registry source (listing) it was found from
    body: bytes
    content_type: str | None = None
    title: str = ""  # the title as the listing shows it
    listing_date: str | None = None  # ISO date printed next to the link on the listing
    agency_ids: tuple[str, ...] = ()  # the registry agencies of the source: a hint, titles decide
    # Date evidence the crawl saw outside the document (gkmlpt API display_publish_time -> "meta").
    published: str | None = None
    published_from: str | None = None
    kind: str = "report"  # report | letter (a 函 whose attachment is the report)
    family: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # Filled in by the pipelines.
    report: dict | None = None  # crawler.parse result chosen as the report
    report_body: bytes | None = None  # the raw document that `report` was parsed from
    report_content_type: str | None = None

    def __repr__(self) -> str:  # logs must not print whole documents
        return f"ReportItem({self.url!r}, {len(self.body)} bytes, {len(self.attachments)} attachments, kind={self.kind})"


@dataclass
class SourceStatusItem:
    """One health event of a registry source. The first event of a source is its listing's fate;
    later ones (a failing next page or report) can only make it worse."""

    url: str
    status: str  # ok | unreachable | blocked | not_found
    detail: str = ""
    family: str | None = None
    partial: bool = False  # True: a later page failed, the listing itself was read
    reports_seen: int = 0  # reports recognised but not downloaded again (already known)
