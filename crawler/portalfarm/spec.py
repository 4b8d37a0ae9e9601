"""Portal specs: what a fixture portal holds, as data. `demo_spec()` covers every case the crawler meets;
`regional_spec()` the provincial platforms (jpaas, Anhui); `bench_spec(n)` is a large farm for benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMS = ("html", "pdf", "docx", "attachment", "letter")
BEHAVIOURS = ("ok", "not_found", "error500", "challenge412", "challenge521", "cookie", "robots")


@dataclass
class Report:
    agency: str  # the name the title uses ('' for "2023年政府信息公开工作年度报告")
    year: int
    published: str  # ISO date shown on the page (and in the URL for TRS / Hanweb)
    # html | pdf (linked directly) | docx | attachment (page + .docx) | letter (函 + .docx)
    form: str = "html"
    seed: int = 0
    date_on_page: bool = True  # False: the page shows no date (gkmlpt: the API gives it)
    title: str | None = None

    @property
    def full_title(self) -> str:
        return self.title or f"{self.agency}{self.year}年政府信息公开工作年度报告"


@dataclass
class Agency:
    id: str
    name: str
    kind: str = "department"
    aliases: list[str] = field(default_factory=list)


@dataclass
class Portal:
    host: str  # e.g. www.demo-trs.gov.cn (served through the farm's proxy port)
    family: str  # trs | hanweb | hanweb-post | hanweb-module | gkmlpt | jpaas | anhui | generic
    reports: list[Report] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)  # registered agencies listed on this portal
    companions: list[str] = field(default_factory=list)  # titles of 解读 / 通知 pages in the listing
    per_page: int = 10
    behaviour: str = "ok"
    encoding: str = "utf-8"  # "gbk": every page in GBK with no charset anywhere
    offsite_link: str | None = None  # a report-titled link to another host (never followed)
    wap_twins: bool = False  # list each article twice: `t…_id.html` and `t…_id_wap.html`
    force_family: bool = False  # write `family:` in the registry
    other_links: int = 0  # extra non-report links per listing page (navigation noise)


def _agency(id_: str, name: str, kind: str = "department", aliases=()) -> Agency:
    return Agency(id_, name, kind, list(aliases))


def demo_spec() -> list[Portal]:
    """Every family and every trap, small: used by tests/crawler and `nianbao demo`."""
    trs_agencies = [_agency("demo-trs-fgw", "示范县发展和改革局"), _agency("demo-trs-jyj", "示范县教育局")]
    return [
        Portal(
            host="www.demo-trs.gov.cn",
            family="trs",
            per_page=3,
            agencies=trs_agencies,
            reports=[
                Report("示范县发展和改革局", 2023, "2024-01-20", seed=1),
                Report("示范县发展和改革局", 2022, "2023-01-18", seed=2),
                Report("示范县教育局", 2023, "2024-02-05", seed=3),  # late for a department
                Report("示范县教育局", 2022, "2023-01-10", form="pdf", seed=4),
                Report("示范县未登记局", 2023, "2024-01-25", seed=5),  # not in the registry: kept unmatched
            ],
            companions=[
                "《示范县发展和改革局2023年政府信息公开工作年度报告》解读",
                "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
            ],
            offsite_link="http://www.elsewhere.gov.cn/zfxxgknb/202401/t20240120_999.html",
            wap_twins=True,
            other_links=3,
        ),
        Portal(
            host="www.demo-hanweb.gov.cn",
            family="hanweb",
            per_page=2,
            agencies=[_agency("demo-hw-gov", "示范市人民政府", "government", ["示范市政府"])],
            reports=[
                Report("示范市人民政府", 2023, "2024-03-15", seed=11),
                Report("示范市人民政府", 2022, "2023-03-20", form="attachment", seed=12),
                Report("示范市人民政府", 2021, "2022-03-10", seed=13),
                Report("示范市人民政府", 2020, "2021-03-05", form="letter", seed=14),
            ],
            companions=["示范市人民政府2023年政府信息公开工作年度报告图解"],
        ),
        Portal(
            host="www.demo-hanwebpost.gov.cn",
            family="hanweb-post",
            per_page=2,
            agencies=[_agency("demo-hwp-mzj", "示范市民政局")],
            reports=[
                Report("示范市民政局", y, f"{y + 1}-01-2{y % 10}", seed=20 + y % 10)
                for y in (2019, 2020, 2021, 2022, 2023)
            ],
        ),
        Portal(
            host="www.demo-module.gov.cn",
            family="hanweb-module",
            agencies=[_agency("demo-mod-sfj", "示范区司法局")],
            reports=[Report("示范区司法局", 2023, "2024-01-26", seed=31)],
        ),
        Portal(
            host="www.demo-gkmlpt.gov.cn",
            family="gkmlpt",
            per_page=100,
            agencies=[_agency("demo-gk-wjj", "示范市卫生健康局")],
            reports=[
                Report("示范市卫生健康局", 2023, "2024-01-30", seed=41, date_on_page=False),
                Report("示范市卫生健康局", 2022, "2023-01-12", form="docx", seed=42, date_on_page=False),
            ],
        ),
        Portal(
            host="www.demo-generic.gov.cn",
            family="generic",
            per_page=2,
            encoding="gbk",
            agencies=[_agency("demo-gen-jd", "示范街道办事处", "township")],
            reports=[
                Report("示范街道办事处", 2023, "2024-01-15", seed=51),
                # No agency in the title: the sole agency of the source.
                Report("", 2022, "2023-01-16", seed=52),
                Report("示范街道办事处", 2021, "2022-01-14", seed=53),
            ],
        ),
        Portal(
            host="www.demo-gone.gov.cn",
            family="trs",
            behaviour="not_found",
            agencies=[_agency("demo-gone", "示范县已改版局")],
        ),
        Portal(
            host="www.demo-down.gov.cn",
            family="trs",
            behaviour="error500",
            agencies=[_agency("demo-down", "示范县宕机局")],
        ),
        Portal(
            host="www.demo-rs.gov.cn",
            family="generic",
            behaviour="challenge412",
            agencies=[_agency("demo-412", "示范县瑞数局")],
        ),
        Portal(
            host="www.demo-jsl.gov.cn",
            family="generic",
            behaviour="cookie",
            agencies=[_agency("demo-cookie", "示范县挑战局")],
        ),
        Portal(
            host="www.demo-robots.gov.cn",
            family="trs",
            behaviour="robots",
            agencies=[_agency("demo-robots", "示范县拒爬局")],
        ),
        # The off-site target exists and would answer; the crawler must never ask.
        Portal(
            host="www.elsewhere.gov.cn",
            family="trs",
            reports=[Report("别处县某局", 2023, "2024-01-20", seed=99)],
        ),
    ]


def regional_spec() -> list[Portal]:
    """The provincial platforms, several list pages each: Jiangsu jpaas (recognised from its markup) and
    Anhui 政务公开 (forced by the registry's `family:`). Used by tests/crawler/test_regional.py."""
    return [
        Portal(
            host="www.demo-jpaas.gov.cn",
            family="jpaas",
            per_page=2,
            agencies=[
                _agency("demo-jp-gov", "示范市人民政府", "government"),
                _agency("demo-jp-swj", "示范市商务局"),
            ],
            reports=[
                Report("示范市人民政府", 2023, "2024-03-12", seed=61),
                Report("示范市商务局", 2023, "2024-01-22", seed=62),
                Report("示范市人民政府", 2022, "2023-03-14", form="attachment", seed=63),
                Report("示范市商务局", 2022, "2023-01-19", form="pdf", seed=64),
            ],
            companions=["《示范市人民政府2023年政府信息公开工作年度报告》解读"],
            other_links=2,
        ),
        Portal(
            host="www.demo-anhui.gov.cn",
            family="anhui",
            per_page=2,
            force_family=True,
            agencies=[_agency("demo-ah-sjj", "示范县审计局"), _agency("demo-ah-tjj", "示范县统计局")],
            reports=[
                Report("示范县审计局", 2023, "2024-01-18", seed=71),
                Report("示范县统计局", 2023, "2024-01-26", seed=72),
                Report("示范县审计局", 2022, "2023-01-17", seed=73),
                Report("示范县统计局", 2022, "2023-01-30", form="docx", seed=74),
                Report("示范县审计局", 2021, "2022-01-20", seed=75),
            ],
            companions=["关于做好2023年政府信息公开工作年度报告编制发布工作的通知"],
        ),
    ]


def bench_spec(portals: int = 1000, reports_per_portal: int = 16) -> list[Portal]:
    """A large farm of every family: about `portals * (reports_per_portal + 3)` pages."""
    families = ("trs", "hanweb", "hanweb-post", "gkmlpt", "generic")
    spec = []
    for i in range(portals):
        family = families[i % len(families)]
        units = [f"基准{i}县第{j}局" for j in range(reports_per_portal // 4)]
        reports = []
        for j in range(reports_per_portal):
            unit = units[j % len(units)]
            year = 2023 - j // len(units)
            form = "pdf" if j % 8 == 7 else "html"
            reports.append(
                Report(
                    unit,
                    year,
                    f"{year + 1}-01-{10 + j % 18:02d}",
                    form=form,
                    seed=j % 8,
                    date_on_page=family != "gkmlpt",
                )
            )
        spec.append(
            Portal(
                host=f"www.bench{i:04d}.gov.cn",
                family=family,
                per_page=100 if family == "gkmlpt" else 10,
                reports=reports,
                agencies=[_agency(f"bench-{i}-{k}", u) for k, u in enumerate(units)],
                companions=[f"《{units[0]}2023年政府信息公开工作年度报告》解读"],
                other_links=5,
            )
        )
    return spec
