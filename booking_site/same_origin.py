"""Posts from this site's own pages only.

The details form carries a signed token in place of a CSRF cookie (the site
runs in practices' frames, where browsers block third-party cookies), and
that token is tied to a time, not to a browser: any page on any site could
fetch one and post a booking through its visitors' browsers. Browsers say
where a request comes from, so every request that could change something is
refused, with the 403 page and before any view (or the diary) sees it, when:

- `Sec-Fetch-Site` is `cross-site` or `same-site` (another site's page, or a
  sibling subdomain's, made the browser send it), or
- `Origin` is there and is not this site's own origin, `scheme://host[:port]`
  as this request sees it (`Origin: null`, an opaque origin, is not ours).

A form in the booking's own frame on the practice's page is same-origin (the
frame's page is ours), so it passes. So does a client that sends neither
header: a program, such as a server calling the reference diary's API, and
a browser too old to say (Firefox sends `Origin` on every POST since version
70, of 2019; Chrome and Safari long before), which this cannot protect and
need not lock out.

Behind a proxy that ends TLS the site must know it was reached over HTTPS
(`DJANGO_SECURE_PROXY_SSL_HEADER`), or it would compare `https://` origins
with its own `http://` one and refuse every form: `check --deploy` says so
(booking_site.E001, bookings/checks.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from bookings import error_pages

from .request_log import loggable_path

logger = logging.getLogger(__name__)

#: Methods that change nothing (RFC 9110's safe methods): never refused here.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: What `Sec-Fetch-Site` says of a request another site's page made the browser send.
OTHER_SITES = frozenset({"cross-site", "same-site"})
#: Browsers leave out a scheme's own port in an origin; a Host header may not.
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
#: An origin is short; anything longer is cut in the log line.
_LONGEST_LOGGED = 100


def same_origin(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuse, with the 403 page, an unsafe request that another site's page sent."""

    def middleware(request: HttpRequest) -> HttpResponse:
        why = from_elsewhere(request)
        if why is None:
            return get_response(request)
        # The method, the path and what the browser said; never the query
        # string or anything posted (the patient's details).
        logger.warning(
            "refused a request from another site: method=%s path=%s %s",
            quote(request.method or "-", safe="")[:16],
            loggable_path(request.path),
            why,
        )
        response = error_pages.forbidden(request)
        # Answered before the framing middleware: framed by no one, as the
        # CSP's frame-ancestors 'none' already says to newer browsers.
        response["X-Frame-Options"] = "DENY"
        # Django would add its own "Forbidden: /details/" line; ours says why.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    return middleware


def from_elsewhere(request: HttpRequest) -> str | None:
    """Why this request came from another site's page (for the log line), or None."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site in OTHER_SITES:
        return f"sec_fetch_site={fetch_site}"
    origin = request.headers.get("Origin")
    if origin is not None and _normalised(origin) != own_origin(request):
        return f"origin={_loggable(origin)}"
    return None


def own_origin(request: HttpRequest) -> str:
    """This site's origin as the request sees it: the scheme (the TLS proxy's,
    with SECURE_PROXY_SSL_HEADER) and the Host header, checked against ALLOWED_HOSTS."""
    return _normalised(f"{request.scheme}://{request.get_host()}")


def _normalised(origin: str) -> str:
    origin = origin.strip().lower()
    scheme = origin.partition("://")[0]
    port = _DEFAULT_PORTS.get(scheme)
    return origin.removesuffix(port) if port else origin


def _loggable(origin: str) -> str:
    # The header is whatever the client wrote: encoded, so it cannot forge a line.
    shown = quote(origin, safe=":/[].-_~")
    return shown if len(shown) <= _LONGEST_LOGGED else shown[:_LONGEST_LOGGED] + "…"
