"""Copy-pasted reports (内容雷同, grounds for 第四十七条 accountability): `duplicate`.

Two reports are the same when their tables are identical cell for cell AND their prose (overview,
problems, other; names, digits, whitespace and punctuation removed) is identical, or, for small
groups, at least SIMILARITY alike. Identical tables alone are not enough: small townships' all-zero
tables are identical across a whole county. Very short prose is boilerplate and never counts.
"""

from __future__ import annotations

from collections import defaultdict

from monitor.digest import normalise_prose, prose_of, similarity
from monitor.findings import Finding
from monitor.load import load_batch
from monitor.registry import rule

SIMILARITY = 0.9
NEAR_GROUP_MAX = 20  # near-duplicate comparison only inside small groups of identical tables


def _order(d: dict):
    return (d.get("published") or d.get("first_seen") or "9999", d["report_id"])


def _owner(d: dict) -> str:
    return d["agency_id"] or f"report:{d['report_id']}"


def _agency_names(db, ids) -> dict:
    ids = sorted({i for i in ids if i})
    names = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        sql = f"SELECT id, name FROM agencies WHERE id IN ({','.join('?' for _ in chunk)})"
        names.update(dict(db.execute(sql, chunk).fetchall()))
    return names


def _near_groups(db, ctx, candidates: list[dict]) -> list[list[dict]]:
    """Split a small group with identical tables into groups of similar prose."""
    _, reports, _ = load_batch(db, ctx.year, [], [d["report_id"] for d in candidates])
    texts = {r.id: normalise_prose(prose_of(r), [r.agency_name, r.title]) for r in reports}
    groups: list[list[dict]] = []
    for d in sorted(candidates, key=_order):
        for group in groups:
            if similarity(texts.get(group[0]["report_id"], ""), texts.get(d["report_id"], "")) >= SIMILARITY:
                group.append(d)
                break
        else:
            groups.append([d])
    return groups


@rule("duplicate", severity="warning", scope="year")
def duplicate(db, ctx):
    """报告与另一机关同年度的报告、或与本机关上一年度的报告内容雷同（统计表完全相同且正文相同或高度相似）。
    Same content as another agency's report of the same year, or as the agency's own previous year:
    identical tables and identical (or, in small groups, ≥90% similar) prose."""
    minimum = ctx.tolerances.duplicate_min_chars
    current = [d for d in ctx.digests if d["year"] == ctx.year and (d["prose_chars"] or 0) >= minimum]
    previous = {  # per agency the last in _order (filtering before the stable sort keeps that order)
        d["agency_id"]: d
        for d in sorted(
            (
                d
                for d in ctx.digests
                if d["year"] == ctx.year - 1 and d["agency_id"] and (d["prose_chars"] or 0) >= minimum
            ),
            key=_order,
        )
    }
    by_tables = defaultdict(list)
    for d in current:
        by_tables[d["tables_digest"]].append(d)
    groups = []
    for members in by_tables.values():
        if len({_owner(d) for d in members}) < 2:
            continue
        by_prose = defaultdict(list)
        for d in members:
            by_prose[d["prose_digest"]].append(d)
        exact = [g for g in by_prose.values() if len({_owner(d) for d in g}) >= 2]
        groups += exact
        rest = [d for g in by_prose.values() if len({_owner(d) for d in g}) < 2 for d in g]
        if 2 <= len({_owner(d) for d in rest}) <= NEAR_GROUP_MAX:
            groups += [g for g in _near_groups(db, ctx, rest) if len({_owner(d) for d in g}) >= 2]
    copies = []
    for group in groups:
        group = sorted(group, key=_order)
        original = group[0]
        for d in group[1:]:
            if _owner(d) != _owner(original):
                copies.append((d, original, group))
    own = []
    for d in current:
        before = previous.get(d["agency_id"])
        if (
            before
            and before["tables_digest"] == d["tables_digest"]
            and before["prose_digest"] == d["prose_digest"]
        ):
            own.append((d, before))
    names = ctx.agency_names or _agency_names(
        db,
        [d["agency_id"] for d, o, _ in copies]
        + [o["agency_id"] for _, o, _ in copies]
        + [d["agency_id"] for d, _ in own],
    )

    def name(d):
        return names.get(d["agency_id"]) or f"未匹配机关的报告 {d['report_id']}"

    for d, original, group in copies:
        yield Finding(
            agency_id=d["agency_id"],
            year=ctx.year,
            subject="other_agency" + ("" if d["agency_id"] else f"@{d['report_id']}"),
            message=(
                f"{name(d)} {ctx.year}年度报告与 {name(original)} 的同年度报告（{original['url'] or original['report_id']}）"
                "统计表完全相同、正文雷同；请核实是否照抄。"
            ),
            evidence={
                "original": {
                    k: original[k] for k in ("report_id", "agency_id", "url", "published", "first_seen")
                },
                "group": [{k: g[k] for k in ("report_id", "agency_id", "url")} for g in group],
                "tables_digest": d["tables_digest"],
                "prose_chars": d["prose_chars"],
            },
            report_id=d["report_id"],
            report_url=d["url"],
        )
    for d, before in own:
        yield Finding(
            agency_id=d["agency_id"],
            year=ctx.year,
            subject="previous_year",
            message=(
                f"{name(d)} {ctx.year}年度报告与其 {ctx.year - 1}年度报告统计表完全相同、正文雷同"
                "（仅年份等数字不同）；请核实是否照搬上年报告。"
            ),
            evidence={
                "previous": {k: before[k] for k in ("report_id", "url", "published", "first_seen")},
                "tables_digest": d["tables_digest"],
                "prose_chars": d["prose_chars"],
            },
            report_id=d["report_id"],
            report_url=d["url"],
        )
