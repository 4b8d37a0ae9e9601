"""Writing and reading what nianbao knows. Functions take the `db` first; nothing hidden.

CONTRACT (shared by the crawler pipelines, `nianbao ingest` and the monitor). The signatures
below are fixed.

- Raw documents are files `<blob_dir>/<sha[:2]>/<sha>` (content-addressed, written atomically),
  described by a `documents` row.
- A report is one `reports` row identified by `url_key` (the normalised URL, or
  `ingest:<agency>/<year>` for a hand-ingested file without URL). Every distinct raw document
  seen for it is a `report_versions` row; `reports` and `cells` hold the current version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.parse.keys import TABLES, split_key

# Strongest first (DEADLINES.md §6); "given" (crawler/ingest evidence outside the document) is used
# only when the document itself shows no date.
PUBLISHED_PRIORITY = ("meta", "byline", "url", "signature", "given")
SOURCE_STATUSES = ("ok", "unreachable", "blocked", "not_found")
# Bulky keys kept on the reports row, not repeated in every stored version.
UNVERSIONED_KEYS = ("text",)
STORED_KINDS = ("report", "unknown")


@dataclass
class SavedReport:
    report_id: int
    version: int  # 1 on first capture; +1 each time the content changed
    created: bool  # a new report row
    changed: bool  # the raw document's content differs from the stored current version


# --- blobs --------------------------------------------------------------------------------


def blob_dir_for(db_path: str, configured: str = "") -> str:
    """Where raw documents are kept: `configured` if set, else `<db_path>.blobs` beside the database."""
    if configured:
        return configured
    return os.path.abspath(db_path) + ".blobs"


def blob_path(blob_dir: str, sha256: str) -> str:
    return os.path.join(blob_dir, sha256[:2], sha256)


def save_blob(blob_dir: str, data: bytes) -> str:
    """Store bytes content-addressed (`<dir>/<sha[:2]>/<sha>`), atomically; return the sha256 hex."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(blob_dir, sha)
    if os.path.exists(path):
        return sha
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    # A crash mid-write leaves only a temp file, never a truncated blob under the real name.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        # No fsync: the rename keeps a blob whole or absent, and an fsync per document made
        # storing cost more than parsing. A blob lost to a power cut is fetched again next crawl.
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return sha


def load_blob(blob_dir: str, sha256: str) -> bytes:
    with open(blob_path(blob_dir, sha256), "rb") as fh:
        return fh.read()


# --- URLs ---------------------------------------------------------------------------------

_WAP_TWIN = re.compile(r"_wap(\.s?html?)$", re.IGNORECASE)
_INDEX_PAGE = re.compile(r"/index\.(?:s?html?)$", re.IGNORECASE)
_DEFAULT_PORTS = {"80", "443"}


def normalise_url(url: str, *, listing: bool = False) -> str:
    """One key per report page: scheme and `www.` dropped, `_wap` twins, `index.html` folded.

    `http://www.x.gov.cn:80/a/index.html` and `https://x.gov.cn/a/` give `x.gov.cn/a`. Query
    parameters are sorted (Hanweb modules take them in either order). The fragment is dropped,
    except a gkmlpt category id (`#1234`) on a listing URL (`listing=True`), which selects the page.
    """
    url = url.strip()
    if "://" not in url and not url.startswith("//"):
        url = "//" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if _has_port(parts.netloc) else None
    if port is not None and str(port) not in _DEFAULT_PORTS:
        host = f"{host}:{port}"
    path = _WAP_TWIN.sub(r"\1", parts.path)
    path = _INDEX_PAGE.sub("/", path).rstrip("/")
    key = host + path
    if parts.query:
        key += "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    if listing and parts.fragment.isdigit():
        key += "#" + parts.fragment
    return key


def _has_port(netloc: str) -> bool:
    hostport = netloc.rsplit("@", 1)[-1]
    return bool(re.search(r":\d+$", hostport))


def report_key(url: str | None, agency_id: str | None, year: int | None, sha256: str) -> str:
    """The identity of a report: its page, or (for a file handed in) its agency and year."""
    if url:
        return normalise_url(url)
    if agency_id and year:
        return f"ingest:{agency_id}/{year}"
    return f"ingest:{agency_id or '?'}/sha256:{sha256}"


# --- transactions -------------------------------------------------------------------------


