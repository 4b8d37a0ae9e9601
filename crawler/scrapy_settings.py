"""The Scrapy settings of one crawl: settings.py plus the paths that belong to the database crawled."""

from __future__ import annotations

import os


def crawl_settings(db_path: str, overrides: dict | None = None) -> dict:
    import settings as app

    values = {name: getattr(app, name) for name in dir(app) if name.isupper()}
    values.update(
        NIANBAO_DB=os.path.abspath(db_path),
        HTTPCACHE_DIR=os.path.abspath(db_path) + ".httpcache",
    )
    values.update(overrides or {})
    return values
