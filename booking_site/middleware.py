"""Response headers Django has no setting for, pages compressed, the activity counts'
writing, and the 503 page when our own stores are down."""

import gzip
import logging
import secrets
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from bookings import activity, error_pages
from bookings.page_memo import Memo

logger = logging.getLogger(__name__)

#: What the shared cache (Redis) or the database raise when they do not answer.
STORE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError)
#: The view that books (bookings/urls.py), as `resolver_match.view_name` names it.
BOOKING_FORM = "bookings:details"


def permissions_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add `Permissions-Policy` (settings.PERMISSIONS_POLICY) to every response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


#: What every response says about being loaded by other sites' pages (as an
#: image, a script, a style sheet, a fetch): only by this site's own. Pages,
#: being documents, are framed or not by frame-ancestors alone.
RESOURCE_POLICY = "same-origin"


def resource_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add `Cross-Origin-Resource-Policy` to every response that has none of its own.

    A page of another site cannot then read or embed anything of ours (a
    confirmation, a times page, a style sheet) through a browser's side
    channels, Spectre among them. /embed.js says `cross-origin` itself:
    practices' pages load it. The confirmation email shows nothing of ours
    (plain text; its one link opens the page, which CORP never blocks).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", RESOURCE_POLICY)
        return response

    return middleware


def activity_counts(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Have a page's counts added to the cache once it has been sent, and the counts
    written to the database then, when due.

    Pages count in the shared cache (bookings/activity.py); any response, once
    sent, may write them, at most once a minute across servers.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        return activity.counting(get_response, request)

    return middleware


class StoreDown:
    """The 503 page, not a 500, when the site's own cache or database is down.

    The booking ledger, confirmations and rate limits live in the cache. A
    post of the details form that fails there may fail after the diary took
    the booking, so that page tells the patient not to book again. Any other
    post (a cancel request, the admin's sign-in) books nothing: its page says
    to try again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, STORE_DOWN):
            return None
        # The type only: a connection error's text can hold the store's URL.
        logger.error("the cache or database is unavailable: %s", type(exception).__name__)
        return error_pages.unavailable(request, maybe_booked=_books(request))


def _books(request: HttpRequest) -> bool:
    """Whether the request is the details form's post, which calls the diary's `book`."""
    match = request.resolver_match
    return request.method == "POST" and match is not None and match.view_name == BOOKING_FORM


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's, with the compression of a page served again unchanged kept by each worker.

    A warm times page is the same HTML (24 KB) for everyone who asks for it
    within seconds, and compressing it again was a quarter of a millisecond,
    a sixteenth of the page. A worker keeps the compressed bytes of the last
    KEPT pages it has served at least twice, under the HTML itself: only GETs
    answered 200 that any patient could be shown (`_keepable`). The random
    bytes Django puts in the gzip header of every page (`max_random_bytes`,
    its mitigation of BREACH) are drawn afresh for each response, as
    Django's own `compress_string` does: the bytes sent are the ones Django
    would send.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.streaming or not _keepable(request, response):
            return super().process_response(request, response)
        # As Django's, from here: small or encoded responses as they are.
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = _padded(_compressed(response.content), self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


#: Compressed pages each worker keeps, and the pages it has seen (by hash) to know
#: the second time: a page served once (a form with its token) is never kept.
KEPT = 16
_COMPRESSED = Memo(KEPT)
_SEEN = Memo(256)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a response may stay in a worker's memory: nothing of one patient's in it.

    A page marked no-store (a details form, a confirmation, a change link's page)
    and a move's pages (`change=<link>`: the appointment moved) never are.
    """
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and "change" not in request.GET
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


def _compressed(content: bytes) -> bytes:
    """`content` gzipped as Django does it, less the random bytes; kept from its second time."""
    kept = _COMPRESSED.get(content)
    if kept is not None:
        return kept
    compressed = compress_string(content)
    seen = hash(content)
    if _SEEN.get(seen):
        _COMPRESSED.put(content, compressed)
    else:
        _SEEN.put(seen, True)
    return compressed


def _padded(compressed: bytes, max_random_bytes: int) -> bytes:
    """`compressed` with the random file name Django's `compress_string` gives each response."""
    if not max_random_bytes:
        return compressed
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return bytes(header) + filename + compressed[10:]
