"""Writing and reading what nianbao knows. Functions take the `db` first; nothing hidden.

CONTRACT (shared by the crawler pipelines, `nianbao ingest` and the monitor). The signatures
below are fixed; bodies are being filled in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SavedReport:
    report_id: int
    version: int  # 1 on first capture; +1 each time the content changed
    created: bool  # a new report row
    changed: bool  # the raw document's content differs from the stored current version


def blob_dir_for(db_path: str, configured: str = "") -> str:
    """Where raw documents are kept: `configured` if set, else `<db_path>.blobs` beside the database."""
    raise NotImplementedError


def save_blob(blob_dir: str, data: bytes) -> str:
    """Store bytes content-addressed (`<dir>/<sha[:2]>/<sha>`), atomically; return the sha256 hex."""
    raise NotImplementedError


def load_blob(blob_dir: str, sha256: str) -> bytes:
    raise NotImplementedError


def save_report(
    db,
    report: dict,
    *,
    raw: bytes,
    blob_dir: str,
    seen_at: str,
    url: str | None = None,
    agency_id: str | None = None,
    source_url: str | None = None,
    listing_date: str | None = None,
    content_type: str | None = None,
    published: str | None = None,
    published_from: str | None = None,
) -> SavedReport:
    """Store one parsed report (the dict of crawler.parse.parse_bytes) and its raw bytes, in one transaction.

    `published`/`published_from` given here (crawler evidence such as a gkmlpt API date, or
    `ingest --published`, whose published_from is "given") override the parser's when the parser
    found weaker or no evidence. `agency_id` None means: match by name/aliases (match_agency).
    The report is identified by its normalised URL (or ingest:<agency>/<year> without URL);
    a changed document becomes a new version, the old one kept in report_versions.
    """
    raise NotImplementedError


def match_agency(db, *names: str | None) -> str | None:
    """The registry agency whose name or alias appears in the given titles/names (longest match wins)."""
    raise NotImplementedError


def record_source(
    db,
    url: str,
    *,
    status: str,
    detail: str = "",
    crawled_at: str,
    family: str | None = None,
    reports_found: int | None = None,
) -> None:
    """Record one source's health after a crawl: ok | unreachable | blocked | not_found."""
    raise NotImplementedError


def known_report(db, url: str) -> dict | None:
    """The stored report at this URL (normalised), or None: lets the crawler skip known downloads."""
    raise NotImplementedError


def normalise_url(url: str) -> str:
    """One key per report page: scheme and `www.` dropped, `_wap` twins, `index.html` folded."""
    raise NotImplementedError
