"""Settings: Scrapy's and the app's own. Every value can be overridden by an environment variable
of the same name (NIANBAO_* for ours), so deployments never edit code."""

from __future__ import annotations

import os


def _env(name: str, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


# --- the app ---------------------------------------------------------------------------
NIANBAO_DB = _env("NIANBAO_DB", "nianbao.db")
# Raw documents, content-addressed by sha256 (default: <db>.blobs next to the database).
NIANBAO_BLOB_DIR = _env("NIANBAO_BLOB_DIR", "")
# Documents larger than this are refused, not read into memory.
NIANBAO_MAX_DOCUMENT_BYTES = _env("NIANBAO_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024)
# Alert channels and routing (YAML); secrets come from environment variables only.
NIANBAO_ALERTS_CONFIG = _env("NIANBAO_ALERTS_CONFIG", "alerts.yml")
NIANBAO_SCHEDULE_CONFIG = _env("NIANBAO_SCHEDULE_CONFIG", "schedule.yml")
# Base URL of the Datasette instance, for links in alerts.
NIANBAO_DATASETTE_URL = _env("NIANBAO_DATASETTE_URL", "http://127.0.0.1:8001")
# Who we are, for the User-Agent.
NIANBAO_CONTACT_URL = _env("NIANBAO_CONTACT_URL", "https://example.org/nianbao")
# Re-download known reports published within this many days, to catch silent revisions.
NIANBAO_RECHECK_DAYS = _env("NIANBAO_RECHECK_DAYS", 60)
# Processes that parse documents during a crawl (0: parse in a thread of the crawl process).
NIANBAO_PARSE_WORKERS = _env("NIANBAO_PARSE_WORKERS", min(4, os.cpu_count() or 1))
# Hosts outside *.gov.cn that registry sources may use without a warning (comma-separated).
NIANBAO_ALLOWED_HOSTS = _env("NIANBAO_ALLOWED_HOSTS", "")

# --- Scrapy ----------------------------------------------------------------------------
BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
USER_AGENT = _env("USER_AGENT", f"nianbao/0.1 (+{NIANBAO_CONTACT_URL})")
ROBOTSTXT_OBEY = _env("ROBOTSTXT_OBEY", True)
AUTOTHROTTLE_ENABLED = _env("AUTOTHROTTLE_ENABLED", True)
AUTOTHROTTLE_START_DELAY = _env("AUTOTHROTTLE_START_DELAY", 1.0)
AUTOTHROTTLE_MAX_DELAY = _env("AUTOTHROTTLE_MAX_DELAY", 30.0)
AUTOTHROTTLE_TARGET_CONCURRENCY = _env("AUTOTHROTTLE_TARGET_CONCURRENCY", 1.0)
CONCURRENT_REQUESTS = _env("CONCURRENT_REQUESTS", 16)
CONCURRENT_REQUESTS_PER_DOMAIN = _env("CONCURRENT_REQUESTS_PER_DOMAIN", 2)
DOWNLOAD_TIMEOUT = _env("DOWNLOAD_TIMEOUT", 30)
# Our spiders yield few items per response; Scrapy's 100 concurrent item tasks per response cost CPU.
CONCURRENT_ITEMS = _env("CONCURRENT_ITEMS", 16)
DOWNLOAD_MAXSIZE = _env("DOWNLOAD_MAXSIZE", NIANBAO_MAX_DOCUMENT_BYTES)
DOWNLOAD_WARNSIZE = _env("DOWNLOAD_WARNSIZE", 10 * 1024 * 1024)
RETRY_ENABLED = True
RETRY_TIMES = _env("RETRY_TIMES", 2)
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = _env("LOG_LEVEL", "WARNING")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Our pipelines, each doing one thing, in order: validate -> keep raw bytes -> parse -> store.
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.KeepRawPipeline": 200,
    "crawler.pipelines.ParsePipeline": 300,
    "crawler.pipelines.StorePipeline": 400,
}
DOWNLOADER_MIDDLEWARES = {
    # After RetryMiddleware (550) in process_response order, so a challenge is never retried.
    "crawler.middlewares.ChallengeMiddleware": 560,
    # Before the spider sees it (process_response runs from high to low): undeclared GBK pages.
    "crawler.middlewares.CharsetMiddleware": 570,
    # Government intranets reach the internet through http_proxy / https_proxy / no_proxy.
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
}
HTTPPROXY_ENABLED = True
# Conditional requests: listing pages (and reports still being rechecked) are revalidated with
# If-None-Match / If-Modified-Since. The cache directory sits beside the database (set per crawl).
HTTPCACHE_ENABLED = _env("HTTPCACHE_ENABLED", True)
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_GZIP = True
