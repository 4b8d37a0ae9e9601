"""`nianbao demo`: demo portals on loopback, one full cycle against them, the findings, and where to look.

Works offline: the portals are the crawler's loopback portal farm, reached through its proxy port.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import click

from crawler.commands.common import fail, open_db_or_fail


def run_demo(db_path: str, *, echo=print) -> dict:
    """Start the demo farm, run one cycle, stop the farm. Returns the cycle summary."""
    from crawler.commands.run import run_cycle
    from crawler.portalfarm.demo import TODAY, YEAR, start_demo_farm

    farm = start_demo_farm()
    try:
        with tempfile.TemporaryDirectory(prefix="nianbao-demo-") as tmp:
            registry = os.path.join(tmp, "registry.yml")
            farm.registry_yaml(registry)
            echo(
                f"demo portals on {farm.proxy_url} ({len(farm.portals)} portals); judging {YEAR} as of {TODAY}"
            )
            return run_cycle(
                db_path,
                registry,
                today=date.fromisoformat(TODAY),
                year=YEAR,
                crawl_env=farm.env(),
                # The farm is local: no need to be polite to it.
                settings_overrides={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0},
                echo=echo,
            )
    finally:
        farm.stop()


def open_findings(db, year: int) -> list[dict]:
    return list(
        db.query(
            """select f.agency_id, a.name, f.rule, f.severity, f.message from findings f
               left join agencies a on a.id = f.agency_id
               where f.status = 'open' and f.year = ? order by f.rule, f.agency_id""",
            [year],
        )
    )


@click.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--keep-serving", is_flag=True, help="Then browse the results in Datasette until Ctrl-C.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port with --keep-serving.")
def demo(db_path, keep_serving, port):
    """Run a full cycle against bundled demo portals on loopback and show the findings."""
    from crawler.commands.run import CycleError, format_check_summary
    from crawler.portalfarm.demo import YEAR

    open_db_or_fail(db_path).conn.close()
    try:
        summary = run_demo(db_path, echo=lambda line: click.echo(line, err=True))
    except CycleError as exc:
        fail(f"demo cycle failed: {exc}")
    for line in format_check_summary({k: v for k, v in summary["check"].items() if any(v.values())}):
        click.echo(line)
    click.echo("")
    db = open_db_or_fail(db_path)
    for row in open_findings(db, YEAR):
        click.echo(
            f"[{row['severity']}] {row['rule']:<26} {row['name'] or row['agency_id']}: {row['message']}"
        )
    name = Path(db_path).stem
    click.echo("")
    click.echo(
        f"Browse them:  nianbao serve --db {db_path}   then open http://127.0.0.1:8001/{name}/findings_detail"
    )
    click.echo(
        f"Alerts: describe recipients in alerts.yml, then  nianbao alerts send --dry-run --db {db_path}"
    )
    if keep_serving:
        import uvicorn

        import settings
        from db.datasette_plugin import make_datasette
        from db.store import blob_dir_for

        datasette = make_datasette(db_path, blob_dir=blob_dir_for(db_path, settings.NIANBAO_BLOB_DIR))
        click.echo(f"serving at http://127.0.0.1:{port}/{name}/findings_detail (Ctrl-C to stop)", err=True)
        uvicorn.run(datasette.app(), host="127.0.0.1", port=port, log_level="warning")
