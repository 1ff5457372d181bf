"""A requests transport that hands a request to the reference diary in-process.

When no live Physiodiary server is configured, this app offers the site's
glue a URL for the reference diary and this adapter to answer it
(`in_process_diary`, registered by sandbox/apps.py), and the site's client
mounts the adapter on that URL's origin. The client still builds a real POST
with a JSON body, and still reads a status code, headers and a JSON body
back: only the socket is skipped.

Why in-process rather than an HTTP call to ourselves: a web server with one
worker that calls its own address waits for a worker that can never come,
and would deadlock. Here the diary's view runs in the calling thread, so
there is nothing to wait for, whatever the worker count, and no second
process to start.

Two consequences of running in the caller's thread, both harmless for a
reference diary: a SANDBOX_LATENCY_MS above the read timeout still holds the
worker for the whole latency before the ReadTimeout is raised; and the
diary's writes share the caller's database connection, so a booking made
inside a transaction the caller rolls back is rolled back with it (the site
does not wrap requests in transactions).
"""

from __future__ import annotations

import io
import sys
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve, reverse
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from bookings.client import DefaultDiary

#: The reference diary sees in-process calls as coming from this address,
#: which its default SANDBOX_ALLOWED_IPS accepts.
IN_PROCESS_CLIENT_IP = "127.0.0.1"

#: Where the in-process reference diary answers. `.invalid` can never
#: resolve, so nothing can leave the process by mistake.
IN_PROCESS_ORIGIN = "http://reference-diary.invalid"

#: The URL patterns the in-process diary is found in (at the path the site
#: serves it at with SANDBOX_HTTP on).
IN_PROCESS_URLCONF = "sandbox.in_process_urls"


class InProcessDiaryAdapter(BaseAdapter):
    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        started = time.monotonic()
        status, headers, content = _answer(request)
        # Honour the read timeout, so SANDBOX_LATENCY_MS above it behaves as a
        # slow live server would: the client sees a ReadTimeout.
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if read_timeout is not None and time.monotonic() - started > read_timeout:
            raise requests.ReadTimeout(f"Read timed out. (read timeout={read_timeout})")
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = content
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.reason = {200: "OK", 404: "Not Found"}.get(status, "")
        return response

    def close(self) -> None:
        pass


def _answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
    """The reference diary's status, headers and body for a request, run in this thread."""
    from sandbox.views import api_request

    path = urlsplit(request.url or "").path
    try:
        # Its own URLconf, not the site's: the site routes the diary's HTTP
        # path only with SANDBOX_HTTP, and in-process it must answer without.
        match = resolve(path, urlconf=IN_PROCESS_URLCONF)
    except Resolver404:
        match = None
    if match is None or match.func is not api_request:
        return 404, {}, b""
    answer = match.func(WSGIRequest(_environ(request)), *match.args, **match.kwargs)
    return answer.status_code, dict(answer.items()), answer.content


def _environ(request: requests.PreparedRequest) -> dict[str, object]:
    """The WSGI environment a server would give the diary's view for this request."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    url = urlsplit(request.url or "")
    return {
        "REQUEST_METHOD": request.method or "GET",
        "PATH_INFO": url.path,
        "QUERY_STRING": url.query,
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": IN_PROCESS_CLIENT_IP,
        "SERVER_NAME": url.hostname or "reference-diary.invalid",
        "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def in_process_diary() -> DefaultDiary | None:
    """The reference diary, answering in-process; None where SANDBOX_ENABLED is off."""
    if not settings.SANDBOX_ENABLED:
        return None
    url = IN_PROCESS_ORIGIN + reverse("sandbox:api-request", urlconf=IN_PROCESS_URLCONF)
    return DefaultDiary(url, InProcessDiaryAdapter())
