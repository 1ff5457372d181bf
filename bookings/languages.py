"""The page in another language, and the first page in the browser's.

The language is in the URL (`/cy/times/…`; the default's unprefixed), never
in a cookie, so Back, Refresh, shared links and frames keep it. Every page
links to itself in each other offered language. Only `/`, reached from
elsewhere with no language named, follows the browser's Accept-Language: a
patient who then picks a language by its link is never sent back, since that
link names its language (`?lang=` for the default's unprefixed URLs) and any
later visit to `/` comes from this site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import get_language, get_language_from_request, to_language

#: The query parameter by which a link names the default language, whose URLs
#: have no prefix: `/?lang=en-gb` stays in English whatever the browser prefers.
NAMED = "lang"


@dataclass(frozen=True)
class Link:
    """A link to this page in another language, named in that language."""

    code: str
    name: str
    url: str


def links(request: HttpRequest) -> list[Link]:
    """This page in each other offered language, with the same choices (its query)."""
    current = get_language()
    others = [(code, name) for code, name in settings.LANGUAGES if code != current]
    if len(others) == len(settings.LANGUAGES):
        return []  # a page outside the booking (an error page for an unknown address)
    return [Link(code, name, url) for code, name in others if (url := url_in(request, code))]


def url_in(request: HttpRequest, code: str) -> str | None:
    """This page's path and query in language `code`, or None where it has no such page."""
    here = request.get_full_path()
    url = translate_url(here, code)
    if url == here:
        return None  # not a booking page: an unknown address, say
    if urlsplit(url).netloc or not url.startswith("/"):
        # `//evil.example/times/` reads as a host and a path: its 404 page must not
        # offer "Cymraeg" as a link to that host.
        return None
    if code != settings.LANGUAGE_CODE:
        return url
    # The default language's URL has no prefix: name it, so that `/` does not
    # follow a browser that prefers another.
    parts = urlsplit(url)
    query = [pair for pair in parts.query.split("&") if pair and not pair.startswith(NAMED + "=")]
    query.append(urlencode({NAMED: to_language(code)}))
    return f"{parts.path}?{'&'.join(query)}"


def negotiated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a newcomer to `/` on to the offered language their browser prefers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if len(settings.LANGUAGES) == 1:
            return view(request, *args, **kwargs)
        preferred = _preferred(request)
        elsewhere = url_in(request, preferred) if preferred else None
        if elsewhere:
            response: HttpResponse = HttpResponseRedirect(elsewhere)
        else:
            response = view(request, *args, **kwargs)
        # The same URL answers by the browser's languages and where it came
        # from: no shared cache may keep one answer for everyone.
        patch_vary_headers(response, ["Accept-Language"])
        add_never_cache_headers(response)
        return response

    return wrapper


def _preferred(request: HttpRequest) -> str | None:
    """The browser's preferred offered language, where this request should follow it."""
    if get_language() != settings.LANGUAGE_CODE or NAMED in request.GET:
        return None  # the address names its language: a prefix or ?lang=
    if _from_this_site(request):
        return None  # a patient moving about the site keeps the language they are in
    # Accept-Language only: LocaleMiddleware's cookie is never set by this site.
    preferred = get_language_from_request(request)
    return preferred if preferred != get_language() else None


def _from_this_site(request: HttpRequest) -> bool:
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and referer.netloc == request.get_host()
