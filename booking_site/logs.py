"""The site's log lines: a request id on every one, plain or JSON, no capability URL.

`settings.LOGGING` puts the filters and one of the formatters on the one
console handler:

- `RequestIdFilter` gives every record the id of the request being served
  (`request_id`, set by `booking_site.request_log`), so the Physiodiary
  client's line for a call can be matched to the request that made it
  without the client knowing about requests at all.
- `RedactFilter` shortens `/booked/<reference>/` to `/booked/…/`, and a
  change or cancel link's `/change/<link>/…` to `/change/…/…`, in any
  message, whoever logs it (Django logs "Not Found: <path>" for an expired
  confirmation, say): the reference is the only key to a confirmation page,
  and the link's id the only key to a patient's change or cancel pages.
  It hides the query string after any path too, which names practitioners,
  rooms and times: the site's own lines never hold one, but gunicorn's error
  log (which gunicorn.conf.py gives this filter) quotes a refused request
  line, or the URI of a request that failed, whole.
- `PlainFormatter` writes `time level logger message id=<request id>`;
  `JsonFormatter` one JSON object a line, with the message's `key=value`
  pairs as fields of their own (LOG_FORMAT=json).

Nothing here imports the settings: it is loaded while logging is being
configured, and by gunicorn's config file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from contextvars import ContextVar

#: The id of the request this thread (or task) is serving; "-" outside one.
request_id: ContextVar[str] = ContextVar("request_id", default="-")

#: What an id taken from an incoming X-Request-ID may look like: short, and
#: nothing that could break a log line or smuggle text into it.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

#: A confirmation page's reference (bookings.confirmations.REFERENCE_PATTERN
#: is 32 such characters), matched loosely so a mistyped one is hidden too.
_BOOKED = re.compile(r"/booked/[^/\s?#\"']+")
BOOKED_SHORT = "/booked/…"

#: A change or cancel link's id (bookings.changes.LINK_PATTERN), matched as loosely:
#: `/change/<link>/cancel/` is logged as `/change/…/cancel/`.
_CHANGE = re.compile(r"/change/[^/\s?#\"']+")
CHANGE_SHORT = "/change/…"

#: A query string after a path, up to white space or a quote (gunicorn writes
#: a refused request line in quotes).
_QUERY = re.compile(r"(/[^\s?#\"']*)\?[^\s\"']+")
QUERY_SHORT = "?…"


def new_request_id() -> str:
    """A fresh id: 64 random bits, plenty to tell a day's requests apart."""
    return secrets.token_hex(8)


def redact(text: str) -> str:
    """`text` with every confirmation reference and change link, and any path's query
    string, hidden."""
    hidden = _CHANGE.sub(CHANGE_SHORT, _BOOKED.sub(BOOKED_SHORT, text))
    return _QUERY.sub(rf"\1{QUERY_SHORT}", hidden)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class RedactFilter(logging.Filter):
    """Hides confirmation references, change links and query strings in a record's message
    before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: leave it to logging's own error report
            return True
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


def _request_id(record: logging.LogRecord) -> str:
    # Also for a handler someone configured without RequestIdFilter.
    return getattr(record, "request_id", None) or request_id.get()


class PlainFormatter(logging.Formatter):
    """`2025-01-31 09:00:00,123 INFO logger message id=<request id>`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s id=%(request_id)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = _request_id(record)
        return super().format(record)


#: A message of the form `event key=value key=value …`, as the request line
#: and the Physiodiary client's line are written: the event, then the pairs
#: up to the first word that is not one (the client may add a remark).
_EVENT = re.compile(r"([a-z_]+)((?: [a-z_]+=\S+)+)")
_PAIR = re.compile(r" ([a-z_]+)=(\S+)")
_INTEGER = re.compile(r"-?\d{1,18}")
_DECIMAL = re.compile(r"-?\d{1,18}\.\d{1,9}")
#: The object's own keys, never overwritten by a message's pairs.
_BASE_KEYS = ("time", "level", "logger", "message", "request_id", "event", "exception", "stack")


def fields(message: str) -> dict[str, str | int | float]:
    """The event and `key=value` pairs of a structured message, numbers as numbers.

    {} for any other message. A repeated key keeps its first value.
    """
    match = _EVENT.match(message)
    if not match:
        return {}
    found: dict[str, str | int | float] = {"event": match[1]}
    for key, value in _PAIR.findall(match[2]):
        if key in found or key in _BASE_KEYS:
            continue
        if _INTEGER.fullmatch(value):
            found[key] = int(value)
        elif _DECIMAL.fullmatch(value):
            found[key] = float(value)
        else:
            found[key] = value
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and the message's pairs.

    Only these keys, never the record's other attributes: Django passes the
    request itself along with some records, and its repr holds the query.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": _request_id(record),
        }
        line.update(fields(message))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)
