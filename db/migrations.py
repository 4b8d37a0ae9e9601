"""Schema changes, one function each, applied in order by sqlite-utils' Migrations.

Never edit a migration after it has been released: add a new one at the end.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("nianbao")


@migrations()
def m001_core(db: Database) -> None:
    db["agencies"].create(
        {
            "id": str,  # registry id
            "name": str,
            "kind": str,  # department | government | township
            "region": str,  # 河北省/承德市
            "deadline": str,  # MM-DD in force (override or kind default)
            "deadline_override": str,  # MM-DD from the registry, or NULL
            "aliases": str,  # JSON list
            "imported_at": str,
        },
        pk="id",
        not_null={"name", "kind", "deadline"},
    )
    # Which agency is listed on which source: several agencies may share one listing page.
    db["agency_sources"].create(
        {"agency_id": str, "url": str, "family": str},
        pk=("agency_id", "url"),
        foreign_keys=[("agency_id", "agencies", "id")],
    )
    db["sources"].create(
        {
            "url": str,
            "family": str,  # trs | hanweb | gkmlpt | jpaas | anhui | generic (detected or forced)
            "last_crawled": str,  # ISO timestamp
            "status": str,  # ok | unreachable | blocked | not_found
            "detail": str,
            "reports_found": int,  # reports seen on this source in the last crawl
            "last_ok": str,  # last crawl that ended ok
        },
        pk="url",
    )
    # Raw documents live on disk, content-addressed by sha256; this table says what each one is.
    db["documents"].create(
        {
            "sha256": str,
            "size": int,
            "container": str,  # html | pdf | docx | doc | wps | text
            "content_type": str,
            "path": str,  # relative to the blob directory
            "first_seen": str,
        },
        pk="sha256",
    )
    # One row per report (identified by its normalised URL, or agency+year for hand-ingested
    # files without a URL); `sha256` is the current version. Older versions: report_versions.
    db["reports"].create(
        {
            "id": int,
            "agency_id": str,  # NULL when no registry agency matched
            "year": int,
            "title": str,
            "url": str,
            "url_key": str,  # normalised URL (or ingest:<agency>/<year>) identifying the report
            "published": str,  # ISO date or NULL
            "published_from": str,  # meta | byline | url | signature | given | NULL
            "first_seen": str,  # when nianbao first captured it (ISO timestamp)
            "last_seen": str,
            "format": str,  # 2019 | 2021 | NULL
            "sha256": str,
            "agency_name": str,  # the agency as the report names itself
            "source_url": str,  # the listing page it was found on
            "listing_date": str,  # the date printed next to the link on the listing, if any
            "document_kind": str,  # report | interpretation | notice | ... (companions are kept out)
            "sections": str,  # JSON list
            "problems": str,  # JSON list of {code, where, message}
            "dates": str,  # JSON list of every date evidence {date, from}
            "version": int,  # 1 for the first capture, +1 for each changed capture
            "suspicious_host": int,  # 1 when the host looks like a mirror (PORTALS.md §8)
            "text": str,  # full text, for search and the prose rules
            "section_text": str,  # JSON {section: text}
        },
        pk="id",
        foreign_keys=[("agency_id", "agencies", "id")],
    )
    db["reports"].create_index(["url_key"], unique=True)
    db["reports"].create_index(["agency_id", "year"])
    db["report_versions"].create(
        {
            "id": int,
            "report_id": int,
            "version": int,
            "sha256": str,
            "first_seen": str,
            "report_json": str,  # the parsed report of that version
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["report_versions"].create_index(["report_id", "version"], unique=True)
    # The parsed cells in long form: one row per (report, table, key), for faceting and rules.
    db["cells"].create(
        {
            "report_id": int,
            "tbl": str,  # active | requests | appeals
            "key": str,  # withheld.third_party.total
            "row": str,  # withheld.third_party
            "col": str,  # total
            "value": float,  # NULL when blank, missing or unreadable
        },
        pk=("report_id", "tbl", "key"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["findings"].create(
        {
            "id": int,
            "key": str,  # stable identity: rule|agency|year|subject
            "agency_id": str,
            "year": int,
            "rule": str,
            "subject": str,  # what the finding is about (a cell, a column, a report url)
            "severity": str,  # error | warning | info
            "message": str,
            "evidence": str,  # JSON
            "report_id": int,
            "report_url": str,
            "first_seen": str,
            "last_seen": str,
            "status": str,  # open | resolved | dismissed
            "resolved_at": str,
        },
        pk="id",
    )
    db["findings"].create_index(["key"], unique=True)
    db["findings"].create_index(["status", "rule"])
    db["findings"].create_index(["agency_id", "year"])
    # Every scheduled or manual cycle.
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "started": str,
            "ended": str,
            "outcome": str,  # ok | failed | interrupted
            "counts": str,  # JSON
            "detail": str,
        },
        pk="id",
    )


@migrations()
def m002_search(db: Database) -> None:
    # Trigram FTS works for Chinese, which has no spaces between words.
    db["reports"].enable_fts(["title", "agency_name", "text"], tokenize="trigram", create_triggers=True)


@migrations()
def m003_alerts_deliveries(db: Database) -> None:
    # One row per thing told (or to be told) to one recipient's channel: a finding or a source's health.
    # `pending` rows are retried every cycle until the channel accepts them, so an outage loses nothing;
    # `sent` rows are what de-duplication and reminder cadence are decided from.
    db["alert_deliveries"].create(
        {
            "id": int,
            "recipient": str,  # name in the alerts config
            "channel": str,  # channel name within the recipient (never the URL: it may hold secrets)
            "item": str,  # findings.key, or source:<url>
            "kind": str,  # finding | source
            "finding_id": int,
            "agency_id": str,
            "year": int,
            "rule": str,  # findings.rule, or the source's state
            "level": str,  # severity of the finding, or the source's status, when told
            "event": str,  # new | escalated | reminder | resolved
            "line": str,  # the digest line, as composed when the event was noticed
            "status": str,  # pending | sent | dropped
            "created": str,
            "sent_at": str,
            "attempts": int,
            "last_error": str,
        },
        pk="id",
    )
    db["alert_deliveries"].create_index(["recipient", "channel", "item"])
    db["alert_deliveries"].create_index(["status"])


@migrations()
def m004_ops_findings_view(db: Database) -> None:
    # Findings with their agency's name and region, for Datasette facets (region lives on agencies)
    # and for links to the stored original document (the report's sha256).
    db.create_view(
        "findings_detail",
        """
        select f.id, f.agency_id, a.name as agency_name,
          case when instr(a.region, '/') > 0 then substr(a.region, 1, instr(a.region, '/') - 1)
               else a.region end as province,
          a.region, a.kind, f.year, f.rule, f.severity, f.status, f.message, f.evidence,
          f.report_url, r.sha256 as document, f.first_seen, f.last_seen, f.resolved_at
        from findings f
        left join agencies a on a.id = f.agency_id
        left join reports r on r.id = f.report_id
        """,
    )


@migrations()
def m005_monitor_cache(db: Database) -> None:
    # What `check` remembers between runs so unchanged agencies cost almost nothing: per agency (or
    # unmatched report) and year, a fingerprint of everything its rules read and the findings they
    # produced; per report, the content digests `duplicate` compares.
    db["monitor_cache"].create(
        {"scope": str, "year": int, "fingerprint": str, "findings": str},
        pk=("scope", "year"),
    )
    db["monitor_digests"].create(
        {
            "report_id": int,
            "stamp": str,  # sha256|version the digests were computed from
            "year": int,
            "agency_id": str,
            "tables_digest": str,
            "prose_digest": str,
            "prose_chars": int,
        },
        pk="report_id",
    )
    db["reports"].create_index(["year", "agency_id"], if_not_exists=True)


@migrations()
def m006_crawl_fts_only_on_text_change(db: Database) -> None:
    # The update trigger of m002 re-indexed title, agency_name and text (tens of thousands of
    # trigrams) on every UPDATE of a report, even one that only moves last_seen when a crawl sees
    # the same document again. Same trigger, fired only when the row id or an indexed column
    # really changed.
    db.execute("DROP TRIGGER IF EXISTS [reports_au]")
    db.execute(
        """
        CREATE TRIGGER [reports_au] AFTER UPDATE OF [id], [title], [agency_name], [text] ON [reports]
        WHEN old.[id] IS NOT new.[id] OR old.[title] IS NOT new.[title]
          OR old.[agency_name] IS NOT new.[agency_name] OR old.[text] IS NOT new.[text]
        BEGIN
          INSERT INTO [reports_fts] ([reports_fts], rowid, [title], [agency_name], [text])
            VALUES ('delete', old.rowid, old.[title], old.[agency_name], old.[text]);
          INSERT INTO [reports_fts] (rowid, [title], [agency_name], [text])
            VALUES (new.rowid, new.[title], new.[agency_name], new.[text]);
        END
        """
    )
