"""`nianbao check` (run every rule, update findings) and `nianbao findings` (list, dismiss)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import click

from crawler.commands.common import db_option, fail, open_db_or_fail


def parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value)
    try:
        return date(*(int(g) for g in match.groups()))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        fail(f"--today must be a date YYYY-MM-DD, not {value!r}")


def format_summary(summary: dict) -> str:
    width = max(len(rule) for rule in summary)
    lines = [f"{'rule':<{width}}  {'new':>6}  {'open':>6}  {'resolved':>8}"]
    for rule, counts in summary.items():
        lines.append(f"{rule:<{width}}  {counts['new']:>6}  {counts['open']:>6}  {counts['resolved']:>8}")
    total = {k: sum(c[k] for c in summary.values()) for k in ("new", "open", "resolved")}
    lines.append(f"{'total':<{width}}  {total['new']:>6}  {total['open']:>6}  {total['resolved']:>8}")
    return "\n".join(lines)


@click.command()
@click.option(
    "--year", type=int, help="Report year (default: the latest whose deadline has passed or is running)."
)
@click.option(
    "--today", "today_text", metavar="YYYY-MM-DD", help="Judge deadlines as of this day (default: today)."
)
@click.option("--agency", "agencies", multiple=True, help="Only these agency ids (repeatable).")
@db_option
def check(year, today_text, agencies, db_path):
    """Run every rule over what is stored and update the findings (new / still open / resolved)."""
    from monitor.check import check as run_check
    from monitor.deadlines import default_year

    today = parse_day(today_text)
    if year is not None and not 1990 <= year <= today.year + 1:
        fail(f"--year {year} is not a plausible report year")
    db = open_db_or_fail(db_path)
    summary = run_check(db, today=today, year=year, agencies=list(agencies) or None)
    click.echo(f"report year {year if year is not None else default_year(today)}, as of {today.isoformat()}")
    click.echo(format_summary(summary))


def render(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)})
        return out.getvalue().rstrip("\n")
    if not rows:
        return "no findings"
    lines = []
    for row in rows:
        lines.append(
            f"{row['id']:>6}  {row['severity']:<7}  {row['rule']:<27}  {row['agency_id'] or '-':<24}  "
            f"{row['year']}  {row['status']:<9}  {row['message']}"
        )
    return "\n".join(lines)


@click.group(invoke_without_command=True)
@click.option("--year", type=int, help="Report year.")
@click.option("--rule", help="A rule code, or a family such as `inconsistent` or `format`.")
@click.option("--agency", help="One agency id.")
@click.option(
    "--status",
    type=click.Choice(["open", "resolved", "dismissed", "all"]),
    default="open",
    show_default=True,
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@db_option
@click.pass_context
def findings(ctx, year, rule, agency, status, fmt, db_path):
    """List findings (open ones by default). `nianbao findings dismiss ID` dismisses one."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    if ctx.invoked_subcommand is not None:
        return
    from monitor.query import list_findings

    db = open_db_or_fail(db_path)
    click.echo(render(list_findings(db, year=year, rule=rule, status=status, agency=agency), fmt))


@findings.command()
@click.argument("finding_ids", nargs=-1, required=True, type=int)
@click.option("--reopen", is_flag=True, help="Set the findings back to open instead.")
@db_option
@click.pass_context
def dismiss(ctx, finding_ids, reopen, db_path):
    """Dismiss findings by id: a person judged them not worth acting on; checks keep them dismissed."""
    from monitor.query import set_status

    path = (
        db_path if ctx.get_parameter_source("db_path").name != "DEFAULT" else ctx.obj.get("db_path", db_path)
    )
    db = open_db_or_fail(path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for finding_id in finding_ids:
        try:
            result = set_status(db, finding_id, "open" if reopen else "dismissed", now=now)
        except KeyError:
            fail(f"no finding with id {finding_id}")
        click.echo(f"finding {finding_id}: {result['was']} -> {result['status']}")
