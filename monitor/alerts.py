"""Digest alerts: tell each recipient what is new, escalated or resolved since its last message.

Reads findings and sources, never changes them. What was told to whom lives in `alert_deliveries`:
a cycle first *plans* (adds `pending` rows for new events), then *sends* one digest per recipient
channel with every pending row of that channel; rows become `sent` only when Apprise accepted the
message, so a channel that is down gets the same items on a later cycle and nothing twice.

Config (YAML; secrets only as ${ENV_VAR}, expanded at send time, never stored or printed):

    datasette_url: https://nianbao.example.org   # links in messages (default: settings)
    reminder_days: 7                             # repeat still-open findings this often (0: never)
    max_lines: 200                               # per section of one message; the rest as a count + link
    recipients:
      - name: chengde
        region: 河北省/承德市          # prefix of agencies.region; a list is accepted; omit for all
        min_severity: warning          # info | warning | error
        channels:
          email: mailtos://${SMTP_USER}:${SMTP_PASSWORD}@smtp.example.org?to=gk@example.gov.cn
          dingtalk: dingtalk://${DINGTALK_TOKEN}/
      - name: operators
        operators: true                # crawler health (sources), not findings
        channels: {ops: json://127.0.0.1:8080/hook}
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
EVENT_TITLES = {
    "new": "新发现 New",
    "escalated": "升级 Escalated",
    "reminder": "仍未解决 Still open (reminder)",
    "resolved": "已解决 Resolved",
}
SOURCE_PROBLEMS = {"unreachable", "blocked", "not_found", "empty"}


class AlertsConfigError(Exception):
    """The alerts config cannot be used. One line, for users."""


@dataclass
class Recipient:
    name: str
    channels: dict[str, str]  # channel name -> Apprise URL template (with ${VARS})
    regions: list[str] = field(default_factory=list)
    min_severity: str = "warning"
    operators: bool = False

    def wants(self, finding: dict) -> bool:
        if SEVERITY_RANK.get(finding["severity"], 0) < SEVERITY_RANK[self.min_severity]:
            return False
        if not self.regions:
            return True
        region = finding.get("region") or ""
        return any(region.startswith(prefix) for prefix in self.regions)


@dataclass
class AlertsConfig:
    recipients: list[Recipient]
    reminder_days: int = 7
    datasette_url: str = ""
    max_lines: int = 200


def load_config(path: str, *, datasette_url: str = "") -> AlertsConfig:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise AlertsConfigError(f"cannot read alerts config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AlertsConfigError(
            f"alerts config {path} is not valid YAML: {str(exc).splitlines()[0]}"
        ) from None
    return parse_config(raw, datasette_url=datasette_url, where=path)


def parse_config(raw: dict, *, datasette_url: str = "", where: str = "alerts config") -> AlertsConfig:
    if not isinstance(raw, dict) or not isinstance(raw.get("recipients"), list):
        raise AlertsConfigError(f"{where}: needs a `recipients:` list")
    recipients, names = [], set()
    for i, entry in enumerate(raw["recipients"]):
        name = str(entry.get("name") or f"recipient{i + 1}") if isinstance(entry, dict) else None
        if name is None:
            raise AlertsConfigError(f"{where}: recipient {i + 1} is not a mapping")
        if name in names:
            raise AlertsConfigError(f"{where}: recipient name {name!r} used twice")
        names.add(name)
        channels = entry.get("channels") or entry.get("urls") or []
        if isinstance(channels, str):
            channels = [channels]
        if isinstance(channels, list):  # unnamed channels are named by scheme and position
            channels = {f"{url.split(':', 1)[0]}{j + 1}": url for j, url in enumerate(channels)}
        if not channels:
            raise AlertsConfigError(f"{where}: recipient {name!r} has no channels")
        severity = str(entry.get("min_severity", "warning"))
        if severity not in SEVERITY_RANK:
            raise AlertsConfigError(
                f"{where}: recipient {name!r}: min_severity must be info, warning or error"
            )
        regions = entry.get("region") or entry.get("regions") or []
        recipients.append(
            Recipient(
                name=name,
                channels={str(k): str(v) for k, v in channels.items()},
                regions=[regions] if isinstance(regions, str) else list(regions),
                min_severity=severity,
                operators=bool(entry.get("operators")),
            )
        )
    return AlertsConfig(
        recipients=recipients,
        reminder_days=int(raw.get("reminder_days", 7) or 0),
        datasette_url=str(raw.get("datasette_url") or datasette_url).rstrip("/"),
        max_lines=int(raw.get("max_lines", 200)),
    )


# --- what there is to tell -------------------------------------------------------------------


def _finding_items(db, db_name: str, datasette_url: str) -> list[dict]:
    """Open findings, and every finding someone was already told about (it may have been resolved)."""
    rows = db.query(
        """select f.*, a.name as agency_name, a.region from findings f
           left join agencies a on a.id = f.agency_id
           where f.status = 'open' or f.key in (select item from alert_deliveries where kind = 'finding')"""
    )
    items = []
    for f in rows:
        link = f"{datasette_url}/{db_name}/findings/{f['id']}" if datasette_url else ""
        who = f"{f['agency_name']} ({f['agency_id']})" if f["agency_name"] else str(f["agency_id"] or "?")
        line = f"[{f['severity']}] {who} {f['year']} {f['rule']}: {f['message']}"
        items.append(
            {
                **f,
                "item": f["key"],
                "kind": "finding",
                "level": f["severity"],
                "line": f"{line} {link}".rstrip(),
                "condition": f["status"],
            }
        )
    return items


def _source_items(db) -> list[dict]:
    """Each source's health: a problem while unreachable/blocked/gone, or empty where reports were found before."""
    rows = db.query(
        """select s.*, exists(select 1 from reports r where r.source_url = s.url) as had_reports
           from sources s"""
    )
    items = []
    for s in rows:
        state = s["status"] if s["status"] in SOURCE_PROBLEMS else "ok"
        if state == "ok" and s["reports_found"] == 0 and s["had_reports"]:
            state = "empty"
        detail = f" — {s['detail']}" if s["detail"] else ""
        line = f"[{state}] {s['url']} (last crawled {s['last_crawled']}, last ok {s['last_ok'] or 'never'}){detail}"
        items.append(
            {
                "item": f"source:{s['url']}",
                "kind": "source",
                "id": None,
                "agency_id": None,
                "year": None,
                "rule": state,
                "level": state,
                "severity": "warning",
                "line": line,
                "condition": "resolved" if state == "ok" else "open",
            }
        )
    return items


