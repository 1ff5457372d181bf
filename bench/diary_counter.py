"""The reference diary's WSGI app with every API call counted, for the benchmarks.

    gunicorn bench.diary_counter:application   # with BENCH_DIARY_CALLS=/tmp/calls.log

Wraps the site's own WSGI application (which serves the reference diary at
/sandbox/api/request) and, for each POST there, appends one line to the file
named by BENCH_DIARY_CALLS:

    <unix time> <pid> <action> <HTTP status> <milliseconds in the diary>

Only the action is read from the body, never written: the body holds the API
key and a patient's details. Lines are appended with one write(2) on an
O_APPEND file, so the workers and threads of one gunicorn can share the file.
Other requests pass through untouched; unset, the wrapper does nothing.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from booking_site.wsgi import application as diary_application

API_PATH = "/sandbox/api/request"
CALLS_FILE = os.environ.get("BENCH_DIARY_CALLS", "")


def _action(body: bytes) -> str:
    try:
        fields = json.loads(body)
    except ValueError:
        return "?"
    action = fields.get("action") if isinstance(fields, dict) else None
    # One word, so that a line always has five fields.
    return action if isinstance(action, str) and action.isalnum() else "?"


def _record(line: str) -> None:
    fd = os.open(CALLS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if (
        not CALLS_FILE
        or environ.get("PATH_INFO") != API_PATH
        or environ.get("REQUEST_METHOD") != "POST"
    ):
        return diary_application(environ, start_response)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    status: list[str] = []

    def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(code.split(" ", 1)[0])
        return start_response(code, headers, exc_info)

    started = time.monotonic()
    result = diary_application(environ, start)
    # Django's handler has run the view (and SANDBOX_LATENCY_MS) by now, and
    # the answer is not yet sent: the line is written before the site can
    # have read the answer.
    elapsed_ms = (time.monotonic() - started) * 1000
    code = status[0] if status else "-"
    _record(f"{time.time():.6f} {os.getpid()} {_action(body)} {code} {elapsed_ms:.1f}\n")
    return result