@contextlib.contextmanager
def write_transaction(db):
    """One transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A deferred transaction that reads first and writes later can fail with "database is locked"
    when a crawl and an ingest write together; an immediate one waits its turn (busy_timeout).
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


# --- reports ------------------------------------------------------------------------------


def save_report(
    db,
    report: dict,
    *,
    raw: bytes,
    blob_dir: str,
    seen_at: str,
    url: str | None = None,
    agency_id: str | None = None,
    source_url: str | None = None,
    listing_date: str | None = None,
    content_type: str | None = None,
    published: str | None = None,
    published_from: str | None = None,
    suspicious_host: bool | None = None,
) -> SavedReport:
    """Store one parsed report (the dict of crawler.parse.parse_bytes) and its raw bytes, in one transaction.

    `published`/`published_from` given here (crawler evidence such as a gkmlpt API date, or
    `ingest --published`, whose published_from is "given") override the parser's when the parser
    found weaker or no evidence. `agency_id` None means: match by name/aliases (match_agency).
    The report is identified by its normalised URL (or ingest:<agency>/<year> without URL);
    a changed document becomes a new version, the old one kept in report_versions.
    Raises ValueError for an `error` dict or a document that is not a report (the caller decides).
    """
    refuse_non_report(report)
    if url is None and _is_url(report.get("source")):
        url = report["source"]
    sha = save_blob(blob_dir, raw)
    with write_transaction(db):
        agency_id = agency_id or match_agency(db, report.get("agency"), report.get("title"))
        key = report_key(url, agency_id, report.get("year"), sha)
        _record_document(db, sha, raw, report, url, content_type, seen_at)
        row = _find_report(db, key, agency_id, report.get("year"), sha, url)
        date = best_published(
            (report.get("published"), report.get("published_from")),
            (published, (published_from or "given") if published else None),
        )
        context = {
            "url": url,
            "url_key": key,
            "agency_id": agency_id,
            "source_url": source_url,
            "listing_date": listing_date,
            "suspicious_host": None if suspicious_host is None else int(suspicious_host),
        }
        if row is None:
            return _insert_report(db, report, sha, seen_at, date, context)
        if row["sha256"] == sha:
            return _touch_report(db, row, seen_at, date, context)
        return _new_version(db, row, report, sha, seen_at, date, context)


def refuse_non_report(report: dict) -> None:
    """Refuse unreadable input and companions (解读, 通知, 函...); keep reports and `unknown` documents.

    `unknown` stays: the parser could not tell (a DOC it cannot open, a page without a title), the
    crawler's listing or the person ingesting says it is the report, and keeping its raw bytes lets
    `reparse` read it later. Its document_kind column says what the parser thought.
    """
    if "error" in report:
        raise ValueError(f"{report.get('source')}: {report['error']}")
    kind = report.get("document_kind") or "unknown"
    if kind not in STORED_KINDS:
        raise ValueError(f"{report.get('source')}: not a report ({kind})")


def best_published(*candidates: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """The (date, from) pair with the strongest evidence; (None, None) when no candidate has a date."""
    dated = [(d, f) for d, f in candidates if d]
    if not dated:
        return None, None
    return min(dated, key=lambda pair: _published_rank(pair[1]))


def _published_rank(source: str | None) -> int:
    return PUBLISHED_PRIORITY.index(source) if source in PUBLISHED_PRIORITY else len(PUBLISHED_PRIORITY)


def _is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _record_document(db, sha, raw, report, url, content_type, seen_at) -> None:
    container = report.get("container") or _detect_container(
        raw, url or report.get("source") or "", content_type
    )
    db.execute(
        "INSERT OR IGNORE INTO documents (sha256, size, container, content_type, path, first_seen)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [sha, len(raw), container, content_type, f"{sha[:2]}/{sha}", seen_at],
    )


def _detect_container(raw: bytes, source: str, content_type: str | None) -> str:
    from crawler.parse import detect_container

    return detect_container(raw, source, content_type)


def _find_report(db, key, agency_id, year, sha, url) -> dict | None:
    row = _one(db, "SELECT * FROM reports WHERE url_key = ?", [key])
    if row is None and url and agency_id and year:
        # A file ingested by hand before the crawler found its page: the same bytes, now with a URL.
        row = _one(
            db,
            "SELECT * FROM reports WHERE url_key = ? AND sha256 = ?",
            [f"ingest:{agency_id}/{year}", sha],
        )
    return row


def _one(db, sql: str, params) -> dict | None:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    found = cursor.fetchone()
    return dict(zip(names, found, strict=True)) if found else None


def _report_columns(report: dict, sha: str, date: tuple, context: dict) -> dict:
    return {
        "agency_id": context["agency_id"],
        "year": report.get("year"),
        "title": report.get("title"),
        "url": context["url"],
        "url_key": context["url_key"],
        "published": date[0],
        "published_from": date[1],
        "format": report.get("format"),
        "sha256": sha,
        "agency_name": report.get("agency"),
        "source_url": context["source_url"],
        "listing_date": context["listing_date"],
        "document_kind": report.get("document_kind") or "unknown",
        "sections": json.dumps(report.get("sections") or [], ensure_ascii=False),
        "problems": json.dumps(report.get("problems") or [], ensure_ascii=False),
        "dates": json.dumps(report.get("dates") or [], ensure_ascii=False),
        "suspicious_host": context["suspicious_host"],
        "text": report.get("text"),
        "section_text": json.dumps(report.get("section_text") or {}, ensure_ascii=False),
    }


def _insert_report(db, report, sha, seen_at, date, context) -> SavedReport:
    columns = _report_columns(report, sha, date, context)
    columns.update(first_seen=seen_at, last_seen=seen_at, version=1)
    report_id = _insert(db, "reports", columns)
    _insert_version(db, report_id, 1, sha, seen_at, report)
    _replace_cells(db, report_id, report)
    return SavedReport(report_id, 1, created=True, changed=True)


def _touch_report(db, row, seen_at, date, context) -> SavedReport:
    """Same bytes again: only what the capture adds (last_seen, stronger date, agency, listing facts)."""
    stored = (row["published"], row["published_from"])
    published, published_from = best_published(stored, date)
    updates = {
        "last_seen": seen_at,
        "published": published,
        "published_from": published_from,
        "agency_id": context["agency_id"] or row["agency_id"],
        "url": row["url"] or context["url"],
        "url_key": context["url_key"] if context["url"] else row["url_key"],
        "source_url": row["source_url"] or context["source_url"],
        "listing_date": row["listing_date"] or context["listing_date"],
    }
    if context["suspicious_host"] is not None:
        updates["suspicious_host"] = context["suspicious_host"]
    _update(db, "reports", row["id"], updates)
    return SavedReport(row["id"], row["version"], created=False, changed=False)


def _new_version(db, row, report, sha, seen_at, date, context) -> SavedReport:
    version = row["version"] + 1
    columns = _report_columns(report, sha, date, context)
    columns.update(last_seen=seen_at, version=version)
    for keep in ("agency_id", "source_url", "listing_date", "suspicious_host"):
        if columns[keep] is None:
            columns[keep] = row[keep]
    _update(db, "reports", row["id"], columns)
    _insert_version(db, row["id"], version, sha, seen_at, report)
    _replace_cells(db, row["id"], report)
    return SavedReport(row["id"], version, created=False, changed=True)


def _insert(db, table: str, columns: dict) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    return db.execute(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", list(columns.values())).lastrowid


def _update(db, table: str, row_id, columns: dict) -> None:
    assignments = ", ".join(f"[{name}] = ?" for name in columns)
    db.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*columns.values(), row_id])


def _insert_version(db, report_id, version, sha, seen_at, report) -> None:
    stored = {k: v for k, v in report.items() if k not in UNVERSIONED_KEYS}
    _insert(
        db,
        "report_versions",
        {
            "report_id": report_id,
            "version": version,
            "sha256": sha,
            "first_seen": seen_at,
            "report_json": json.dumps(stored, ensure_ascii=False),
        },
    )


def _replace_cells(db, report_id: int, report: dict) -> None:
    db.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
    rows = []
    for table in TABLES:
        for key, value in (report.get(table) or {}).items():
            row, col = split_key(table, key)
            rows.append((report_id, table, key, row, col, None if value is None else float(value)))
    db.conn.executemany(
        "INSERT INTO cells (report_id, tbl, key, row, col, value) VALUES (?, ?, ?, ?, ?, ?)", rows
    )


def current_report_json(db, report_id: int) -> dict | None:
    """The parsed report of the current version (INTERFACE §3 plus stored extras), with its `text`."""
    row = _one(
        db,
        "SELECT v.report_json, r.text FROM reports r JOIN report_versions v"
        " ON v.report_id = r.id AND v.version = r.version WHERE r.id = ?",
        [report_id],
    )
    if row is None:
        return None
    report = json.loads(row["report_json"])
    report["text"] = row["text"]
    return report


def reparse(db, blob_dir: str, report_id: int, *, seen_at: str | None = None) -> dict:
    """Parse the stored bytes of a report again with the current parser and store the result in place.

    The version does not change (same bytes); the current version's report_json, the cells and the
    parsed columns are replaced. Returns the new report dict; raises ValueError if the parser now
    refuses the document (nothing is changed then).
    """
    from crawler.parse import parse_bytes

    row = _one(db, "SELECT * FROM reports WHERE id = ?", [report_id])
    if row is None:
        raise ValueError(f"no report {report_id}")
    document = _one(db, "SELECT * FROM documents WHERE sha256 = ?", [row["sha256"]]) or {}
    raw = load_blob(blob_dir, row["sha256"])
    source = row["url"] or f"report-{report_id}"
    report = parse_bytes(raw, source, content_type=document.get("content_type"), url=row["url"])
    refuse_non_report(report)
    with write_transaction(db):
        given = (
            (row["published"], row["published_from"]) if row["published_from"] == "given" else (None, None)
        )
        date = best_published((report.get("published"), report.get("published_from")), given)
        context = {k: row[k] for k in ("url", "url_key", "agency_id", "source_url", "listing_date")}
        context["suspicious_host"] = row["suspicious_host"]
        _update(db, "reports", report_id, _report_columns(report, row["sha256"], date, context))
        stored = {k: v for k, v in report.items() if k not in UNVERSIONED_KEYS}
        db.execute(
            "UPDATE report_versions SET report_json = ? WHERE report_id = ? AND version = ?",
            [json.dumps(stored, ensure_ascii=False), report_id, row["version"]],
        )
        _replace_cells(db, report_id, report)
    return report


def known_report(db, url: str) -> dict | None:
    """The stored report at this URL (normalised), or None: lets the crawler skip known downloads."""
    return _one(db, "SELECT * FROM reports WHERE url_key = ?", [normalise_url(url)])


# --- agencies -----------------------------------------------------------------------------


def match_key(text: str) -> str:
    """How names are compared: NFKC (full-width brackets, digits) and no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def match_agency(db, *names: str | None) -> str | None:
    """The registry agency whose name or alias appears in the given titles/names (longest match wins).

    Order: a given text equal to an agency's name, then equal to an alias, then the longest name or
    alias contained in a given text. Two different agencies tied at any step give None: a report
    is never attributed by guess.
    """
    texts = [match_key(n) for n in names if n and n.strip()]
    if not texts or not db["agencies"].exists():
        return None
    by_name, by_alias = _agency_index(db)
    for index in (by_name, by_alias):
        exact = set().union(*(index.get(t, set()) for t in texts))
        if exact:
            return exact.pop() if len(exact) == 1 else None
    # The longest registered name or alias contained in a text: look up the text's substrings
    # (titles are short) instead of scanning every agency.
    best_len, winners = 0, set()
    for text in texts:
        for length in range(min(len(text), 64), 1, -1):
            if length < best_len:
                break
            for start in range(len(text) - length + 1):
                piece = text[start : start + length]
                found = by_name.get(piece, set()) | by_alias.get(piece, set())
                if found:
                    if length > best_len:
                        best_len, winners = length, set()
                    winners |= found
    return winners.pop() if len(winners) == 1 else None


