"""`nianbao crawl`: crawl the registry's sources, store every report found, record each source's health."""

from __future__ import annotations

import click

from crawler.commands.common import db_option, fail


@click.command()
@db_option
@click.option("--registry", type=click.Path(dir_okay=False), help="Import this registry (YAML/CSV) first.")
@click.option(
    "--agency", "agency_ids", multiple=True, metavar="ID", help="Only this agency's sources (repeatable)."
)
@click.option("--year", type=int, help="Only reports about this year (titles without a year are kept).")
def crawl(db_path, registry, agency_ids, year):
    """Crawl the registry's sources and store the reports found."""
    from crawler.crawl import CrawlError, print_progress
    from crawler.crawl import crawl as run_crawl

    if year is not None and not 2000 <= year <= 2100:
        fail(f"--year {year} is not a report year")
    try:
        summary = run_crawl(
            db_path, registry=registry, agency_ids=agency_ids, year=year, progress=print_progress
        )
    except CrawlError as exc:
        fail(str(exc))
    for warning in summary["warnings"]:
        click.echo(warning, err=True)
    for url, source in summary["sources"].items():
        detail = f" ({source['detail']})" if source["detail"] else ""
        click.echo(
            f"{source['status']:<11} {source['reports_found']:>4} reports ({source['new']} new, "
            f"{source['changed']} changed)  {url}{detail}"
        )
    totals = summary["totals"]
    click.echo(
        f"{totals['sources']} sources: {totals['ok']} ok, {totals['failed']} failed; "
        f"{totals['reports_found']} reports ({totals['new']} new, {totals['changed']} changed), {totals['errors']} errors"
    )
