"""The booking inside an iframe on the practice's own website (see assets/embed.js).

Framing is refused everywhere (CSP `frame-ancestors 'none'`, `X-Frame-Options:
DENY`) except on the booking pages, which the origins in EMBED_ALLOWED_ORIGINS
may frame. Nothing here needs a cookie: browsers block them in third-party
frames, and every step carries its state in its URL or form.
"""

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path, gettext
from django.views.decorators.http import condition, require_safe

#: Never framed, whatever EMBED_ALLOWED_ORIGINS says: a framed admin or API
#: page could be used for clickjacking, and no embed has a reason to show one.
#: The admin (the practice's console) is at CONSOLE_PATH (`never_framed`).
NEVER_FRAMED = ("/sandbox/", "/preview/")


def never_framed() -> tuple[str, ...]:
    """The paths no frame may show: the console's (CONSOLE_PATH), and those above."""
    return (f"/{settings.CONSOLE_PATH}", *NEVER_FRAMED)


def _unprefixed(path: str) -> str:
    """`path` less its language prefix: /cy/preview/ is /preview/ in Welsh."""
    language = get_language_from_path(path)
    return path.removeprefix(f"/{language}") if language else path


def embedded(request: HttpRequest) -> bool:
    """Whether the browser is loading this page into a frame.

    Browsers say so in `Sec-Fetch-Dest` (Chrome 80, Firefox 90, Safari 16.4);
    for older ones booking.js finds out itself and shows the same things.
    """
    return request.headers.get("Sec-Fetch-Dest") in ("iframe", "frame")


def _framed_here(request: HttpRequest) -> bool:
    """Whether the browser says one of this site's own pages is framing this one."""
    return embedded(request) and request.headers.get("Sec-Fetch-Site") == "same-origin"


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
        if _unprefixed(request.path_info).startswith(never_framed()):
            return response
        origins = list(settings.EMBED_ALLOWED_ORIGINS)
        if _framed_here(request):
            # The console's embed code page previews the booking in a frame of
            # its own (console/views.py). 'self' lets only this site's pages
            # frame it: browsers check every ancestor.
            origins.insert(0, "'self'")
            patch_vary_headers(response, ["Sec-Fetch-Site"])
            if origins == ["'self'"]:
                response["X-Frame-Options"] = "SAMEORIGIN"  # for browsers before frame-ancestors
        if origins:
            # X-Frame-Options cannot name several sites; browsers obey
            # frame-ancestors instead wherever both are sent.
            response.xframe_options_exempt = True
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = origins
            response._csp_replace = replace
            # The same URL renders a little differently inside a frame.
            patch_vary_headers(response, ["Sec-Fetch-Dest"])
        return response

    return middleware


_SCRIPT = Path(__file__).resolve().parent / "assets" / "embed.js"

#: Where embed.js takes its table of languages (`language_table`).
PLACEHOLDER = "{/* languages */}"

#: A line of embed.js that is only a comment. The comments are for whoever edits it;
#: every visitor to a practice's page downloads it. (ES5 has no multi-line strings, so
#: such a line is never part of one.)
_COMMENT_LINE = re.compile(r"^[ \t]*//.*\n", re.MULTILINE)


def language_table(codes: Sequence[str], default: str) -> dict[str, object]:
    """embed.js's table: each language's words and address prefix, and the default's code.

    One script serves every language (practices paste one address), so it carries
    them all; the default's pages have no prefix (`i18n_patterns`, unprefixed).
    """
    table = {}
    for code in dict.fromkeys([default, *codes]):  # the default's words are the fallback
        with translation.override(code):
            table[code] = {
                "prefix": "" if code == default else f"/{code}",
                # Translators: the title of the frame that shows the booking on the
                # practice's own website; screen readers read it out.
                "title": gettext("Book an appointment"),
                # Translators: a link on the practice's own website, shown instead of the
                # booking when it cannot be shown there.
                "link": gettext("Open the booking page in a new tab"),
            }
    return {"default": default, "languages": table}


@cache
def _script(codes: tuple[str, ...], default: str) -> tuple[bytes, str]:
    source = _SCRIPT.read_text(encoding="utf-8")
    if source.count(PLACEHOLDER) != 1:
        raise ValueError(f"{_SCRIPT} must hold {PLACEHOLDER} once, where its languages go")
    # ASCII only (\u escapes): old browsers choke on U+2028 in a script.
    table = json.dumps(language_table(codes, default), sort_keys=True, separators=(",", ":"))
    body = _COMMENT_LINE.sub("", source).replace(PLACEHOLDER, table).encode()
    return body, hashlib.sha256(body).hexdigest()[:16]


def forget_script(*, setting: str, **kwargs: object) -> None:
    """Render embed.js again once the catalogues it reads its words from change.

    Kept per languages offered: a server's catalogues change only with a restart,
    but a test may give itself a catalogue (LOCALE_PATHS) with the same languages.
    """
    if setting == "LOCALE_PATHS":
        _script.cache_clear()


def _rendered() -> tuple[bytes, str]:
    """The script for the languages the site offers now, and its version."""
    codes = tuple(code for code, _name in settings.LANGUAGES)
    return _script(codes, settings.LANGUAGE_CODE)


def _version(request: HttpRequest) -> str:
    if settings.DEBUG:
        _script.cache_clear()  # edits (to the script or a catalogue) show at once
    return _rendered()[1]


@require_safe
@condition(etag_func=_version)  # a 304 for a copy still current, gzipped or not
def script(request: HttpRequest) -> HttpResponse:
    """/embed.js, at the fixed address practices paste into their pages."""
    response = HttpResponse(_rendered()[0], content_type="text/javascript; charset=utf-8")
    # Its URL never changes, so not "immutable": an hour, then a cheap 304.
    response["Cache-Control"] = "public, max-age=3600"
    # Loaded by other sites' pages, including ones that isolate themselves (COEP).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
