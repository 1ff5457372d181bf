"""The reference diary's WSGI application, with every API call it answers written down.

    gunicorn tests.deploy.counted_diary:application   # with DEPLOY_DIARY_CALLS=/path/calls.log

For each POST to /sandbox/api/request, one line is appended to the file named
by DEPLOY_DIARY_CALLS:

    <action> <HTTP status> <client address>

so a test can say which calls the diary saw, whether it answered or refused
them (the bare 404), and from which address they came. Only the action is
read from the body, never written down: the body holds the API key and a
patient's details. The line is written before the answer leaves, so a test
holding a page finds every call that page cost; one write(2) on an O_APPEND
file, so the workers and threads of one gunicorn can share the file.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from booking_site.wsgi import application as diary_application

API_PATH = "/sandbox/api/request"
CALLS_FILE = os.environ.get("DEPLOY_DIARY_CALLS", "")


def _action(body: bytes) -> str:
    try:
        fields = json.loads(body)
    except ValueError:
        return "?"
    action = fields.get("action") if isinstance(fields, dict) else None
    # One word, so that a line always has three fields.
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

    # Django's handler has run the view by now, and nothing is sent yet.
    result = diary_application(environ, start)
    code = status[0] if status else "-"
    _record(f"{_action(body)} {code} {environ.get('REMOTE_ADDR', '-')}\n")
    return result
