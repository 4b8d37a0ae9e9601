"""Crawl benchmark on a loopback farm of every family (crawler.portalfarm.bench_spec).

    python benchmarks/crawl_bench.py [--portals 1000] [--reports 16]

Prints, for the first crawl: pages/s and peak memory of the crawl process; the same farm crawled by a
bare Scrapy spider that only follows links (no parsing, no storing, no cache), as a ratio (goal >= 60%);
then a second crawl of the unchanged farm: requests and bytes as % of the first (goals <= 15% / <= 5%).
Throttling is off; each crawl runs in its own process. On a shared machine wall-clock figures swing
with the neighbours' load, so the CPU seconds of each crawl (its process and parse workers) are
printed too: they move much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "ERROR",
}


def bare_crawl(registry_urls_file: str) -> None:
    """A Scrapy spider that follows every same-host link and does nothing else (the baseline)."""
    from urllib.parse import urlsplit

    import scrapy
    from scrapy.crawler import CrawlerProcess

    with open(registry_urls_file, encoding="utf-8") as fh:
        urls = json.load(fh)

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = urls
        allowed_domains = sorted({urlsplit(u).hostname for u in urls})

        def parse(self, response):
            if not hasattr(response, "css"):
                return
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, callback=self.parse)

    process = CrawlerProcess({**FAST, "ROBOTSTXT_OBEY": True, "HTTPPROXY_ENABLED": True})
    process.crawl(Bare)
    process.start()


def peak_child_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def children_cpu() -> float:
    """CPU seconds of every finished child process and its own children (the parse workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=16)
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_crawl(args.bare)
        return

    from crawler.crawl import crawl_in_subprocess
    from crawler.portalfarm import bench_spec, start_farm

    started = time.time()
    farm = start_farm(bench_spec(args.portals, args.reports), shared_documents=True)
    farm.prerender()
    print(
        f"farm: {args.portals} portals, {farm.resource_count()} resources, built in {time.time() - started:.1f}s"
    )
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        registry = os.path.join(tmp, "registry.yml")
        farm.registry_yaml(registry)
        db_path = os.path.join(tmp, "bench.db")

        started, cpu = time.time(), children_cpu()
        first = crawl_in_subprocess(
            db_path, registry=registry, env=farm.env(), settings_overrides=FAST, quiet=True
        )
        first_seconds, first_cpu = time.time() - started, children_cpu() - cpu
        first_hits = farm.requests()
        first_mb = peak_child_mb()
        farm.reset_counts()

        urls_file = os.path.join(tmp, "urls.json")
        with open(urls_file, "w", encoding="utf-8") as fh:
            json.dump([farm.source_url(h).split("#")[0] for h in farm.portals], fh)
        started, cpu = time.time(), children_cpu()
        subprocess.run(
            [sys.executable, __file__, "--bare", urls_file],
            env={**os.environ, **farm.env()},
            check=True,
            stderr=subprocess.DEVNULL,
        )
        bare_seconds, bare_cpu = time.time() - started, children_cpu() - cpu
        bare_hits = farm.requests()
        farm.reset_counts()

        started = time.time()
        second = crawl_in_subprocess(
            db_path, env=farm.env(), settings_overrides=FAST, quiet=True, today="2030-01-01"
        )
        second_seconds = time.time() - started
        second_hits = farm.requests()
        peak_mb = peak_child_mb()
    farm.stop()

    def rate(hits, seconds):
        return len(hits) / seconds if seconds else 0.0

    ours, bare = rate(first_hits, first_seconds), rate(bare_hits, bare_seconds)
    first_bytes = sum(h.bytes for h in first_hits)
    second_bytes = sum(h.bytes for h in second_hits)
    print(
        f"first crawl: {len(first_hits)} requests, {first_bytes / 1e6:.1f} MB in {first_seconds:.1f}s "
        f"= {ours:.0f} pages/s; {first['totals']['new']} reports stored; "
        f"sources ok {first['totals']['ok']}/{first['totals']['sources']}"
    )
    print(
        f"bare link-following spider: {len(bare_hits)} requests in {bare_seconds:.1f}s = {bare:.0f} pages/s"
    )
    print(f"ratio ours/bare pages/s: {100 * ours / bare:.0f}% (goal >= 60%)")
    print(
        f"CPU: first crawl {first_cpu:.1f}s = {1000 * first_cpu / len(first_hits):.0f} ms/page (crawl process"
        f" and parse workers), bare {bare_cpu:.1f}s = {1000 * bare_cpu / len(bare_hits):.0f} ms/page"
    )
    print(
        f"peak memory of the crawl process: {first_mb:.0f} MB (goal < 400 MB; max over all crawls {peak_mb:.0f} MB)"
    )
    print(
        f"second crawl (unchanged): {len(second_hits)} requests = {100 * len(second_hits) / len(first_hits):.1f}% "
        f"(goal <= 15%), {second_bytes / 1e3:.0f} kB = {100 * second_bytes / first_bytes:.2f}% of bytes (goal <= 5%), "
        f"{second_seconds:.1f}s; {second['totals']['new']} new reports"
    )


if __name__ == "__main__":
    main()
