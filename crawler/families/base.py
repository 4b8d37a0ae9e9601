"""The shared base of the CMS-family spiders: everything that is not navigation.

A family subclass (spiders/trs.py, hanweb.py, gkmlpt.py, jpaas.py, anhui.py, generic.py) sets `family`, a
`recognises(url, text)` test and a `<family>_start(response, source)` generator that yields
listing Requests (built with `listing_request`) and `Candidate` links. The base does the rest:

- start requests from the registry sources in the database (agency_sources);
- family choice per source: the registry's `family:` forces it, else URL shape, then markup;
- report recognition by title and year (PORTALS.md §4), companions skipped, 函 pages followed to
  their attachments, truncated titles confirmed from the page itself;
- attachments (.pdf .doc .docx .wps .xls .xlsx, or links whose text says 附件 or the title);
- host policy: only the registry's hosts and their subdomains (Scrapy's OffsiteMiddleware also
  applies it to redirects), duplicate URLs and `_wap` twins folded with db.store.normalise_url;
- incremental crawling: a known report is not downloaded again unless it is recent
  (NIANBAO_RECHECK_DAYS); listing pages are revalidated with conditional requests (HTTP cache);
- source health: SourceStatusItem events (ok / unreachable / blocked / not_found).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.families.titles import nfkc, title_kind
from crawler.items import Attachment, ReportItem, SourceStatusItem
from crawler.middlewares import ChallengeBlocked
from crawler.parse.meta import parse_date_text, title_year
from db.store import known_report, normalise_url

ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
MAX_ATTACHMENTS = 4
# A source whose pagination runs away (calendar widgets, session ids) stops here.
MAX_LISTING_PAGES = 200
# Listing pages and rechecked reports are revalidated (If-None-Match / If-Modified-Since) every crawl.
REVALIDATE = {"Cache-Control": "max-age=0"}
HANDLED_STATUSES = [
    *range(400, 412),
    *range(413, 452),
    *range(500, 521),
    *range(522, 530),
]  # 412/521: challenges
_FAMILY_ORDER = ("gkmlpt", "jpaas", "anhui", "hanweb", "trs", "generic")


@dataclass
class Source:
    """A registry source and its crawl state."""

    url: str  # as the registry writes it (may carry a gkmlpt #category)
    family: str | None = None  # forced by the registry
    agency_ids: tuple[str, ...] = ()
    chosen_family: str | None = None
    pending: int = 0  # requests in flight for this source
    listing_pages: int = 0
    reports: int = 0  # report links recognised (downloaded or already known)
    done: bool = False
    status: str | None = None  # the health so far (the pipelines record it)
    errors: int = 0
    seen: set = field(default_factory=set)  # listing request keys

    @property
    def fetch_url(self) -> str:
        return self.url.split("#", 1)[0]

    @property
    def fragment(self) -> str:
        return self.url.split("#", 1)[1] if "#" in self.url else ""


@dataclass
class Candidate:
    """A link found by a family's navigation that may be a report."""

    url: str
    title: str = ""
    listing_date: str | None = None
    published: str | None = None  # evidence outside the document (gkmlpt API)
    published_from: str | None = None


@dataclass
class KnownReportItem:
    """A report link already stored and not due for a recheck: still listed, not downloaded."""

    url: str
    source_url: str


def load_sources(db, agency_ids: Iterable[str] = ()) -> list[Source]:
    """The registry sources in the database, each with the agencies listed on it."""
    wanted = list(agency_ids)
    sql = "SELECT url, agency_id, family FROM agency_sources"
    params: list = []
    if wanted:
        sql += f" WHERE agency_id IN ({', '.join('?' for _ in wanted)})"
        params = wanted
    by_url: dict[str, Source] = {}
    for url, agency_id, family in db.execute(sql + " ORDER BY rowid", params).fetchall():
        source = by_url.setdefault(url, Source(url=url, family=family or None))
        source.agency_ids = (*source.agency_ids, agency_id)
        source.family = source.family or family or None
    return list(by_url.values())


