"""The site's error pages: 400, 403, 404, 429, 500 and 503.

Each is styled like the rest of the site, gives the practice's phone and
email, and needs no call to the diary, so it can be shown when the diary is
the thing that failed. Django's handlers point here (booking_site/urls.py).
"""

from __future__ import annotations

import logging
import math

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, to_locale

from .embedding import new_tab_url

logger = logging.getLogger(__name__)


def page(
    request: HttpRequest, status: int, context: dict[str, object] | None = None
) -> HttpResponse:
    """The error page for `status`, rendered from `<status>.html`."""
    body = loader.render_to_string(f"{status}.html", context or {}, request=request)
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return page(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return page(request, 500)
    except Exception:
        logger.exception("the 500 page failed to render")
        return HttpResponseServerError(_plain_500())


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    """429, with how long to wait, in seconds for programs and minutes for people."""
    response = page(request, 429, {"wait_minutes": math.ceil(wait / 60)})
    response["Retry-After"] = str(wait)
    return response


def unavailable(request: HttpRequest, *, maybe_booked: bool = False) -> HttpResponse:
    """503: the diary (or the site's own cache) could not be reached, or gave nonsense.

    "Try again" asks for this same address: for a post, the details page the
    form was sent to, which a link can only GET (the details page itself keeps
    what was typed: its own "Try again" sends the form). Never after a booking
    may have been made: that page says to call before booking again.
    """
    retry_url = None if maybe_booked else new_tab_url(request)
    response = page(request, 503, {"maybe_booked": maybe_booked, "retry_url": retry_url})
    response["Retry-After"] = "60"
    # Its cause is logged already, by the client's line for each call or by
    # StoreDown; Django's own "Service Unavailable: /times/" at ERROR would
    # add one line (and one mail to ADMINS) per page view while it lasts.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _plain_500() -> str:
    """The last resort, should the 500 template itself fail to render: in the page's language."""
    # Not gettext inside f-strings: makemessages (xgettext) does not look in them.
    words = {
        "lang": to_locale(get_language() or "en-gb").replace("_", "-"),  # en-gb: en-GB
        "title": gettext("Something went wrong"),
        "heading": gettext("Sorry, something went wrong on our side"),
        "body": gettext("Please call the practice to book."),
    }
    return format_html(
        "<!doctype html><html lang='{lang}'><title>{title}</title><h1>{heading}</h1>"
        "<p>{body}</p></html>",
        **words,
    )
