"""One log line per request, and the request id every other line of it carries.

    request method=GET path=/times/ status=200 ms=12.3 id=3f2a9c0d5e6b7a81

The id comes from the proxy in front (`X-Request-ID`, e.g. nginx's
`$request_id`) when it looks sane, or is made here; it is sent back in the
response's `X-Request-ID` and is on every log line written while the request
is served (booking_site/logs.py), the Physiodiary client's included.

What the line leaves out, on purpose:

- the query string. It names only practitioners, rooms, dates and times,
  never a patient; but a practitioner and a time together can point at one
  patient's appointment, and the line is complete without it.
- the confirmation page's reference: `/booked/<reference>/` is logged as
  `/booked/…/`. The reference is the only key to that page, which shows who
  the appointment is with and when; logs are read by more people, and kept
  longer, than the page lives.
- a change or cancel link's id: `/change/<link>/cancel/` is logged as
  `/change/…/cancel/`, for the same reason: it opens the patient's appointment,
  name and contact details included, until the appointment is over. (A move
  carries it through the times and details pages as `change=…`, in the query
  string the line leaves out.)
- anything posted: the details form holds the patient's name, phone, email
  and reason for coming.

gunicorn's own access log is off (gunicorn.conf.py), so this is the only
request line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import quote

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from . import logs
from .health import PROBES

logger = logging.getLogger(__name__)

#: Characters a path keeps as they are; anything else (spaces, line breaks,
#: other scripts) is percent-encoded, so a crafted URL cannot forge a log line.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_LONGEST_PATH = 200


def request_log(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give the request an id, serve it, log one line, and send the id back."""

    def middleware(request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if logs.SANE_REQUEST_ID.fullmatch(incoming) else logs.new_request_id()
        # Kept until the response is finished (below), not only until it
        # leaves this middleware: Django logs a 4xx or 5xx ("Not Found: …")
        # after the middleware has returned, and that line is this request's.
        logs.request_id.set(rid)
        started = time.monotonic()
        response = get_response(request)
        response["X-Request-ID"] = rid
        # A load balancer asks every few seconds: its lines would drown the
        # patients'. /readyz logs a change of its answer itself.
        level = logging.DEBUG if request.path_info in PROBES else logging.INFO
        logger.log(
            level,
            "request method=%s path=%s status=%d ms=%.1f",
            quote(request.method or "-", safe="")[:16],
            loggable_path(request.path),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    return middleware


@receiver(request_finished)
def _forget_request_id(**kwargs: object) -> None:
    # The thread serves other requests next; lines between two are no one's.
    logs.request_id.set("-")


def loggable_path(path: str) -> str:
    """`path` as the request line shows it: encoded, shortened, references hidden."""
    shown = logs.redact(quote(path, safe=_PATH_SAFE))
    return shown if len(shown) <= _LONGEST_PATH else shown[:_LONGEST_PATH] + "…"