_INDEX_CACHE: dict = {}


def _agency_index(db) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Match keys of names and aliases -> agency ids, rebuilt only when the registry changed."""
    state = db.execute("SELECT count(*), max(imported_at) FROM agencies").fetchone()
    cached = _INDEX_CACHE.get(id(db.conn))
    if cached and cached[0] == state:
        return cached[1]
    by_name: dict[str, set[str]] = {}
    by_alias: dict[str, set[str]] = {}
    for agency_id, name, aliases in db.execute("SELECT id, name, aliases FROM agencies"):
        by_name.setdefault(match_key(name), set()).add(agency_id)
        for alias in json.loads(aliases or "[]"):
            if alias and alias.strip():
                by_alias.setdefault(match_key(alias), set()).add(agency_id)
    _INDEX_CACHE.clear()  # one database at a time in practice; never grow without bound
    _INDEX_CACHE[id(db.conn)] = (state, (by_name, by_alias))
    return by_name, by_alias


# --- sources ------------------------------------------------------------------------------


def record_source(
    db,
    url: str,
    *,
    status: str,
    detail: str = "",
    crawled_at: str,
    family: str | None = None,
    reports_found: int | None = None,
) -> None:
    """Record one source's health after a crawl: ok | unreachable | blocked | not_found.

    `url` is the source as the registry writes it (the `sources` primary key). `family` and
    `reports_found` left None keep what is stored; `last_ok` moves only on an ok crawl.
    """
    if status not in SOURCE_STATUSES:
        raise ValueError(f"unknown source status {status!r} (expected one of {', '.join(SOURCE_STATUSES)})")
    with write_transaction(db):
        db.execute("INSERT OR IGNORE INTO sources (url) VALUES (?)", [url])
        db.execute(
            "UPDATE sources SET status = ?, detail = ?, last_crawled = ?,"
            " family = coalesce(?, family), reports_found = coalesce(?, reports_found),"
            " last_ok = CASE WHEN ? = 'ok' THEN ? ELSE last_ok END WHERE url = ?",
            [status, detail, crawled_at, family, reports_found, status, crawled_at, url],
        )
