"""Datasette wiring for `nianbao serve`: metadata, links to reports and stored documents, a chart page.

    ds = make_datasette(db_path, blob_dir=...)     # a Datasette with our metadata and this plugin

Routes added: `/-/nianbao/document/<sha256>` (the stored original, from the blob directory) and
`/-/nianbao/compliance` (on-time rate by region and year as a server-side SVG: works offline).
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import yaml
from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

METADATA = Path(__file__).with_name("metadata.yml")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
URL_COLUMNS = {"report_url", "url", "source_url"}
DOCUMENT_COLUMNS = {"sha256", "document"}
YEAR_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]


def load_metadata(db_name: str, *, blob_dir: str) -> dict:
    """metadata.yml with its database section named after the served file, and the blob dir for the plugin."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {db_name: metadata["databases"]["nianbao"]}
    metadata.setdefault("plugins", {})["nianbao"] = {"blob_dir": blob_dir, "database": db_name}
    return metadata


def make_datasette(db_path: str, *, blob_dir: str):
    from datasette.app import Datasette
    from datasette.plugins import pm

    this_module = sys.modules[__name__]
    if not pm.is_registered(this_module):
        pm.register(this_module, name="nianbao")
    db_name = Path(db_path).stem
    return Datasette(
        [db_path],
        metadata=load_metadata(db_name, blob_dir=blob_dir),
        settings={"default_page_size": 50, "sql_time_limit_ms": 3000},
    )


@hookimpl
def render_cell(value, column, datasette):
    if not isinstance(value, str):
        return None
    if column in DOCUMENT_COLUMNS and _SHA256.match(value):
        return Markup('<a href="{}" title="{}">原文 document</a>').format(
            datasette.urls.path(f"/-/nianbao/document/{value}"), value
        )
    if column in URL_COLUMNS and value.startswith(("http://", "https://")):
        return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(value, value)
    return None


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/nianbao/compliance"), "label": "按时发布率 Compliance chart"}]


@hookimpl
def register_routes():
    return [
        (r"^/-/nianbao/document/(?P<sha256>[0-9a-f]{64})$", document),
        (r"^/-/nianbao/compliance$", compliance_chart),
    ]


async def document(datasette, request):
    """The stored original, byte for byte, with the content type it was captured with."""
    sha = request.url_vars["sha256"]
    config = datasette.plugin_config("nianbao") or {}
    blob_dir = os.path.realpath(config.get("blob_dir") or "")
    db = datasette.get_database(config.get("database"))
    rows = (
        await db.execute("select path, content_type, container from documents where sha256 = ?", [sha])
    ).rows
    relative = rows[0]["path"] if rows and rows[0]["path"] else os.path.join(sha[:2], sha)
    path = os.path.realpath(os.path.join(blob_dir, relative))
    if not blob_dir or not path.startswith(blob_dir + os.sep) or not os.path.isfile(path):
        return Response.text("document not stored here", status=404)
    content_type = (rows[0]["content_type"] if rows else None) or "application/octet-stream"
    extension = (rows[0]["container"] if rows else None) or "bin"
    with open(path, "rb") as handle:
        body = handle.read()
    headers = {"content-disposition": f'inline; filename="{sha[:12]}.{extension}"'}
    return Response(body, content_type=content_type, headers=headers)


async def compliance_chart(datasette, request):
    config = datasette.plugin_config("nianbao") or {}
    db = datasette.get_database(config.get("database"))
    query = await datasette.get_canned_query(db.name, "compliance_by_region", request.actor)
    region = request.args.get("region", "")
    rows = [dict(row) for row in (await db.execute(query["sql"], {"region": region})).rows]
    title = "各地区按时发布率 Compliance rate by region and year"
    table_link = datasette.urls.path(f"/{db.name}/compliance_by_region?region={region}")
    page = f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{datasette.urls.static("app.css")}"></head>
<body><div class="container"><p><a href="{datasette.urls.path("/")}">nianbao</a> /
<a href="{datasette.urls.path("/" + db.name)}">{html.escape(db.name)}</a></p><h1>{title}</h1>
<p>按时发布的机构占可判断机构的比例（信息源无法访问的机构不计入）/ Share of the agencies that could be judged whose
report was published by the deadline (agencies whose sources fail are not counted).
<a href="{html.escape(table_link)}">数据 Data</a></p>
{bar_chart_svg(rows)}</div></body></html>"""
    return Response.html(page)


def bar_chart_svg(rows: list[dict]) -> str:
    """One horizontal bar per (region, year): the on-time percentage, with the counts beside it."""
    if not rows:
        return "<p>尚无数据 No data yet.</p>"
    years = sorted({row["year"] for row in rows})
    colour = {year: YEAR_COLOURS[i % len(YEAR_COLOURS)] for i, year in enumerate(years)}
    label_w, bar_w, row_h = 260, 420, 22
    parts = []
    for i, row in enumerate(rows):
        y = 30 + i * row_h
        pct = row["compliance_pct"] or 0
        label = f"{row['region'] or '（无地区）'} {row['year']}"
        parts.append(
            f'<g class="bar" data-region="{html.escape(str(row["region"]))}" data-year="{row["year"]}">'
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * pct / 100:.1f}" height="{row_h - 6}" '
            f'fill="{colour[row["year"]]}"><title>{html.escape(label)}: {pct}%</title></rect>'
            f'<text x="{label_w + bar_w * pct / 100 + 6:.1f}" y="{y + 15}">{pct}% '
            f"(按时 on time {row['on_time']}; 逾期 late {row['late']}, 未公开 missing {row['missing']}, "
            f"无法判断 not judged {row['not_judged']}, 无日期 undated {row['undated']})"
            "</text></g>"
        )
    height = 40 + len(rows) * row_h
    axis = "".join(
        f'<line x1="{label_w + bar_w * p / 100}" y1="22" x2="{label_w + bar_w * p / 100}" y2="{height - 10}" '
        f'stroke="#ddd"/><text x="{label_w + bar_w * p / 100}" y="16" text-anchor="middle">{p}%</text>'
        for p in (0, 25, 50, 75, 100)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 560}" height="{height}" '
        f'font-size="13" role="img" aria-label="compliance chart">{axis}{"".join(parts)}</svg>'
    )
