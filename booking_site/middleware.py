"""Response headers Django has no setting for, and the 503 page when our own stores are down."""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse

from bookings import error_pages

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
