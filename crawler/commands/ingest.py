"""`nianbao ingest FILE_OR_URL... --agency ID`: store reports obtained by hand exactly as if crawled."""

from __future__ import annotations

import re
from datetime import date, datetime

import click

import settings
from crawler.commands.common import db_option, fail, max_bytes_option, open_db_or_fail


def ingest_one(
    db,
    target: str,
    *,
    agency_id: str,
    url: str | None,
    published: str | None,
    blob_dir: str,
    max_bytes: int,
    seen_at: str,
):
    """Read, parse and store one document; returns (SavedReport, report) or raises ValueError (one line)."""
    from db.store import save_report

    raw, report, content_type = read_target(target, url=url, max_bytes=max_bytes)
    saved = save_report(
        db,
        report,
        raw=raw,
        blob_dir=blob_dir,
        seen_at=seen_at,
        url=url or (target if is_url(target) else None),
        agency_id=agency_id,
        content_type=content_type,
        published=published,
        published_from="given" if published else None,
    )
    return saved, report


def read_target(target: str, *, url: str | None, max_bytes: int) -> tuple[bytes, dict, str | None]:
    from crawler.parse import ParseError, parse_bytes, parse_file

    if is_url(target):
        from crawler.commands.parse import fetch_url

        try:
            raw, content_type = fetch_url(target, max_bytes)
        except ParseError as exc:
            raise ValueError(f"{target}: {exc}") from None
        report = parse_bytes(raw, target, content_type=content_type, url=url or target)
    else:
        report = parse_file(target, url=url, max_bytes=max_bytes)
        content_type = None
        if "error" not in report:
            with open(target, "rb") as fh:
                raw = fh.read()
    if "error" in report:
        raise ValueError(f"{target}: {report['error']}")
    return raw, report, content_type


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def check_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        fail(f"--published {value!r} is not a date YYYY-MM-DD")


@click.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--agency", "agency_id", required=True, help="Registry id of the agency the reports belong to.")
@click.option("--url", help="Where the report is published (one document only).")
@click.option("--published", help="Publication date YYYY-MM-DD, used when the document shows none.")
@max_bytes_option
@db_option
def ingest(targets, agency_id, url, published, max_bytes, db_path):
    """Store reports obtained by hand (files or URLs) as if crawled: raw bytes kept, parsed, versioned."""
    from db.store import blob_dir_for

    published = check_date(published)
    if url and len(targets) > 1:
        fail("--url names where ONE report is published; give one document with it")
    if url and not is_url(url):
        fail(f"--url {url!r} is not an http:// or https:// URL")
    db = open_db_or_fail(db_path)
    if not db.execute("SELECT 1 FROM agencies WHERE id = ?", [agency_id]).fetchone():
        fail(f"unknown agency {agency_id!r} (import the registry first: nianbao agencies import FILE)")
    blob_dir = blob_dir_for(db_path, settings.NIANBAO_BLOB_DIR)
    seen_at = datetime.now().astimezone().isoformat(timespec="seconds")
    failed = 0
    stored_from = {}  # report id -> the target stored there in this run
    for target in targets:
        try:
            saved, report = ingest_one(
                db,
                target,
                agency_id=agency_id,
                url=url,
                published=published,
                blob_dir=blob_dir,
                max_bytes=max_bytes,
                seen_at=seen_at,
            )
        except (ValueError, OSError) as exc:
            failed += 1
            click.echo(f"nianbao: {' '.join(str(exc).split())}", err=True)
            continue
        click.echo(stored_line(db, target, saved))
        warn_other_agency(db, target, report, agency_id)
        if saved.changed and saved.report_id in stored_from:
            click.echo(
                f"nianbao: warning: {target} replaced {stored_from[saved.report_id]} as report {saved.report_id}"
                " (same agency and year, no URL); give each its --url to keep both",
                err=True,
            )
        stored_from[saved.report_id] = target
    if failed:
        fail(f"{failed} of {len(targets)} document(s) not stored")


def stored_line(db, target: str, saved) -> str:
    row = db.execute(
        "SELECT agency_id, year, format, published, published_from FROM reports WHERE id = ?",
        [saved.report_id],
    ).fetchone()
    agency, year, fmt, published, published_from = row
    state = "new" if saved.created else ("changed" if saved.changed else "unchanged")
    return (
        f"report {saved.report_id}\t{agency}\t{year or '?'}\tv{saved.version} ({state})\tformat {fmt or '?'}"
        f"\tpublished {published or '?'} ({published_from or 'no date'})\t{target}"
    )


def warn_other_agency(db, target: str, report: dict, agency_id: str) -> None:
    """--agency decides, but a document naming another registered agency is worth a second look."""
    from db.store import match_agency

    named = match_agency(db, report.get("agency"), report.get("title"))
    if named and named != agency_id:
        click.echo(
            f"nianbao: warning: {target} names {report.get('agency') or report.get('title')!r},"
            f" registered as {named!r}; stored under --agency {agency_id!r}",
            err=True,
        )
