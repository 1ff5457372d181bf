"""What Django's error reports (the technical 500 page, the mail to ADMINS) may show.

Django hides a setting, a request header or an environment variable by its
name (API, TOKEN, KEY, SECRET, PASS, SIGNATURE, HTTP_COOKIE). A password
inside a URL has no such name: `PHYSIODIARY_PROXY=http://user:secret@proxy:3128`,
`CACHE_URL=redis://:secret@host:6379/1` and the `CACHES` location it becomes,
`DATABASE_URL` and `EMAIL_URL` (in the report's META under `runserver`, which
copies the whole environment into each request). `UrlPasswordFilter` hides
the password part of any URL in any value, as deep as dicts, lists and tuples
go, and keeps the rest (scheme, user, host, port), which is what a reader of
the report needs to see which server was meant.

A change or cancel link's id (`/change/<link>/`, and `change=<link>` in a
move's query or form) and a confirmation's reference (`/booked/<reference>/`)
are the only keys to a patient's pages, hidden in logs for that reason
(booking_site/logs.py). `CapabilityReporter` hides them in the report too:
its URL, request data, and each frame's variables (a view's `link`).

Settings: DEFAULT_EXCEPTION_REPORTER_FILTER = "booking_site.error_reports.UrlPasswordFilter",
DEFAULT_EXCEPTION_REPORTER = "booking_site.error_reports.CapabilityReporter".
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

#: `scheme://user:password@`: the password runs from the first colon after the
#: user to the last `@` before white space, since people write `@`, `/` and
#: `:` in passwords unescaped. Hiding too much (a port, a path with an `@` in
#: it) is the safe way to be wrong here.
_URL_PASSWORD = re.compile(r"(?P<start>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:)\S*(?=@)")


class UrlPasswordFilter(SafeExceptionReporterFilter):
    """Django's filter, and the password of any URL in a setting, a header or a variable hidden."""

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        # Django's own recursion into dicts, lists and tuples calls this
        # method again, so every string at any depth passes through here.
        return self._without_passwords(super().cleanse_setting(key, value))

    def cleanse_special_types(self, request: Any, value: Any) -> Any:
        # The local variables of each frame in the traceback: plain strings,
        # dicts, lists and tuples (a proxies dict, say) as settings are.
        # Not their subclasses (a QueryDict would lose its own masking).
        value = super().cleanse_special_types(request, value)
        if type(value) in (str, dict, list, tuple):
            return self.cleanse_setting("", value)
        return value

    def _without_passwords(self, value: Any) -> Any:
        if isinstance(value, str):
            return hide_url_passwords(value, self.cleansed_substitute)
        return value


def hide_url_passwords(text: str, substitute: str = "********************") -> str:
    """`text` with the password of every URL in it replaced by `substitute`."""
    return _URL_PASSWORD.sub(lambda match: match["start"] + substitute, text)


#: The URL's keyword arguments that are keys to a patient's pages (bookings/urls.py),
#: and the query or form field that carries a move's link.
CAPABILITIES = ("link", "reference")
MOVE_FIELD = "change"
HIDDEN = "…"


class CapabilityReporter(ExceptionReporter):
    """Django's report, with the request's change link or confirmation reference hidden."""

    def get_traceback_text(self) -> str:
        return self._hidden(super().get_traceback_text())

    def get_traceback_html(self) -> str:
        return self._hidden(super().get_traceback_html())

    def _hidden(self, report: str) -> str:
        for key in self._keys():
            report = report.replace(key, HIDDEN)
        return report

    def _keys(self) -> list[str]:
        request = self.request
        if request is None:
            return []
        match = getattr(request, "resolver_match", None)
        found = [match.kwargs.get(name) for name in CAPABILITIES] if match else []
        # A body that cannot be read (too big, say): the report still goes.
        with contextlib.suppress(Exception):
            found += [request.GET.get(MOVE_FIELD), request.POST.get(MOVE_FIELD)]
        # Long enough never to be a word of the report itself (a link is 43 characters).
        return [key for key in found if isinstance(key, str) and len(key) >= 16]
