"""`nianbao parse FILE_OR_URL... [--json]`: documents in, report JSON out. Touches no database."""

from __future__ import annotations

import json

import click

import settings
from crawler.commands.common import db_option, max_bytes_option

# Stored-form keys that are too bulky for the command line; `--full` keeps them.
BULKY_KEYS = ("text", "section_text")


def fetch_url(url: str, max_bytes: int, timeout: float = 30.0) -> tuple[bytes, str | None]:
    """GET a URL (honouring http_proxy/https_proxy/no_proxy via urllib), refusing bodies over max_bytes."""
    import urllib.request

    from crawler.parse import ParseError

    req = urllib.request.Request(url, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ParseError(f"document too large ({length} bytes > limit {max_bytes})")
            data = resp.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ParseError(f"document too large (> limit {max_bytes} bytes)")
            return data, resp.headers.get("Content-Type")
    except ParseError:
        raise
    except Exception as exc:  # network errors of every kind are one line for the user
        reason = getattr(exc, "reason", None) or exc
        if getattr(exc, "code", None):
            reason = f"HTTP {exc.code} {reason}"
        raise ParseError(f"cannot fetch: {reason}") from None


def parse_one(target: str, max_bytes: int) -> dict:
    from crawler.parse import ParseError, parse_bytes, parse_file

    if target.startswith(("http://", "https://")):
        try:
            data, content_type = fetch_url(target, max_bytes)
        except ParseError as exc:
            return {"source": target, "error": str(exc)}
        return parse_bytes(data, target, content_type=content_type, url=target)
    return parse_file(target, max_bytes=max_bytes)


def summary(report: dict) -> str:
    if "error" in report:
        return f"{report['source']}: ERROR {report['error']}"
    counts = []
    for table in ("active", "requests", "appeals"):
        cells = report.get(table) or {}
        read = sum(v is not None for v in cells.values())
        counts.append(f"{table} {read}/{len(cells)}")
    lines = [
        f"{report['source']}",
        f"  {report.get('title') or '(no title)'} | agency {report.get('agency') or '?'} | year {report.get('year') or '?'}"
        f" | format {report.get('format') or '?'}",
        f"  published {report.get('published') or '?'} ({report.get('published_from') or 'no date found'})"
        f" | sections {', '.join(report.get('sections') or []) or '-'}",
        f"  cells read: {', '.join(counts)}",
    ]
    for p in report.get("problems") or []:
        lines.append(f"  ! {p['code']} at {p['where']}: {p['message']}")
    return "\n".join(lines)


@click.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One report JSON object per line.")
@click.option("--full", is_flag=True, help="With --json: include the report's text.")
@max_bytes_option
@db_option
def parse(targets, as_json, full, max_bytes, db_path):
    """Parse documents (HTML, DOCX, DOC, WPS, PDF, TXT, or a URL) into report JSON."""
    failed = False
    for target in targets:
        report = parse_one(target, max_bytes)
        failed = failed or "error" in report
        if as_json:
            if not full:
                report = {k: v for k, v in report.items() if k not in BULKY_KEYS}
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            click.echo(summary(report))
        if "error" in report and as_json:
            click.echo(f"nianbao: {report['source']}: {report['error']}", err=True)
    raise SystemExit(1 if failed else 0)
