"""The Scrapy settings of a crawl: settings.py plus what the crawler's own parts need.

To fold into settings.py later (lead): ITEM_PIPELINES, DOWNLOADER_MIDDLEWARES, HTTPCACHE_*, HTTPPROXY_ENABLED.
"""

from __future__ import annotations

import os

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


def crawl_settings(db_path: str, overrides: dict | None = None) -> dict:
    import settings as app

    values = {name: getattr(app, name) for name in dir(app) if name.isupper()}
    values.update(
        NIANBAO_DB=os.path.abspath(db_path),
        ITEM_PIPELINES=ITEM_PIPELINES,
        DOWNLOADER_MIDDLEWARES=DOWNLOADER_MIDDLEWARES,
        HTTPPROXY_ENABLED=True,
        # Conditional requests: listing pages (and reports still being rechecked) are sent with
        # Cache-Control: max-age=0, so the cache revalidates them with If-None-Match / If-Modified-Since.
        HTTPCACHE_ENABLED=True,
        HTTPCACHE_POLICY="scrapy.extensions.httpcache.RFC2616Policy",
        HTTPCACHE_STORAGE="scrapy.extensions.httpcache.FilesystemCacheStorage",
        HTTPCACHE_DIR=os.path.abspath(db_path) + ".httpcache",
        HTTPCACHE_GZIP=True,
        SPIDER_MODULES=["spiders"],
    )
    values.update(overrides or {})
    return values
