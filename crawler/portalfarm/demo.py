"""The portals of `nianbao demo`: the crawler's demo_spec() plus the cases a user should see once.

    farm = start_demo_farm()      # every CMS family; on-time, late, missing, inconsistent, broken sources

Added to demo_spec(): an agency listed on a working portal that never published (→ `missing`), and
one report whose table 2 does not add up (→ `inconsistent.*`). The farm renders report cells through
`SiteBuilder.cells`; the demo wraps that method on one portal's builder instead of copying the farm.
"""

from __future__ import annotations

from crawler.portalfarm import Agency, Farm, demo_spec, start_farm

TODAY = "2024-04-15"  # the demo judges report year 2023 as of this day: every deadline has passed
YEAR = 2023
REGION = "示范省/示范市"
INCONSISTENT_HOST = "www.demo-trs.gov.cn"
INCONSISTENT_AGENCY = "示范县发展和改革局"
# (七)总计 three higher than its parts: breaks the balance (一+二 = 七+四) and the outcome total.
INCONSISTENT_CHANGES = {"total.total": 3, "total.natural": 3}
MISSING_AGENCY = Agency("demo-trs-czj", "示范县财政局")


def demo_portals():
    spec = demo_spec()
    for portal in spec:
        if portal.host == INCONSISTENT_HOST:
            portal.agencies.append(MISSING_AGENCY)
    return spec


def start_demo_farm(port: int = 0) -> Farm:
    farm = start_farm(demo_portals(), port=port)
    builder = farm.builders[INCONSISTENT_HOST]
    rendered_cells = builder.cells

    def cells(report, revision: int = 0) -> dict:
        values = rendered_cells(report, revision)
        if report.agency == INCONSISTENT_AGENCY and report.year == YEAR:
            requests = dict(values["requests"])
            for key, extra in INCONSISTENT_CHANGES.items():
                requests[key] = (requests.get(key) or 0) + extra
            values = {**values, "requests": requests}
        return values

    builder.cells = cells  # reports are rendered on first request, so this takes effect for the crawl
    return farm
