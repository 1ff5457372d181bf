"""The site's one Physiodiary client, built from settings.

- `get_client()`: the process's client, built on first use; `reset_client()`
  forgets it (bookings/apps.py does so when a PHYSIODIARY_ setting changes).
- `build_client()`: a new client from the current settings.
- `register_default_diary()`: how a diary that answers without a live server
  plugs in. With no PHYSIODIARY_API_URL the site has no diary of its own: the
  reference diary (sandbox/apps.py) registers itself here, and gives the URL
  to call and the transport that answers it in-process.
- `why(reason)`: a failed call's reason in plain words, naming this site's
  settings, for /readyz and `manage.py physiodiary_check`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import BaseAdapter

from physiodiary import CircuitBreaker, PhysiodiaryClient, Reason, describe

#: The client's log lines (one per call, and the circuit breaker's) keep the
#: logger name they had when the client lived in `bookings`: operators'
#: searches and the deployment guide's examples name it.
LOGGER = logging.getLogger("bookings.physiodiary")


@dataclass(frozen=True)
class DefaultDiary:
    """A diary the site may use when no PHYSIODIARY_API_URL is set."""

    url: str
    #: Mounted on the URL's origin: every call to it goes here, not to the network.
    transport: BaseAdapter


_default_diary: Callable[[], DefaultDiary | None] | None = None


def register_default_diary(provide: Callable[[], DefaultDiary | None]) -> None:
    """Offer a diary for a site with no PHYSIODIARY_API_URL.

    `provide` is asked each time a client is built, and gives None when its
    diary is switched off.
    """
    global _default_diary
    _default_diary = provide


_client: PhysiodiaryClient | None = None
_client_lock = threading.Lock()


def get_client() -> PhysiodiaryClient:
    """The process's client, built from settings on first use."""
    global _client
    with _client_lock:
        if _client is None:
            _client = build_client()
        return _client


def reset_client() -> None:
    """Forget the client, so the next call builds one from current settings."""
    global _client
    with _client_lock:
        if _client is not None:
            _client.session.close()
        _client = None


def build_client() -> PhysiodiaryClient:
    """A new client built from the current settings."""
    url = settings.PHYSIODIARY_API_URL
    default = None if url else _default_diary_or_fail()
    client = PhysiodiaryClient(
        default.url if default is not None else url,
        settings.PHYSIODIARY_API_KEY,
        connect_timeout=settings.PHYSIODIARY_CONNECT_TIMEOUT,
        read_timeout=settings.PHYSIODIARY_READ_TIMEOUT,
        # An in-process diary is not reached through the network, nor its proxy.
        proxy=settings.PHYSIODIARY_PROXY if url else "",
        read_retries=settings.PHYSIODIARY_READ_RETRIES,
        retry_backoff=settings.PHYSIODIARY_RETRY_BACKOFF,
        breaker=CircuitBreaker(
            settings.PHYSIODIARY_BREAKER_FAILURES,
            settings.PHYSIODIARY_BREAKER_SECONDS,
            logger=LOGGER,
        ),
        logger=LOGGER,
    )
    if default is not None:
        origin = urlsplit(default.url)
        client.session.mount(f"{origin.scheme}://{origin.netloc}/", default.transport)
    return client


def _default_diary_or_fail() -> DefaultDiary:
    default = _default_diary() if _default_diary is not None else None
    if default is None:
        raise ImproperlyConfigured(
            "PHYSIODIARY_API_URL is not set and no diary stands in for it: set it to the URL"
            " Physiodiary gave the practice, or run on the reference diary (the `sandbox`"
            " app, with SANDBOX_ENABLED on)."
        )
    return default


def why(reason: Reason) -> str:
    """`reason` in plain words, naming the setting to look at where there is one."""
    return describe(
        reason,
        read_timeout="PHYSIODIARY_READ_TIMEOUT",
        proxy="the proxy in PHYSIODIARY_PROXY",
    )
