"""Downloader middleware: recognise anti-bot challenges (PORTALS.md §7) and refuse them.

A 521 (加速乐-style), a 412 (瑞数-style) or a tiny 200 page whose script computes a cookie and
reloads is a challenge. The request fails with ChallengeBlocked, so the source is recorded as
`blocked` with the status and a short detail. The script is never run, cookies are never replayed.
"""

from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest

CHALLENGE_STATUSES = {412: "瑞数-style challenge", 521: "加速乐-style challenge"}
# Real pages are larger than this; challenge pages are a script and little else.
CHALLENGE_MAX_BYTES = 8 * 1024
_COOKIE_SCRIPT = re.compile(rb"document\.cookie\s*=", re.IGNORECASE)
_RELOAD = re.compile(rb"location(?:\.href|\.replace|\.reload|\s*=)", re.IGNORECASE)


class ChallengeBlocked(IgnoreRequest):
    """A JS challenge answered the request: recorded as `blocked`, never circumvented."""


def challenge_detail(status: int, body: bytes, content_type: str = "") -> str | None:
    """A short description when the response is an anti-bot challenge, else None."""
    if status in CHALLENGE_STATUSES:
        return f"HTTP {status} ({CHALLENGE_STATUSES[status]})"
    if status != 200 or len(body) > CHALLENGE_MAX_BYTES:
        return None
    if content_type and "html" not in content_type.lower():
        return None
    if b"<script" in body.lower() and _COOKIE_SCRIPT.search(body) and _RELOAD.search(body):
        visible = re.sub(rb"<script.*?</script>|<[^>]+>|\s+", b"", body, flags=re.S | re.I)
        if len(visible) < 200:
            return "JS cookie challenge page"
    return None


class ChallengeMiddleware:
    def process_response(self, request, response, spider=None):
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        detail = challenge_detail(response.status, response.body, content_type)
        if detail:
            raise ChallengeBlocked(detail)
        return response


_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=", re.IGNORECASE)


class CharsetMiddleware:
    """An HTML page that declares no charset and is not UTF-8 is read as GB18030 (a superset of GBK/GB2312).

    Scrapy would otherwise fall back to cp1252 and turn every Chinese title into mojibake.
    """

    def process_response(self, request, response, spider=None):
        from scrapy.http import HtmlResponse

        if not isinstance(response, HtmlResponse):
            return response
        content_type = (response.headers.get("Content-Type") or b"").lower()
        if b"charset=" in content_type or _DECLARED_CHARSET.search(response.body[:4096]):
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            return response.replace(encoding="gb18030")
        return response
