"""The reference diary's WSGI application with every API call it answers written down.

For the benchmarks (bench/diary_counter.py) and the deployment tests
(tests/deploy/counted_diary.py), which run the diary in a gunicorn of its
own and need to know which calls it answered. For each POST to the API, one
line is appended to a file; what the line says is the caller's choice.

Only the action is read from the body, and for a freeList the practitioner's
and room's ids (`staff`, `section`: the benchmarks see which pair the diary
was asked about), never anything else: the body holds the API key and, for a
booking, a patient's details. The line is written after the view has run
and before the answer leaves, so whoever holds a page finds every call that
page cost. One write(2) on an O_APPEND file, so the workers and threads of
one gunicorn can share the file.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from booking_site.wsgi import application as site_application

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Call:
    """One API call the diary answered."""

    action: str  # one word: "?" when the body did not name one
    status: str  # the HTTP status code, or "-"
    client: str  # REMOTE_ADDR
    ms: float  # time in the diary's view
    started: float = 0.0  # when it came in: time.time(), comparable with another process's
    staff: str = "-"  # a freeList's staffId (digits), else "-"
    section: str = "-"  # a freeList's sectionId (digits), else "-"


def _fields(body: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(body)
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def _action(fields: dict[str, Any]) -> str:
    action = fields.get("action")
    # One word, so that a line's fields can be split on spaces.
    return action if isinstance(action, str) and action.isalnum() else "?"


def _id(value: object) -> str:
    # An id is a whole number; anything else is not written down.
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return text if text.isdigit() and text.isascii() else "-"


def _free_list_pair(fields: dict[str, Any]) -> tuple[str, str]:
    """A freeList's (staffId, sectionId) as digits ("-" if not ids); ("-", "-") for any other
    action: a booking's body holds a patient's details, and nothing of it is written down."""
    if _action(fields) != "freeList":
        return "-", "-"
    return _id(fields.get("staffId")), _id(fields.get("sectionId"))


def _append(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def logged(path: str, line: Callable[[Call], str]) -> WSGIApp:
    """The site's application, writing `line(call)` to `path` per API call; as is if no path."""
    # Looked up only when calls are written down: with no file the wrapper
    # passes everything through, even on a site that has no reference diary.
    api_path = reverse("sandbox:api-request") if path else ""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (
            not path
            or environ.get("PATH_INFO") != api_path
            or environ.get("REQUEST_METHOD") != "POST"
        ):
            return site_application(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []

        def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        started, started_at = time.monotonic(), time.time()
        # Django's handler has run the view (and SANDBOX_LATENCY_MS) by now,
        # and nothing is sent yet.
        result = site_application(environ, start)
        fields = _fields(body)
        staff, section = _free_list_pair(fields)
        call = Call(
            action=_action(fields),
            status=status[0] if status else "-",
            client=environ.get("REMOTE_ADDR", "-"),
            ms=(time.monotonic() - started) * 1000,
            started=started_at,
            staff=staff,
            section=section,
        )
        _append(path, line(call))
        return result

    return application
