"""/preview/'s views: the index of every state, and each state's page.

Routed only with DEBUG on (booking_site/urls.py): nothing here checks it.
Each page is the state's real template inside templates/preview/page.html
(a banner and `noindex`), answered 200 whatever the real page's status, not
cached, not indexed.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from .contexts import html_part
from .origins import drawn_by
from .states import BY_SLUG, STATES, State, grouped


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A link to every state, by step."""
    context = {"preview_groups": grouped(), "theme_dir": settings.THEME_DIR}
    return _render(request, "preview/index.html", context, None)


# The details form posts back here, with no CSRF token (the real one's signed
# token stands in for it); what was typed is neither read nor kept.
@csrf_exempt
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """One state, rendered by its real template with sample data."""
    state = BY_SLUG.get(slug)
    if state is None:
        raise Http404("No such preview")
    return _render(_seen_as(request, state), state.template, state.build(request), state)


@require_safe
@xframe_options_sameorigin  # framed by the email's own preview page, and nothing else
def email_html(request: HttpRequest, slug: str) -> HttpResponse:
    """An email's HTML part on its own, as a mail program shows it: its logo as a data: address.

    Its inline styles are the email's own (mail programs drop style sheets), so
    this one response allows them; nothing else is loaded, nor any script run.
    """
    state = BY_SLUG.get(slug)
    html = html_part(state.message(request)) if state and state.message else None
    if html is None:
        raise Http404("No such email")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response._csp_replace = {  # type: ignore[attr-defined]
        "style-src": ["'unsafe-inline'"],
        "script-src": ["'none'"],
        "img-src": ["data:"],
        "frame-ancestors": ["'self'"],
    }
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def _seen_as(request: HttpRequest, state: State) -> HttpRequest:
    """The request as the state's real page would see it: another method, or framed.

    Context processors read the request, and win over the context given to render.
    """
    if not (state.method or state.framed):
        return request
    seen_as = copy.copy(request)
    seen_as.META = dict(request.META)
    if state.method:
        seen_as.method = state.method
    if state.framed:
        seen_as.META["HTTP_SEC_FETCH_DEST"] = "iframe"
    seen_as.__dict__.pop("headers", None)  # HttpRequest.headers is cached from META
    return seen_as


def _real_names(state: State) -> list[str]:
    """The real templates a state shows (the email's two, inside the preview's own page)."""
    return re.findall(r"[\w./-]+\.(?:html|txt)", state.shows)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], state: State | None
) -> HttpResponse:
    position = STATES.index(state) if state else -1
    context = {
        **context,
        "preview_template": template,
        "preview_state": state,
        "preview_previous": STATES[position - 1] if position > 0 else None,
        "preview_next": STATES[position + 1] if 0 <= position < len(STATES) - 1 else None,
        "preview_drawn": [drawn_by(name) for name in _real_names(state)] if state else [],
        "preview_theme_dir": settings.THEME_DIR,
    }
    response = render(request, "preview/page.html", context)
    if context.get("email_html_url"):
        # The email's HTML part, shown in a frame from this site (email_html).
        response._csp_update = {"frame-src": ["'self'"]}  # type: ignore[attr-defined]
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
