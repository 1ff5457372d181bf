"""A tiny forwarding HTTP proxy that records what goes through it.

It stands in for the outbound proxy that lets several web servers reach the
diary from the one registered IP address. It handles the absolute-URI
requests a client sends to a plain-HTTP proxy ("POST http://host:port/path
HTTP/1.1"), forwards them with `http.client` and relays the answer; and the
CONNECT a client sends for an https:// URL, such as the vendor's, for which
it opens a tunnel and relays bytes it cannot read.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from .background import BackgroundServer

# Headers that concern one connection, not the request: never forwarded.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class RecordingProxy(BackgroundServer):
    """`request_lines` lists each request it forwarded."""

    def __init__(self) -> None:
        super().__init__(_ProxyHandler)
        self.request_lines: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.authority}"

    def record(self, line: str) -> None:
        with self._lock:
            self.request_lines.append(line)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.server.owner.record(self.requestline)  # type: ignore[attr-defined]
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if target.scheme != "http" or not target.hostname:
            self._answer(400, "Bad Request", [], b"")
            return
        path = target.path + (f"?{target.query}" if target.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        try:
            upstream.request("POST", path, body=body, headers=headers)
            response = upstream.getresponse()
            content = response.read()
        except OSError:
            self._answer(502, "Bad Gateway", [], b"")
            return
        finally:
            upstream.close()
        self._answer(response.status, response.reason, response.getheaders(), content)

    def do_CONNECT(self) -> None:
        self.server.owner.record(self.requestline)  # type: ignore[attr-defined]
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=30)
        except (OSError, ValueError):
            self._answer(502, "Bad Gateway", [], b"")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self._relay(self.connection, upstream)
        self.close_connection = True

    @staticmethod
    def _relay(client: socket.socket, upstream: socket.socket) -> None:
        with upstream:
            sockets = [client, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)

    def _answer(
        self, status: int, reason: str, headers: list[tuple[str, str]], content: bytes
    ) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP | {"content-length", "server", "date"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the recorder is the log
