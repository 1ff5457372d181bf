"""A reverse proxy that ends TLS in front of the site, as nginx or a load balancer does.

It listens with a certificate for 127.0.0.1 from a throwaway test CA
(trustme), and passes each request on to the site over plain HTTP as it came:
method, path and query, body, and the browser's headers (Host, Origin,
Sec-Fetch-Site among them), less the hop-by-hop ones. Like the nginx set-up
in docs/deploy.md it overwrites `X-Forwarded-Proto` with `https`, so a client
cannot claim a scheme, and appends the address it saw to `X-Forwarded-For`.
Answers come back as they are: a redirect is the browser's to follow.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import trustme

#: Headers about one connection, not the request (RFC 9110, 7.6.1).
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "proxy-authorization", "proxy-authenticate"}
)


class TlsProxy:
    """https://127.0.0.1:<port> in front of `upstream` (http://127.0.0.1:<port>)."""

    def __init__(self, upstream: str, ca_file: Path) -> None:
        ca = trustme.CA()
        ca.cert_pem.write_to_path(str(ca_file))
        self.ca_file = ca_file
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self.upstream = urlsplit(upstream)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Forward)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        """As a browser on the site's pages writes it in `Origin`."""
        host, port = self._server.server_address[:2]
        return f"https://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        proxy: TlsProxy = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers.pop("X-Forwarded-Proto", None)
        headers["X-Forwarded-Proto"] = "https"
        seen = self.client_address[0]
        before = headers.pop("X-Forwarded-For", "")
        headers["X-Forwarded-For"] = f"{before}, {seen}" if before else seen
        upstream = http.client.HTTPConnection(
            proxy.upstream.hostname, proxy.upstream.port, timeout=60
        )
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass
