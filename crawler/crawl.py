"""Run a crawl of the registry's sources.

    crawl(db_path, registry=None, agency_ids=(), year=None, settings_overrides=None) -> summary
    crawl_in_subprocess(db_path, ...) -> the same summary, from a fresh `python -m crawler.crawl`

Twisted's reactor starts once per process, so `crawl` runs once per process; anything that crawls
repeatedly (tests, the scheduler, the demo) uses `crawl_in_subprocess`. The summary:
{"sources": {url: {status, detail, family, reports_found, new, changed, known, errors}},
 "totals": {sources, ok, failed, reports_found, new, changed}, "stats": {requests, bytes}, "warnings": [...]}.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile

import settings as app_settings


class CrawlError(Exception):
    """The crawl cannot start (bad registry, unknown agency, no sources). One line, for users."""


def prepare(db, *, registry=None, agency_ids=(), allowed_hosts=None) -> tuple[list, list[str]]:
    """Import the registry if given, check the agency ids, and return (sources, warnings)."""
    from crawler.families.base import load_sources

    warnings: list[str] = []
    if registry:
        from db.registry import RegistryError, import_registry

        if not os.path.isfile(registry):
            raise CrawlError(f"registry file {registry} does not exist")
        hosts = allowed_hosts if allowed_hosts is not None else app_settings.NIANBAO_ALLOWED_HOSTS.split(",")
        try:
            result = import_registry(db, registry, allowed_hosts=[h for h in hosts if h.strip()])
        except RegistryError as exc:
            more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
            raise CrawlError(f"{exc.problems[0]}{more}") from None
        warnings.extend(result.warnings)
    known = {row[0] for row in db.execute("SELECT id FROM agencies").fetchall()}
    unknown = [a for a in agency_ids if a not in known]
    if unknown:
        raise CrawlError(f"unknown agency id {', '.join(unknown)} (see `nianbao agencies import`)")
    sources = load_sources(db, agency_ids)
    if not sources:
        if not known:
            raise CrawlError("no registry: pass --registry FILE or run `nianbao agencies import FILE` first")
        raise CrawlError("the selected agencies have no sources in the registry")
    return sources, warnings


def crawl(
    db_path: str,
    *,
    registry: str | None = None,
    agency_ids=(),
    year: int | None = None,
    settings_overrides: dict | None = None,
    today: str | None = None,
    progress=None,
) -> dict:
    """Crawl in this process (once per process). `progress(done, total, source)` is called per source."""
    from scrapy.crawler import CrawlerProcess

    from crawler.scrapy_settings import crawl_settings
    from db import StoreError, open_db
    from spiders.portals import PortalsSpider

    try:
        db = open_db(db_path)
    except StoreError as exc:
        raise CrawlError(str(exc)) from None
    sources, warnings = prepare(db, registry=registry, agency_ids=agency_ids)
    values = crawl_settings(db_path, settings_overrides)
    process = CrawlerProcess(values)
    # A source that keeps failing is reported once, as its status; not also as a retry log line.
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    crawler = process.create_crawler(PortalsSpider)

    def on_source_done(spider, source):
        if progress:
            progress(spider.sources_done, len(spider.sources), source)

    process.crawl(
        crawler,
        db=db,
        sources=sources,
        year=year,
        recheck_days=int(values.get("NIANBAO_RECHECK_DAYS", 60)),
        today=today,
        progress=on_source_done,
    )
    process.start()
    spider = crawler.spider
    per_source = getattr(spider, "crawl_summary", {}) if spider else {}
    stats = crawler.stats.get_stats() if crawler.stats else {}
    db.close()
    return summarise(per_source, stats, warnings, offsite=getattr(spider, "offsite_skipped", 0))


def summarise(per_source: dict, stats: dict, warnings: list[str], offsite: int = 0) -> dict:
    statuses = [s["status"] for s in per_source.values()]
    return {
        "sources": per_source,
        "totals": {
            "sources": len(per_source),
            "ok": statuses.count("ok"),
            "failed": len(statuses) - statuses.count("ok"),
            "reports_found": sum(s["reports_found"] for s in per_source.values()),
            "new": sum(s["new"] for s in per_source.values()),
            "changed": sum(s["changed"] for s in per_source.values()),
            "errors": sum(len(s["errors"]) for s in per_source.values()),
            "offsite_links_skipped": offsite,
        },
        "stats": {
            "requests": stats.get("downloader/request_count", 0),
            "bytes": stats.get("downloader/response_bytes", 0),
            "cache_hits": stats.get("httpcache/hit", 0),
            "revalidated": stats.get("httpcache/revalidate", 0),
        },
        "warnings": warnings,
    }


def print_progress(done: int, total: int, source) -> None:
    status = source.status or "?"
    extra = f", {source.errors} errors" if source.errors else ""
    print(
        f"crawl: [{done}/{total}] {source.url}: {status}, {source.reports} reports{extra}",
        file=sys.stderr,
        flush=True,
    )


def crawl_in_subprocess(
    db_path: str,
    *,
    registry: str | None = None,
    agency_ids=(),
    year: int | None = None,
    settings_overrides: dict | None = None,
    today: str | None = None,
    env: dict | None = None,
    timeout: float | None = None,
    quiet: bool = False,
) -> dict:
    """`crawl` in a fresh `python -m crawler.crawl` process; the summary comes back through a temp file."""
    args = {
        "db_path": db_path,
        "registry": registry,
        "agency_ids": list(agency_ids),
        "year": year,
        "settings_overrides": settings_overrides or {},
        "today": today,
    }
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        request_file = os.path.join(tmp, "args.json")
        out_file = os.path.join(tmp, "summary.json")
        with open(request_file, "w", encoding="utf-8") as fh:
            json.dump(args, fh)
        completed = subprocess.run(
            [sys.executable, "-m", "crawler.crawl", request_file, out_file],
            env={**os.environ, **(env or {})},
            stderr=subprocess.PIPE if quiet else None,
            timeout=timeout,
            check=False,
        )
        if os.path.exists(out_file):
            with open(out_file, encoding="utf-8") as fh:
                result = json.load(fh)
            if "error" in result:
                raise CrawlError(result["error"])
            return result
        tail = (completed.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] if quiet else []
        raise CrawlError(f"crawl process failed (exit {completed.returncode}) {' '.join(tail)}".strip())


def _main(request_file: str, out_file: str) -> int:
    with open(request_file, encoding="utf-8") as fh:
        args = json.load(fh)
    try:
        result = crawl(**args, progress=print_progress)
    except CrawlError as exc:
        result = {"error": str(exc)}
    with open(out_file, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1], sys.argv[2]))
