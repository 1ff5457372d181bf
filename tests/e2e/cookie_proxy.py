"""A reverse proxy that removes Set-Cookie from every response, as Safari does in third-party
frames.

It stands in front of the live server: the browser asks it for any page
(any method, body and headers, the Host header kept, so the site sees its
own address as the proxy's) and gets the site's answer back as it was,
redirects included, for the browser to follow itself, but with no cookie.
A proxy rather than Playwright's routing: Playwright does not route the
requests that follow a redirect (microsoft/playwright#2617), and its
`route.fetch` keeps the cookies in the browser context's jar.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler

from ..client.background import BackgroundServer
from ..client.proxy import HOP_BY_HOP


class CookieStrippingProxy(BackgroundServer):
    """`requests` lists each "METHOD /path" forwarded; `removed` each Set-Cookie value taken out."""

    def __init__(self, upstream: str) -> None:
        super().__init__(_Handler)
        self.upstream = upstream.removeprefix("http://").rstrip("/")
        self.requests: list[str] = []
        self.removed: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        # Another port on the same host name as the live server: the same
        # site to the browser, so as cross-site to the practice's page as it.
        return f"http://localhost:{self.authority.rpartition(':')[2]}"

    def record(self, request: str, removed: list[str]) -> None:
        with self._lock:
            self.requests.append(request)
            self.removed.extend(removed)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        owner: CookieStrippingProxy = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(owner.upstream, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            content = response.read()
        except OSError:
            self.send_error(502)
            return
        finally:
            upstream.close()
        kept, removed = [], []
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                removed.append(value)
            elif name.lower() not in HOP_BY_HOP | {"content-length", "server", "date"}:
                kept.append((name, value))
        owner.record(f"{self.command} {self.path}", removed)

        self.send_response(response.status, response.reason)
        for name, value in kept:
            self.send_header(name, value)
        if self.command == "HEAD":
            length = response.getheader("Content-Length")
        else:
            length = None if response.status in (204, 304) else str(len(content))
        if length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass  # `requests` is the log
