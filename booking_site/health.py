"""Health checks for a load balancer or monitor: `/healthz` and `/readyz`.

- `/healthz`: 200 while the process can answer at all. It asks nothing of
  the database, the cache or the diary, so a diary that is down never gets a
  healthy server restarted.
- `/readyz`: whether this server can take bookings now. It writes and reads
  back a key in the cache (confirmations, the once-only ledger and rate
  limits all live there) and asks the diary for its practitioners, through
  the site's one client, so the circuit breaker and the registered-IP rule
  apply exactly as for patients' pages: a server whose requests do not leave
  through the registered address is not ready, while its neighbours are.
  200 when both answer, 503 otherwise, with a short JSON body saying which
  failed and why (never the API URL or key). The answer is kept
  READINESS_CACHE_SECONDS in the worker's memory, and the diary's part
  READINESS_DIARY_SECONDS in the shared cache under this server's name: a
  load balancer asking every second costs the vendor's free API one call
  per server that often, however many workers answer it.

Both are answered by the `probes` middleware at the top of the chain, before
Django looks at the Host header or redirects to HTTPS: load balancers ask
over plain HTTP, by the server's IP address, which is not among
ALLOWED_HOSTS. Only these two exact paths skip those checks, and neither
builds a URL from the Host header. They are also routed in
booking_site/urls.py, where they would answer with the usual checks should
the middleware ever be taken out.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_safe

from bookings.client import get_client, why
from physiodiary import PhysiodiaryError, Reason, Rejected

logger = logging.getLogger(__name__)

HEALTHZ, READYZ = "/healthz", "/readyz"
PROBES = frozenset({HEALTHZ, READYZ})


@dataclass(frozen=True)
class Readiness:
    """What one check found: each part "ok" or what went wrong."""

    cache: str
    physiodiary: str
    checked_at: float  # time.monotonic()
    #: When the diary was asked (time.time(): it may be another worker's
    #: answer, shared through the cache for READINESS_DIARY_SECONDS).
    physiodiary_asked_at: float

    @property
    def ready(self) -> bool:
        return self.cache == self.physiodiary == "ok"


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    found = readiness()
    body = {
        "ready": found.ready,
        "cache": found.cache,
        "physiodiary": found.physiodiary,
        "checked_seconds_ago": round(time.monotonic() - found.checked_at, 1),
        "physiodiary_asked_seconds_ago": round(max(time.time() - found.physiodiary_asked_at, 0), 1),
    }
    response = JsonResponse(body, status=200 if found.ready else 503)
    # Django would log every 503 at ERROR ("Service Unavailable: /readyz"),
    # and mail it to ADMINS: once a second per load balancer while the
    # diary is down. readiness() logs each change of answer instead.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return _no_store(response)


def probes(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer /healthz and /readyz before the Host check and the HTTPS redirect."""
    views = {HEALTHZ: healthz, READYZ: readyz}

    def middleware(request: HttpRequest) -> HttpResponse:
        view = views.get(request.path_info)
        return get_response(request) if view is None else view(request)

    return middleware


_last: Readiness | None = None
# One check at a time per process: with threads, the others wait for it and
# share its answer rather than each asking the diary.
_lock = threading.Lock()


def readiness() -> Readiness:
    """The last check's findings if recent enough, otherwise a new check's."""
    global _last
    with _lock:
        keep = settings.READINESS_CACHE_SECONDS
        if _last is not None and time.monotonic() - _last.checked_at < keep:
            return _last
        cache_found = _check_cache()
        shared = cache_found == "ok" and settings.READINESS_DIARY_SECONDS > 0
        diary_found, asked_at = _check_diary_shared() if shared else _check_diary_now()
        found = Readiness(cache_found, diary_found, time.monotonic(), physiodiary_asked_at=asked_at)
        before = _last
        _last = found
    # Logged when the answer changes, not on every check.
    if before is None or (before.cache, before.physiodiary) != (found.cache, found.physiodiary):
        if not found.ready:
            logger.warning(
                "readiness: not ready: cache=%s physiodiary=%s", found.cache, found.physiodiary
            )
        elif before is not None:
            logger.info("readiness: ready again")
    return found


def forget() -> None:
    """Drop the kept answers, so the next /readyz checks again (for tests)."""
    global _last
    with _lock:
        _last = None
        # A cache that is down keeps nothing to forget.
        with contextlib.suppress(Exception):
            cache.delete(_DIARY_KEY)


#: The diary's part of the answer, shared by this server's workers: each
#: server's own, since each may leave for the diary by its own way.
#: (A new name when the kept value changes shape: servers of the last release
#: may still be writing the old one during a rolling deployment.)
_DIARY_KEY = f"readyz:physiodiary:v2:{socket.gethostname()}"


def _check_diary_shared() -> tuple[str, float]:
    """The diary's part and when it was asked: kept, if a worker of this server asked lately."""
    try:
        kept = cache.get(_DIARY_KEY)
    except Exception:
        kept = None
    if kept is None:
        kept = _check_diary_now()
        # The cache check just passed; a failure here costs only one more call.
        with contextlib.suppress(Exception):
            cache.set(_DIARY_KEY, kept, timeout=settings.READINESS_DIARY_SECONDS)
    return kept


def _check_diary_now() -> tuple[str, float]:
    return _check_diary(), time.time()


def _check_cache() -> str:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        # The exception's kind only: a cache's messages can name hosts and URLs.
        return f"failed: {type(exc).__name__}"
    return "ok" if read == value else "failed: a value written was not read back"


@sensitive_variables()  # the API key, in the client's frames, in error reports
def _check_diary() -> str:
    try:
        # The cheapest call there is: no fields, and a short answer.
        get_client().practitioners()
    except Rejected as exc:
        return "rejected: error " + ",".join(str(code) for code in exc.codes)
    except PhysiodiaryError as exc:
        if exc.reason == Reason.STATUS and exc.http_status:
            return f"status: HTTP {exc.http_status}"
        return f"{exc.reason}: {why(exc.reason)}"
    except Exception as exc:
        return f"failed: {type(exc).__name__}"
    return "ok"


def _no_store(response: HttpResponse) -> HttpResponse:
    # These skip the other middleware: the headers that matter here are ours.
    response["Cache-Control"] = "no-store"
    response["Content-Length"] = str(len(response.content))
    response["X-Content-Type-Options"] = "nosniff"
    return response
