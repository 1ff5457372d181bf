"""A watch over the whole test run: the API key never leaves the server.

Every response Django produces (test client and live server alike) has its
headers and body searched for every API key the run uses, and so has every
log record. Any sighting fails the run at the end (see tests/conftest.py),
whichever test caused it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase


def keys() -> set[str]:
    """Every API key in play: the site's, the reference diary's, and the tests' own."""
    from .client.support import API_KEY
    from .support import LIVE_KEY

    found = {API_KEY, LIVE_KEY}
    # The client's own tests (tests/physiodiary) may run with no Django settings.
    if settings.configured:
        found |= {settings.PHYSIODIARY_API_KEY, settings.SANDBOX_API_KEY}
    return {key for key in found if key}


@dataclass
class KeyGuard:
    sightings: list[str] = field(default_factory=list)
    _original = None
    _handler: logging.Handler | None = None

    def inspect_response(self, response: HttpResponseBase, where: str) -> None:
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        body = b"" if response.streaming else response.content
        for key in keys():
            if key in headers:
                self.sightings.append(f"a header of the response to {where}")
            if key.encode() in body:
                self.sightings.append(f"the body of the response to {where}")

    def inspect_record(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text += "\n" + (record.exc_text or "") + "\n" + (record.stack_info or "")
        for key in keys():
            if key in text:
                self.sightings.append(f"a log line of {record.name}: {record.msg!r}")

    def install(self) -> None:
        guard = self
        original = BaseHandler.get_response

        def get_response(handler: BaseHandler, request: HttpRequest) -> HttpResponseBase:
            response = original(handler, request)
            guard.inspect_response(response, f"{request.method} {request.path}")
            return response

        self._original = original
        BaseHandler.get_response = get_response

        class Watch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                guard.inspect_record(record)

        self._handler = Watch(level=logging.DEBUG)
        logging.getLogger().addHandler(self._handler)

    def uninstall(self) -> None:
        if self._original is not None:
            BaseHandler.get_response = self._original
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)


guard = KeyGuard()
