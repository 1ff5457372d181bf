"""The booking inside an iframe on the practice's own website (see assets/embed.js).

Framing is refused everywhere (CSP `frame-ancestors 'none'`, `X-Frame-Options:
DENY`) except on the booking pages, which the origins in EMBED_ALLOWED_ORIGINS
may frame. Nothing here needs a cookie: browsers block them in third-party
frames, and every step carries its state in its URL or form.
"""

import hashlib
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition, require_safe

#: Never framed, whatever EMBED_ALLOWED_ORIGINS says: a framed admin or API
#: page could be used for clickjacking, and no embed has a reason to show one.
NEVER_FRAMED = ("/admin/", "/sandbox/", "/preview/")


def embedded(request: HttpRequest) -> bool:
    """Whether the browser is loading this page into a frame.

    Browsers say so in `Sec-Fetch-Dest` (Chrome 80, Firefox 90, Safari 16.4);
    for older ones booking.js finds out itself and shows the same things.
    """
    return request.headers.get("Sec-Fetch-Dest") in ("iframe", "frame")


#: Slashes, backslashes and white space at the start of a path: browsers read
#: `//host`, `/\host` and `///host` alike as another site's address.
_OFF_SITE_START = re.compile(r"^[/\\\s]+")


def new_tab_url(request: HttpRequest) -> str:
    """This page's path and query, for "Open in a new tab": always a path on this site.

    Not `request.get_full_path()` as it is: a request for `//evil.example/..`
    has that path, and a link to it would lead off the site.
    """
    return "/" + _OFF_SITE_START.sub("", request.get_full_path())


def framing(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Let the allowed origins frame the booking pages, and nothing else frame anything."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        origins = settings.EMBED_ALLOWED_ORIGINS
        if origins and not request.path_info.startswith(NEVER_FRAMED):
            # X-Frame-Options cannot name several sites; browsers obey
            # frame-ancestors instead wherever both are sent.
            response.xframe_options_exempt = True
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = list(origins)
            response._csp_replace = replace
            # The same URL renders a little differently inside a frame.
            patch_vary_headers(response, ["Sec-Fetch-Dest"])
        return response

    return middleware


_SCRIPT = Path(__file__).resolve().parent / "assets" / "embed.js"


@cache
def _script() -> tuple[bytes, str]:
    body = _SCRIPT.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


def _version(request: HttpRequest) -> str:
    if settings.DEBUG:
        _script.cache_clear()  # edits show at once while developing
    return _script()[1]


@require_safe
@condition(etag_func=_version)  # a 304 for a copy still current, gzipped or not
def script(request: HttpRequest) -> HttpResponse:
    """/embed.js, at the fixed address practices paste into their pages."""
    response = HttpResponse(_script()[0], content_type="text/javascript; charset=utf-8")
    # Its URL never changes, so not "immutable": an hour, then a cheap 304.
    response["Cache-Control"] = "public, max-age=3600"
    # Loaded by other sites' pages, including ones that isolate themselves (COEP).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