def site_root(host: str) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def host_allowed(url: str, roots: Iterable[str]) -> bool:
    """Only the registry's hosts and their subdomains: never another site, not even another *.gov.cn."""
    host = site_root(urlsplit(url).hostname or "")
    return any(host == root or host.endswith("." + root) for root in roots)


def anchors(selector, base_url: str) -> Iterator[Candidate]:
    """Every link of a listing with its title (title attribute, else text) and the date printed beside it."""
    for a in selector.xpath(".//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = nfkc(a.attrib.get("title") or " ".join(a.xpath(".//text()").getall()))
        row = a.xpath("ancestor::*[self::li or self::tr or self::dl or self::p][1]")
        row_text = " ".join(row[0].xpath(".//text()").getall()) if row else ""
        day = parse_date_text(row_text.replace(title, "")) if row_text else None
        yield Candidate(url=_join(base_url, href), title=title, listing_date=day)


def _join(base: str, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href.strip()).split("#", 1)[0]


def is_html(response) -> bool:
    if not isinstance(response, TextResponse):
        return False
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return "html" in content_type or response.body.lstrip()[:1] == b"<"


class PortalSpider(scrapy.Spider):
    name = "portals"
    family: str | None = None  # set by each family subclass

    def __init__(
        self,
        *args,
        db=None,
        sources: list[Source] | None = None,
        year: int | None = None,
        recheck_days: int = 60,
        today: str | None = None,
        progress=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.db = db
        self.sources = list(sources or [])
        self.year = year
        self.progress = progress
        today_date = date.fromisoformat(today) if today else date.today()
        self.recheck_since = (today_date - timedelta(days=recheck_days)).isoformat()
        self.roots = sorted({site_root(urlsplit(s.fetch_url).hostname or "") for s in self.sources})
        # Scrapy's OffsiteMiddleware applies the same host policy to redirects.
        self.allowed_domains = list(self.roots)
        self.report_keys: set[str] = set()
        self.sources_done = 0
        self.offsite_skipped = 0

    # --- families ------------------------------------------------------------------------

    @classmethod
    def families(cls) -> dict[str, type]:
        found = {}
        for klass in cls.__mro__:
            name = klass.__dict__.get("family")
            if name and name not in found:
                found[name] = klass
        return found

    def choose_family(self, source: Source, response) -> str:
        available = self.families()
        if source.family in available:
            return source.family
        text = response.text if isinstance(response, TextResponse) else ""
        for name in _FAMILY_ORDER:
            klass = available.get(name)
            if klass is not None and name != "generic" and klass.recognises(source.fetch_url, text):
                return name
        return "generic" if "generic" in available else next(iter(available))

    # --- requests ------------------------------------------------------------------------

    async def start(self):
        for source in self.sources:
            request = self.listing_request(source.fetch_url, source, "start")
            if request is None:
                yield self.health(source, "blocked", "source host refused by host policy")
                self._finish(source)
            else:
                yield request

    def listing_request(
        self,
        url: str,
        source: Source,
        step: str,
        *,
        method: str = "GET",
        body=None,
        headers=None,
        cb_kwargs: dict | None = None,
    ) -> scrapy.Request | None:
        """A listing page to read with `step` (a method name of the family). None when not allowed or seen."""
        if not host_allowed(url, self.roots):
            self.offsite_skipped += 1
            return None
        key = (method, normalise_url(url, listing=True) if method == "GET" else url, body)
        if key in source.seen or source.listing_pages >= MAX_LISTING_PAGES:
            return None
        source.seen.add(key)
        source.listing_pages += 1
        return self._request(
            url,
            source,
            self.on_listing,
            {"step": step, **(cb_kwargs or {})},
            method=method,
            body=body,
            headers=headers,
        )

    def _request(self, url, source, callback, cb_kwargs, *, headers=None, revalidate=True, **kw):
        source.pending += 1
        merged = dict(REVALIDATE) if revalidate else {}
        merged.update(headers or {})
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs={"source": source, **cb_kwargs},
            headers=merged,
            dont_filter=True,  # our own keys dedupe; every request must come back to close its source
            # Errors reach the callback to be recorded; redirects are still followed (and host-checked).
            # Only listing pages go through the HTTP cache (conditional requests); documents are
            # stored by sha256 already, and caching them too doubled the crawl's disk writes.
            meta={"handle_httpstatus_list": HANDLED_STATUSES, "dont_cache": callback != self.on_listing},
            **kw,
        )

    # --- callbacks -----------------------------------------------------------------------

    def on_listing(self, response, source: Source, step: str, **extra):
        try:
            problem = self.status_problem(response)
            if problem:
                status, detail = problem
                yield self.health(source, status, detail, partial=step != "start")
                return
            if step == "start":
                source.chosen_family = self.choose_family(source, response)
                yield self.health(source, "ok", "")
                step = f"{source.chosen_family}_start"
            for found in getattr(self, step)(response, source, **extra) or ():
                if isinstance(found, Candidate):
                    yield from self.follow_candidate(found, source)
                elif found is not None:
                    yield found
        finally:
            self._finish(source)

    def status_problem(self, response) -> tuple[str, str] | None:
        status = response.status
        if status < 300:
            return None
        if status in (404, 410):
            return "not_found", f"HTTP {status} {response.url}"
        if status >= 500:
            return "unreachable", f"HTTP {status} {response.url}"
        if status in (401, 403, 412, 429, 451, 521):
            return "blocked", f"HTTP {status} {response.url}"
        return "unreachable", f"HTTP {status} {response.url}"

    def on_error(self, failure):
        source = failure.request.cb_kwargs["source"]  # errbacks get no cb_kwargs of their own
        try:
            exc = failure.value
            partial = source.chosen_family is not None
            url = failure.request.url if getattr(failure, "request", None) else source.url
            if isinstance(exc, ChallengeBlocked):
                yield self.health(source, "blocked", f"{exc} {url}", partial=partial)
            elif isinstance(exc, IgnoreRequest):
                if "robots.txt" in str(exc):
                    yield self.health(source, "blocked", "robots.txt", partial=partial)
                elif partial:  # an offsite redirect of a later page: skipped, not a failure
                    self.offsite_skipped += 1
                else:
                    yield self.health(source, "unreachable", f"{exc} {url}")
            elif isinstance(exc, HttpError):
                problem = self.status_problem(exc.response)
                if problem:
                    yield self.health(source, *problem, partial=partial)
            else:
                detail = f"{type(exc).__name__}: {str(exc)[:160]}".strip()
                yield self.health(source, "unreachable", f"{detail} {url}", partial=partial)
        finally:
            self._finish(source)

    def health(self, source: Source, status: str, detail: str, partial: bool = False) -> SourceStatusItem:
        if not partial:
            source.status = status
        elif status != "ok":
            source.errors += 1
            if status in ("unreachable", "blocked"):
                source.status = status
        return SourceStatusItem(
            url=source.url, status=status, detail=detail, family=source.chosen_family, partial=partial
        )

    def _finish(self, source: Source) -> None:
        source.pending -= 1
        if source.pending <= 0 and not source.done:
            source.done = True
            self.sources_done += 1
            if self.progress:
                self.progress(self, source)

    # --- reports -------------------------------------------------------------------------

    def follow_candidate(self, cand: Candidate, source: Source, kind: str | None = None):
        kind = kind or title_kind(cand.title)
        if kind not in ("report", "letter", "unclear"):
            return
        if not host_allowed(cand.url, self.roots):
            self.offsite_skipped += 1
            return
        named_year = title_year(cand.title)
        if self.year and named_year and named_year != self.year:
            return
        key = normalise_url(cand.url)
        if key in self.report_keys:
            return
        self.report_keys.add(key)
        if kind != "unclear" and self.is_settled(cand.url):
            source.reports += 1
            yield KnownReportItem(url=cand.url, source_url=source.url)
            return
        yield self._request(cand.url, source, self.on_report, {"cand": cand, "kind": kind})

    def is_settled(self, url: str) -> bool:
        """Known, and old enough that a silent revision is no longer expected: no download."""
        if self.db is None:
            return False
        row = known_report(self.db, url)
        if row is None:
            return False
        reference = row.get("published") or (row.get("first_seen") or "")[:10]
        return bool(reference) and reference < self.recheck_since

    def on_report(self, response, source: Source, cand: Candidate, kind: str):
        try:
            problem = self.status_problem(response)
            if problem:
                status, detail = problem
                if status != "not_found":  # a dead report link is the portal's content, not its health
                    yield self.health(source, status, detail, partial=True)
                return
            yield from self.report_from_response(response, source, cand, kind)
        finally:
            self._finish(source)

    def report_from_response(self, response, source: Source, cand: Candidate, kind: str):
        """A downloaded report page (or file): an item, after its attachments are fetched."""
        html = is_html(response)
        # The listing's title is enough unless it did not say what the link is.
        page_title = self.page_title(response) if html and (kind == "unclear" or not cand.title) else ""
        if kind == "unclear":
            kind = title_kind(page_title)
            if kind not in ("report", "letter"):
                return
            if self.year and title_year(page_title) not in (None, self.year):
                return
        source.reports += 1
        item = ReportItem(
            url=cand.url,
            source_url=source.url,
            body=response.body,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1") or None,
            title=cand.title or page_title,
            listing_date=cand.listing_date,
            agency_ids=source.agency_ids,
            published=cand.published,
            published_from=cand.published_from,
            kind=kind,
            family=source.chosen_family,
        )
        links = self.attachment_links(response, item.title) if html else []
        if not links:
            yield item
            return
        yield self._attachment_request(item, links, source)

    def page_title(self, response) -> str:
        for xpath in ('//meta[@name="ArticleTitle"]/@content', "//h1//text()", "//title/text()"):
            text = nfkc(" ".join(response.xpath(xpath).getall()))
            if text:
                return text
        return ""

    def attachment_links(self, response, title: str) -> list[tuple[str, str]]:
        own = normalise_url(response.url)
        found: dict[str, tuple[str, str]] = {}
        for a in response.xpath("//a[@href]"):
            href = (a.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            text = nfkc(" ".join(a.xpath(".//text()").getall()) or a.attrib.get("title"))
            url = response.urljoin(href).split("#", 1)[0]
            is_file = urlsplit(url).path.lower().endswith(ATTACHMENT_EXTS)
            names_it = "附件" in text or (len(title) > 6 and title in text)
            if not (is_file or names_it):
                continue
            key = normalise_url(url)
            if key == own or key in found:
                continue
            if not host_allowed(url, self.roots):
                self.offsite_skipped += 1
                continue
            found[key] = (url, text)
        return list(found.values())[:MAX_ATTACHMENTS]

    def _attachment_request(self, item: ReportItem, links: list, source: Source):
        (url, text), rest = links[0], links[1:]
        return self._request(
            url,
            source,
            self.on_attachment,
            {"item": item, "rest": rest, "text": text},
            revalidate=True,
        ).replace(errback=self.on_attachment_error)

    def on_attachment(self, response, source: Source, item: ReportItem, rest: list, text: str):
        try:
            if response.status < 300:
                content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
                item.attachments.append(Attachment(response.url, response.body, content_type, text))
            yield self._attachment_request(item, rest, source) if rest else item
        finally:
            self._finish(source)

    def on_attachment_error(self, failure):
        kwargs = failure.request.cb_kwargs
        source, item, rest = kwargs["source"], kwargs["item"], kwargs["rest"]
        try:
            self.logger.info("attachment failed: %s", failure.value)
            yield self._attachment_request(item, rest, source) if rest else item
        finally:
            self._finish(source)

    def page_as_report(self, response, source: Source, title: str | None = None):
        """A listing URL that renders one report itself (Hanweb xxgkAnnualReport.jsp, 天门-style columns)."""
        title = title or self.page_title(response)
        kind = title_kind(title)
        if kind not in ("report", "letter"):
            return
        key = normalise_url(response.url)
        if key in self.report_keys:
            return
        self.report_keys.add(key)
        yield from self.report_from_response(response, source, Candidate(url=response.url, title=title), kind)


def parse_json(response) -> dict | list | None:
    try:
        return json.loads(response.text)
    except (ValueError, AttributeError):
        return None


def first_match(pattern: str, text: str, flags: int = 0) -> str | None:
    match = re.search(pattern, text, flags)
    return match.group(1) if match else None
