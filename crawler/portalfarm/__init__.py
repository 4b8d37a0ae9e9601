"""Loopback fixture portals of every CMS family, for tests, benchmarks and `nianbao demo`.

    farm = start_farm(demo_spec())        # one ThreadingHTTPServer on 127.0.0.1, port 0
    farm.env()                            # {"http_proxy": farm.proxy_url, ...}: give it to the crawl
    farm.registry_yaml("registry.yml")    # agencies + their sources (http://www.demo-trs.gov.cn/...)
    farm.requests(host="www.demo-trs.gov.cn")   # what the crawler asked for (host, method, target, status, bytes)
    farm.revise("www.demo-trs.gov.cn", 0) # change one report's content (for `revised`)
    farm.stop()

The farm is an HTTP proxy: portals keep realistic host names (`www.demo-trs.gov.cn`, an off-site
`www.elsewhere.gov.cn`) so the crawler's host policy is exercised for real, and every request reaches
loopback through the standard `http_proxy` variable, never DNS. Pages answer ETag / Last-Modified and
conditional requests (304), and each portal may misbehave as its spec says (404, 500, 412, cookie
challenge, robots.txt disallow).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import time
from urllib.parse import parse_qsl, urlsplit

import yaml

from crawler.portalfarm.regional import RegionalSiteBuilder as SiteBuilder
from crawler.portalfarm.site import Resource, request_key
from crawler.portalfarm.spec import Agency, Portal, Report, bench_spec, demo_spec, regional_spec

__all__ = ["Agency", "Farm", "Portal", "Report", "bench_spec", "demo_spec", "regional_spec", "start_farm"]

CHALLENGE_PAGE = (
    b"<html><head><script>var ha='sha256',ct='8a7c';document.cookie='__jsl_clearance='+ct+';path=/';"
    b"location.href=location.pathname+location.search;</script></head><body></body></html>"
)


@dataclass
class Hit:
    host: str
    method: str
    target: str
    status: int
    bytes: int
    conditional: bool


class Farm:
    def __init__(self, spec: list[Portal], shared_documents: bool = False):
        shared_files: dict | None = {} if shared_documents else None
        self.portals = {p.host: p for p in spec}
        self.builders: dict[str, SiteBuilder] = {}
        self.sites: dict[str, dict[str, Resource]] = {}
        for index, portal in enumerate(spec):
            builder = SiteBuilder(portal, index, shared_files)
            self.sites[portal.host] = builder.build() if portal.behaviour == "ok" else {}
            if portal.behaviour != "ok":
                builder.source_url = {"generic": "/xxgk/gknb/list.html"}.get(
                    portal.family, "/zwgk/zfxxgknb/index.html"
                )
            self.builders[portal.host] = builder
        self.started = time() - 86400  # every page "last modified" a day before the farm started
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- what tests and the demo use -----------------------------------------------------

    @property
    def proxy_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """Environment for a crawl subprocess: everything goes through the farm, nothing bypasses it."""
        return {"http_proxy": self.proxy_url, "HTTP_PROXY": self.proxy_url, "no_proxy": "", "NO_PROXY": ""}

    def source_url(self, host: str) -> str:
        return f"http://{host}{self.builders[host].source_url}"

    def registry(self) -> dict:
        agencies = []
        for host, portal in self.portals.items():
            for agency in portal.agencies:
                source = self.source_url(host)
                agencies.append(
                    {
                        "id": agency.id,
                        "name": agency.name,
                        "aliases": agency.aliases,
                        "kind": agency.kind,
                        "region": "示范省/示范市",
                        "sources": [
                            {"url": source, "family": portal.family.split("-")[0]}
                            if portal.force_family
                            else source
                        ],
                    }
                )
        return {"agencies": agencies}

    def registry_yaml(self, path: str | None = None) -> str:
        text = yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False)
        if path:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def requests(self, host: str | None = None, contains: str | None = None) -> list[Hit]:
        with self._lock:
            return [
                h
                for h in self.hits
                if (host is None or h.host == host) and (contains is None or contains in h.target)
            ]

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()

    def revise(self, host: str, report_index: int) -> None:
        """Change one report's content (its cells), as a portal does when it silently revises a report."""
        builder = self.builders[host]
        report = self.portals[host].reports[report_index]
        unique = {id(r): r for r in self.sites[host].values()}.values()  # wap twins share one resource
        for resource in unique:
            spec = getattr(resource, "spec", None)
            if not spec or spec["report"] is not report:
                continue
            resource.version += 1
            revision = resource.version
            if "file" in spec:
                resource.body = lambda s=spec, r=revision: builder.report_file(report, s["file"], r)
            else:
                resource.body = lambda s=spec, r=revision: builder.report_page(report, s["style"], r)

    def prerender(self) -> None:
        """Render every document now, so a benchmark times the crawler, not the farm."""
        for site in self.sites.values():
            for resource in site.values():
                resource.data()

    def resource_count(self) -> int:
        return sum(len(site) for site in self.sites.values())

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # --- serving -------------------------------------------------------------------------

    def answer(self, host: str, method: str, target: str, headers, form: bytes) -> tuple[int, dict, bytes]:
        portal = self.portals.get(host)
        if portal is None:
            return 502, {"Content-Type": "text/plain"}, b"unknown host (the farm proxies its portals only)"
        path = urlsplit(target).path
        if path == "/robots.txt":
            rules = "Disallow: /" if portal.behaviour == "robots" else "Disallow: /admin/"
            return (
                200,
                {"Content-Type": "text/plain", "Last-Modified": formatdate(self.started, usegmt=True)},
                (f"User-agent: *\n{rules}\n".encode()),
            )
        behaviour = portal.behaviour
        if behaviour == "not_found":
            return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"
        if behaviour == "error500":
            return 500, {"Content-Type": "text/html"}, b"<html><body>500 Internal Server Error</body></html>"
        if behaviour in ("challenge412", "challenge521"):
            return int(behaviour[-3:]), {"Content-Type": "text/html"}, CHALLENGE_PAGE
        if behaviour == "cookie":
            return 200, {"Content-Type": "text/html"}, CHALLENGE_PAGE
        if method == "POST" and path.endswith("/dataproxy.jsp"):
            body = self.builders[host].post_answer(
                dict(parse_qsl(urlsplit(target).query)), dict(parse_qsl(form.decode()))
            )
            if body is not None:
                return 200, {"Content-Type": "text/xml; charset=utf-8"}, body
        dynamic = self.builders[host].dynamic.get(urlsplit(target).path)
        if dynamic is not None:
            resource = dynamic(dict(parse_qsl(urlsplit(target).query, keep_blank_values=True)))
        else:
            resource = self.sites[host].get(request_key(target))
        if resource is None:
            return 404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>"
        data = resource.data()
        etag = f'"{hashlib.sha1(data).hexdigest()[:16]}"'
        modified = formatdate(self.started + 3600 * resource.version, usegmt=True)
        out = {"Content-Type": resource.content_type, "ETag": etag, "Last-Modified": modified}
        if headers.get("If-None-Match") == etag or (
            not headers.get("If-None-Match") and headers.get("If-Modified-Since") == modified
        ):
            return 304, out, b""
        return resource.status, out, data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    farm: Farm

    def log_message(self, *args):  # quiet: the farm counts hits instead
        pass

    def _serve(self, method: str):
        target = self.path
        if target.startswith(("http://", "https://")):  # proxy form: GET http://host/path
            parts = urlsplit(target)
            host = parts.hostname or ""
            target = parts.path + ("?" + parts.query if parts.query else "")
        else:
            host = (self.headers.get("Host") or "").split(":")[0]
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length) if length else b""
        status, headers, body = self.farm.answer(host, method, target, self.headers, form)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        with self.farm._lock:
            self.farm.hits.append(Hit(host, method, target, status, len(body), conditional))

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_HEAD(self):
        self._serve("HEAD")


def start_farm(spec: list[Portal] | None = None, port: int = 0, *, shared_documents: bool = False) -> Farm:
    """Build the portals of `spec` (default: demo_spec()) and serve them on 127.0.0.1 in a thread.

    `shared_documents`: render each PDF/DOCX once per (seed, year) for all portals (benchmarks).
    """
    farm = Farm(spec if spec is not None else demo_spec(), shared_documents)
    handler = type("FarmHandler", (_Handler,), {"farm": farm})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    farm.server = server
    threading.Thread(target=server.serve_forever, name="portalfarm", daemon=True).start()
    return farm
