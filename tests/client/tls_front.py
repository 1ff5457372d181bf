"""An HTTPS front for the reference diary, as the vendor's servers are HTTPS.

It terminates TLS with a certificate from a throwaway test CA (trustme) and
forwards each POST to the reference diary over plain HTTP.
"""

from __future__ import annotations

import http.client
import ssl
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import trustme
from django.urls import reverse

from .background import BackgroundServer


class TlsFront(BackgroundServer):
    def __init__(self, upstream_url: str, ca_file: Path) -> None:
        super().__init__(_FrontHandler)
        ca = trustme.CA()
        ca.cert_pem.write_to_path(str(ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self.ca_file = ca_file
        self.upstream = urlsplit(upstream_url)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    @property
    def url(self) -> str:
        return f"https://{self.authority}" + reverse("sandbox:api-request")


class _FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        upstream = self.server.owner.upstream  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            connection.request(
                "POST", self.path, body=body, headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        self.send_response(response.status)
        self.send_header("Content-Type", response.getheader("Content-Type") or "text/html")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass
