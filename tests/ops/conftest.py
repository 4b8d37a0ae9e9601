"""Real receivers on loopback for the ops tests: an SMTP server (aiosmtpd) and an HTTP webhook."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from db import open_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An SMTP server that can be taken down and brought back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        body = msg.get_body(("plain",)).get_content()
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "body": body})
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=nianbao@example.org&to={to}"


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


class Webhook:
    """An HTTP server recording every JSON POST (Apprise json:// payloads) and its Authorization header."""

    def __init__(self):
        self.posts = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                hook.posts.append({"path": self.path, "auth": self.headers.get("Authorization"), **payload})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


AGENCIES = [
    {
        "id": "cd-jyj",
        "name": "承德市教育局",
        "kind": "department",
        "region": "河北省/承德市",
        "deadline": "01-31",
    },
    {
        "id": "cd-gxq",
        "name": "承德高新区管委会",
        "kind": "department",
        "region": "河北省/承德市/高新区",
        "deadline": "01-31",
    },
    {
        "id": "bd-rsj",
        "name": "保定市人社局",
        "kind": "department",
        "region": "河北省/保定市",
        "deadline": "01-31",
    },
]


def add_finding(db, agency_id, rule, severity="error", *, year=2022, status="open", message=None, subject=""):
    """A findings row as monitor.check writes it (stable key rule|agency|year|subject)."""
    key = f"{rule}|{agency_id}|{year}|{subject}"
    row = {
        "key": key,
        "agency_id": agency_id,
        "year": year,
        "rule": rule,
        "subject": subject,
        "severity": severity,
        "message": message or f"{agency_id} {year} {rule}",
        "evidence": "{}",
        "report_url": None,
        "first_seen": "2023-02-01T00:00:00",
        "last_seen": "2023-02-01T00:00:00",
        "status": status,
    }
    existing = list(db["findings"].rows_where("key = ?", [key]))
    if existing:
        db["findings"].update(existing[0]["id"], {"status": status, "severity": severity})
        return existing[0]["id"]
    return db["findings"].insert(row).last_pk


@pytest.fixture
def finding():
    return add_finding


@pytest.fixture
def ops_db(tmp_path):
    db = open_db(str(tmp_path / "watch.db"))
    db["agencies"].insert_all(AGENCIES)
    return db