def _history(db, recipient: str, channel: str) -> tuple[dict[str, dict], dict[str, list[int]]]:
    """For this channel: the latest sent row of each item, and the ids of its pending rows."""
    rows = db.query(
        "select * from alert_deliveries where recipient = ? and channel = ? and status in ('sent', 'pending') "
        "order by id",
        [recipient, channel],
    )
    last_sent, pending = {}, {}
    for row in rows:
        if row["status"] == "sent":
            last_sent[row["item"]] = row
        else:
            pending.setdefault(row["item"], []).append(row["id"])
    return last_sent, pending


def _event_for(
    item: dict, last: dict | None, told_missing: set, now: datetime, reminder_days: int
) -> str | None:
    """The one thing to say about `item` now, or None. `last` is the latest row sent about it on this channel."""
    if item["condition"] == "dismissed":  # a person decided it is not a problem: nothing to announce
        return None
    if item["condition"] != "open":
        return "resolved" if last and last["event"] != "resolved" else None
    if last is None or last["event"] == "resolved":
        # A report that was missing and then appeared after the deadline: the same problem, worse.
        if item["rule"] == "late" and (item["agency_id"], item["year"]) in told_missing:
            return "escalated"
        return "new"
    if item["kind"] == "source" and item["level"] != last["level"]:
        return "new"
    if SEVERITY_RANK.get(item["level"], 0) > SEVERITY_RANK.get(last["level"], 0):
        return "escalated"
    if reminder_days and now - datetime.fromisoformat(last["sent_at"]) >= timedelta(days=reminder_days):
        return "reminder"
    return None


def plan(db, config: AlertsConfig, *, db_name: str, now: datetime) -> tuple[list[dict], list[int]]:
    """New delivery rows to add, and ids of pending rows no longer worth sending (resolved before delivery)."""
    findings = _finding_items(db, db_name, config.datasette_url)
    sources = _source_items(db)
    stamp = now.isoformat(timespec="seconds")
    new_rows, dropped = [], []
    for recipient in config.recipients:
        items = sources if recipient.operators else [f for f in findings if recipient.wants(f)]
        for channel in recipient.channels:
            last_sent, pending = _history(db, recipient.name, channel)
            told_missing = {(r["agency_id"], r["year"]) for r in last_sent.values() if r["rule"] == "missing"}
            for item in items:
                if item["item"] in pending:
                    if item["condition"] != "open":  # resolved before anyone heard of it: say nothing
                        dropped.extend(pending[item["item"]])
                    else:
                        continue
                event = _event_for(item, last_sent.get(item["item"]), told_missing, now, config.reminder_days)
                if event is None:
                    continue
                line = item["line"] + (
                    " (此前报告为未发布 earlier reported missing)"
                    if event == "escalated" and item["rule"] == "late"
                    else ""
                )
                new_rows.append(
                    {
                        "recipient": recipient.name,
                        "channel": channel,
                        "item": item["item"],
                        "kind": item["kind"],
                        "finding_id": item["id"],
                        "agency_id": item["agency_id"],
                        "year": item["year"],
                        "rule": item["rule"],
                        "level": item["level"],
                        "event": event,
                        "line": line,
                        "status": "pending",
                        "created": stamp,
                        "sent_at": None,
                        "attempts": 0,
                        "last_error": None,
                    }
                )
    return new_rows, dropped


# --- composing and sending -------------------------------------------------------------------


