"""gunicorn's own log lines hide what the site's hide: confirmation references, query strings.

gunicorn writes a request it refuses, before Django sees it, into its error
log with the whole request line; gunicorn.conf.py gives that log the site's
redaction filter (booking_site/logs.py).
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from .test_serving import served

REFERENCE = "Zq8Lr2Xc4Vb6Nm1Kj3Hg5Fd7Sa9Pw0Oe"  # as bookings.confirmations makes them
QUERY = "staffId=42230&sectionId=7323&date=20261207&time=1415"


def send_raw(base: str, request: bytes) -> bytes:
    """One request exactly as written, for what no HTTP library would send."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(request)
        return connection.recv(65536)


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_request_line_gunicorn_refuses_is_logged_without_reference_or_query(tmp_path, log_format):
    log = tmp_path / "gunicorn.log"
    site = {
        "DJANGO_DEBUG": "true",  # what gunicorn logs does not depend on the site's settings
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
    }
    # A byte no request target may hold (RFC 9112): refused, and quoted whole.
    line = f"GET /booked/{REFERENCE}/?{QUERY}\x7f HTTP/1.1".encode()
    with served(log, **site) as base:
        answer = send_raw(base, line + b"\r\nHost: localhost\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")

    text = log.read_text()
    assert REFERENCE not in text
    assert "staffId" not in text
    refused = [entry for entry in text.splitlines() if "Invalid request from ip=" in entry]
    assert len(refused) == 1, text  # gunicorn did log the request line...
    if log_format == "json":
        entry = json.loads(refused[0])
        assert (entry["logger"], entry["level"]) == ("gunicorn.error", "WARNING")
        refused = [entry["message"]]
    assert "GET /booked/…/?… HTTP/1.1" in refused[0]  # ...shortened as the site's lines are
