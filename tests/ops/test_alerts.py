"""Digest alerts delivered through Apprise to a real SMTP server and a real webhook on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from crawler.commands.alerts import alerts
from monitor.alerts import parse_config, send

NOW = datetime(2023, 4, 15, 8, 0, tzinfo=UTC)
ENV = {"HOOK_PASSWORD": "s3cret-hook-pw"}


def config(mailbox, webhook, **extra):
    return parse_config(
        {
            "datasette_url": "http://ds.example.org",
            "reminder_days": 7,
            "recipients": [
                {
                    "name": "chengde",
                    "region": "河北省/承德市",
                    "min_severity": "warning",
                    "channels": {"email": mailbox.url("gk@chengde.example.org")},
                },
                {
                    "name": "baoding",
                    "region": ["河北省/保定市"],
                    "min_severity": "error",
                    "channels": {
                        "hook": f"json://nianbao:${{HOOK_PASSWORD}}@127.0.0.1:{webhook.port}/baoding"
                    },
                },
                {"name": "ops", "operators": True, "channels": {"hook": webhook.url("ops")}},
            ],
            **extra,
        }
    )


def test_digest_routed_by_region_and_severity(finding, ops_db, mailbox, webhook):
    late = finding(
        ops_db, "cd-jyj", "late", "error", message="2022年度报告于2023-02-03发布，晚于截止日期2023-01-31"
    )
    finding(ops_db, "cd-gxq", "implausible", "warning", message="数值异常")
    finding(ops_db, "cd-gxq", "format.unreadable", "info", message="部分单元格无法读取")
    finding(ops_db, "bd-rsj", "missing", "error", message="未发现2022年度报告")
    finding(ops_db, "bd-rsj", "implausible", "warning", message="保定 warning")

    summary = send(ops_db, config(mailbox, webhook), db_name="watch", now=NOW, environ=ENV)

    assert summary["messages_sent"] == 2 and summary["messages_failed"] == 0
    [mail] = mailbox.messages
    assert mail["to"] == ["gk@chengde.example.org"]
    assert "2 new" in mail["subject"]
    body = mail["body"]
    assert "承德市教育局 (cd-jyj) 2022 late: 2022年度报告于2023-02-03发布" in body
    assert f"http://ds.example.org/watch/findings/{late}" in body
    assert "承德高新区管委会 (cd-gxq) 2022 implausible" in body  # region prefix covers sub-regions
    assert "format.unreadable" not in body  # below the recipient's minimum severity
    assert "bd-rsj" not in body
    [post] = [p for p in webhook.posts if p["path"] == "/baoding"]
    assert "bd-rsj" in post["message"] and "missing" in post["message"]
    assert "保定 warning" not in post["message"] and "cd-jyj" not in post["message"]
    assert post["auth"] and post["auth"].startswith("Basic ")  # the secret reached the channel...
    rows = list(ops_db.query("select * from alert_deliveries"))
    assert not any("s3cret" in str(value) for row in rows for value in row.values())  # ...and never the DB
    assert not [p for p in webhook.posts if p["path"] == "/ops"]  # no source problems: operators hear nothing


def test_second_send_sends_nothing_and_reminder_follows_cadence(finding, ops_db, mailbox, webhook):
    finding(ops_db, "cd-jyj", "late", "error")
    cfg = config(mailbox, webhook)
    send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)
    assert len(mailbox.messages) == 1

    again = send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=1), environ=ENV)
    assert again["messages_sent"] == 0 and len(mailbox.messages) == 1

    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=6, hours=23), environ=ENV)
    assert len(mailbox.messages) == 1  # not yet 7 days
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=7), environ=ENV)
    assert len(mailbox.messages) == 2
    assert "1 reminder" in mailbox.messages[1]["subject"] and "cd-jyj" in mailbox.messages[1]["body"]
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=8), environ=ENV)
    assert len(mailbox.messages) == 2  # the cadence counts from the reminder


def test_resolved_and_missing_that_became_late(finding, ops_db, mailbox, webhook):
    cfg = config(mailbox, webhook)
    finding(ops_db, "cd-jyj", "missing", "error", message="未发现2022年度报告")
    finding(ops_db, "cd-gxq", "implausible", "warning")
    send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)

    # the report turned up after the deadline: check resolves `missing` and opens `late`
    finding(ops_db, "cd-jyj", "missing", "error", status="resolved")
    finding(ops_db, "cd-jyj", "late", "error", message="晚于截止日期发布")
    finding(ops_db, "cd-gxq", "implausible", "warning", status="resolved")
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=1), environ=ENV)

    second = mailbox.messages[1]
    assert "1 escalated" in second["subject"] and "2 resolved" in second["subject"]
    escalated = second["body"].split("升级 Escalated")[1].split("已解决 Resolved")[0]
    assert "cd-jyj" in escalated and "late" in escalated and "earlier reported missing" in escalated
    resolved = second["body"].split("已解决 Resolved")[1]
    assert "cd-gxq" in resolved and "cd-jyj" in resolved
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(days=2), environ=ENV)
    assert len(mailbox.messages) == 2


def test_severity_escalation_is_told_once(finding, ops_db, mailbox, webhook):
    cfg = config(mailbox, webhook)
    finding(ops_db, "cd-jyj", "late", "warning")
    send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)
    finding(ops_db, "cd-jyj", "late", "error")
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=1), environ=ENV)
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=2), environ=ENV)
    assert len(mailbox.messages) == 2 and "1 escalated" in mailbox.messages[1]["subject"]


def test_outage_keeps_alerts_pending_until_the_channel_is_back(finding, ops_db, mailbox, webhook):
    cfg = config(mailbox, webhook)
    mailbox.stop()
    finding(ops_db, "cd-jyj", "late", "error")
    down = send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)
    assert down["messages_failed"] == 1 and down["items_pending"] == 1
    [row] = ops_db.query("select * from alert_deliveries where recipient = 'chengde'")
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]

    finding(ops_db, "cd-gxq", "implausible", "warning")  # more happens while the channel is down
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=1), environ=ENV)
    mailbox.start()
    back = send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=2), environ=ENV)
    assert back["messages_sent"] == 1 and back["items_sent"] == 2
    [mail] = mailbox.messages
    assert "cd-jyj" in mail["body"] and "cd-gxq" in mail["body"] and "2 new" in mail["subject"]
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=3), environ=ENV)
    assert len(mailbox.messages) == 1


def test_finding_resolved_before_delivery_is_not_announced(finding, ops_db, mailbox, webhook):
    cfg = config(mailbox, webhook)
    mailbox.stop()
    finding(ops_db, "cd-jyj", "late", "error")
    send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)
    finding(ops_db, "cd-jyj", "late", "error", status="resolved")
    mailbox.start()
    summary = send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=1), environ=ENV)
    assert summary["messages_sent"] == 0 and mailbox.messages == []


def test_operators_get_source_health_not_findings(finding, ops_db, mailbox, webhook):
    finding(ops_db, "cd-jyj", "late", "error")
    ops_db["sources"].insert_all(
        [
            {
                "url": "http://down.example.gov.cn/gknb/",
                "status": "unreachable",
                "detail": "connection refused",
                "last_crawled": "2023-04-15T01:00:00",
                "reports_found": 0,
            },
            {
                "url": "http://empty.example.gov.cn/gknb/",
                "status": "ok",
                "last_crawled": "2023-04-15T01:00:00",
                "reports_found": 0,
                "last_ok": "2023-04-15T01:00:00",
            },
            {
                "url": "http://fine.example.gov.cn/gknb/",
                "status": "ok",
                "last_crawled": "2023-04-15T01:00:00",
                "reports_found": 3,
            },
        ]
    )
    ops_db["reports"].insert(
        {
            "url": "http://empty.example.gov.cn/2021.html",
            "url_key": "empty/2021",
            "source_url": "http://empty.example.gov.cn/gknb/",
            "year": 2021,
        }
    )
    cfg = config(mailbox, webhook)
    send(ops_db, cfg, db_name="watch", now=NOW, environ=ENV)
    [ops] = [p for p in webhook.posts if p["path"] == "/ops"]
    assert "[unreachable] http://down.example.gov.cn/gknb/" in ops["message"]
    assert "connection refused" in ops["message"]
    assert "[empty] http://empty.example.gov.cn/gknb/" in ops["message"]
    assert "fine.example" not in ops["message"] and "cd-jyj" not in ops["message"]
    assert "down.example" not in mailbox.messages[0]["body"]

    ops_db["sources"].update("http://down.example.gov.cn/gknb/", {"status": "ok", "reports_found": 2})
    send(ops_db, cfg, db_name="watch", now=NOW + timedelta(hours=1), environ=ENV)
    recovered = [p for p in webhook.posts if p["path"] == "/ops"][1]["message"]
    assert "已解决 Resolved" in recovered and "down.example" in recovered and "empty.example" not in recovered


def test_cli_dry_run_changes_nothing_and_hides_secrets(finding, ops_db, mailbox, webhook, tmp_path):
    finding(ops_db, "bd-rsj", "missing", "error")
    cfg_file = tmp_path / "alerts.yml"
    cfg_file.write_text(
        "recipients:\n"
        "  - name: baoding\n"
        "    region: 河北省/保定市\n"
        "    channels:\n"
        f"      hook: json://nianbao:${{HOOK_PASSWORD}}@127.0.0.1:{webhook.port}/baoding\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["send", "--config", str(cfg_file), "--db", str(tmp_path / "watch.db")]
    dry = runner.invoke(alerts, [*args, "--dry-run"], env=ENV)
    assert dry.exit_code == 0, dry.output
    assert "would send to baoding/hook" in dry.output and "bd-rsj" in dry.output
    assert "s3cret" not in dry.output
    assert webhook.posts == [] and ops_db["alert_deliveries"].count == 0

    real = runner.invoke(alerts, args, env=ENV)
    assert real.exit_code == 0, real.output
    assert len(webhook.posts) == 1 and "s3cret" not in real.output

    unset = runner.invoke(alerts, args, env={"HOOK_PASSWORD": None})
    assert unset.exit_code == 0  # nothing new to send: the unset variable is never needed


def test_cli_missing_secret_keeps_pending_and_fails_in_one_line(finding, ops_db, webhook, tmp_path):
    finding(ops_db, "bd-rsj", "missing", "error")
    cfg_file = tmp_path / "alerts.yml"
    cfg_file.write_text(
        f'recipients:\n  - name: all\n    channels: ["json://u:${{NOPE_TOKEN}}@127.0.0.1:{webhook.port}/x"]\n'
    )
    result = CliRunner().invoke(
        alerts,
        ["send", "--config", str(cfg_file), "--db", str(tmp_path / "watch.db")],
        env={"NOPE_TOKEN": None},
    )
    assert result.exit_code == 1
    assert "NOPE_TOKEN is not set" in result.output and "Traceback" not in result.output
    assert [r["status"] for r in ops_db.query("select status from alert_deliveries")] == ["pending"]


def test_cli_bad_config_is_one_line(tmp_path):
    result = CliRunner().invoke(
        alerts, ["send", "--config", str(tmp_path / "none.yml"), "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 1 and "cannot read alerts config" in result.output


def test_long_digest_is_cut_with_a_count_and_a_link(finding, ops_db, mailbox, webhook):
    for n in range(5):
        finding(ops_db, "cd-jyj", "implausible", "warning", subject=f"cell{n}", message=f"异常{n}")
    send(ops_db, config(mailbox, webhook, max_lines=2), db_name="watch", now=NOW, environ=ENV)
    [mail] = mailbox.messages
    assert "新发现 New (5)" in mail["body"] and "异常1" in mail["body"] and "异常2" not in mail["body"]
    assert "… 3 more http://ds.example.org/watch/findings_detail?status=open" in mail["body"]
    assert ops_db["alert_deliveries"].count_where("status = 'sent'") == 5