def compose(
    recipient: Recipient, rows: list[dict], *, max_lines: int = 200, more_url: str = ""
) -> tuple[str, str]:
    """(title, body) of one digest; a section longer than max_lines ends with a count (chat channels cap size)."""
    counts = {event: sum(1 for r in rows if r["event"] == event) for event in EVENT_TITLES}
    what = "数据源 sources" if recipient.operators else "年报监测 findings"
    title = f"nianbao {what}: " + ", ".join(f"{n} {event}" for event, n in counts.items() if n)
    parts = []
    for event, heading in EVENT_TITLES.items():
        lines = [f"- {r['line']}" for r in rows if r["event"] == event]
        if len(lines) > max_lines:
            lines[max_lines:] = [f"… {len(lines) - max_lines} more {more_url}".rstrip()]
        if lines:
            parts.append(f"{heading} ({sum(r['event'] == event for r in rows)})\n" + "\n".join(lines))
    scope = ", ".join(recipient.regions) or "all regions"
    footer = f"-- nianbao digest for {recipient.name} ({scope}; severity ≥ {recipient.min_severity})"
    return title, "\n\n".join(parts) + "\n\n" + footer


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_secrets(template: str, environ) -> str:
    """Fill ${VAR} from the environment; a missing variable is an error naming it (never its value)."""

    def value(match):
        if match.group(1) not in environ:
            raise AlertsConfigError(f"environment variable {match.group(1)} is not set")
        return environ[match.group(1)]

    return _VAR.sub(value, template)


def redacted(template: str, environ) -> str:
    """The channel URL as it may be printed: Apprise's privacy form, or the scheme alone."""
    import apprise

    try:
        plugin = apprise.Apprise.instantiate(expand_secrets(template, environ))
    except AlertsConfigError:
        plugin = None
    return plugin.url(privacy=True) if plugin else template.split(":", 1)[0] + "://****"


def _notify(url: str, title: str, body: str) -> str | None:
    """Send through Apprise; None on success, else a short reason (no URL, it may hold secrets)."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        return "Apprise does not understand this channel URL"
    try:
        ok = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    except Exception as exc:  # a plugin failing must not lose the pending rows
        return f"channel raised {type(exc).__name__}"
    return None if ok else "channel did not accept the message"


def send(
    db,
    config: AlertsConfig,
    *,
    db_name: str,
    now: datetime | None = None,
    environ=None,
    dry_run: bool = False,
    echo=None,
) -> dict:
    """One alerts cycle: plan new events, then send each channel's pending digest. Returns counts."""
    now = now or datetime.now(UTC)
    environ = os.environ if environ is None else environ
    echo = echo or (lambda line: None)
    new_rows, dropped = plan(db, config, db_name=db_name, now=now)
    if not dry_run:
        with db.conn:
            db["alert_deliveries"].insert_all(new_rows)
            for row_id in dropped:
                db["alert_deliveries"].update(row_id, {"status": "dropped"})
    more_url = f"{config.datasette_url}/{db_name}/findings_detail?status=open" if config.datasette_url else ""
    summary = {"messages_sent": 0, "messages_failed": 0, "items_sent": 0, "items_pending": 0}
    for recipient in config.recipients:
        for channel, template in recipient.channels.items():
            if dry_run:
                rows = [r for r in _pending(db, recipient.name, channel) if r["id"] not in dropped]
                rows += [r for r in new_rows if r["recipient"] == recipient.name and r["channel"] == channel]
            else:
                rows = _pending(db, recipient.name, channel)
            if not rows:
                continue
            title, body = compose(recipient, rows, max_lines=config.max_lines, more_url=more_url)
            target = f"{recipient.name}/{channel} ({redacted(template, environ)})"
            if dry_run:
                echo(f"would send to {target}: {title}\n{body}\n")
                summary["items_pending"] += len(rows)
                continue
            try:
                error = _notify(expand_secrets(template, environ), title, body)
            except AlertsConfigError as exc:
                error = str(exc)
            _record(db, rows, error, now)
            if error:
                echo(f"not delivered to {target}: {error}; {len(rows)} item(s) stay pending")
                summary["messages_failed"] += 1
                summary["items_pending"] += len(rows)
            else:
                echo(f"sent to {target}: {title}")
                summary["messages_sent"] += 1
                summary["items_sent"] += len(rows)
    return summary


def _pending(db, recipient: str, channel: str) -> list[dict]:
    return list(
        db.query(
            "select * from alert_deliveries where recipient = ? and channel = ? and status = 'pending' order by id",
            [recipient, channel],
        )
    )


def _record(db, rows: list[dict], error: str | None, now: datetime) -> None:
    status, sent_at = ("pending", None) if error else ("sent", now.isoformat(timespec="seconds"))
    with db.conn:
        db.conn.executemany(
            "update alert_deliveries set attempts = coalesce(attempts, 0) + 1, last_error = ?, status = ?,"
            " sent_at = ? where id = ?",
            [(error, status, sent_at, row["id"]) for row in rows],
        )


def summary_json(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False)
