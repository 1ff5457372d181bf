"""The client's one error tree, and why a call failed in plain words.

- `Unavailable`: the diary could not be reached or answered nonsense (timeout,
  connection refused, 5xx, a body that is not JSON or not of the documented
  shape). Try later. Its subclass `UnknownOutcome` is raised by `book` when the
  request may have reached the diary but its answer was lost.
- `Rejected`: the diary answered with its `errors` list. Each `ApiError`
  keeps the code, the field at fault and the vendor's message.
- `NotAuthorised`: the bare 404 the vendor returns for a wrong key or a
  request from an IP address other than the registered one.

Each carries a `Reason`; `describe(reason)` says it in plain words, for the
client's own messages and for whoever reports on the diary's health.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .results import ErrorCode


class Reason(enum.StrEnum):
    """Why a call failed, for logs, retries and a diagnosis."""

    TIMEOUT = "timeout"  # connected, but no answer within the read timeout
    REFUSED = "refused"  # no connection: refused, timed out, or the name did not resolve
    DROPPED = "dropped"  # the connection broke before the answer was complete
    TLS = "tls"
    PROXY = "proxy"
    TRANSPORT = "transport"  # requests refused the call itself (a bad URL, say)
    STATUS = "status"  # an HTTP status other than 200 or 404
    NOT_JSON = "not-json"
    BAD_SHAPE = "bad-shape"  # JSON, but not of the documented shape
    REJECTED = "rejected"
    NOT_AUTHORISED = "not-authorised"
    CIRCUIT_OPEN = "circuit-open"  # not asked: it failed too often just now


#: Each reason in plain words. `{read_timeout}` and `{proxy}` stand for those
#: options as the reader knows them (see `describe`).
REASONS: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.TIMEOUT: "no answer within {read_timeout}",
        Reason.REFUSED: "the connection could not be made",
        Reason.DROPPED: "the connection dropped before the answer was complete",
        Reason.TLS: "the TLS connection failed",
        Reason.PROXY: "{proxy} refused or failed the connection",
        Reason.TRANSPORT: "the request failed",
        Reason.STATUS: "an unexpected HTTP status",
        Reason.NOT_JSON: "the answer is not JSON",
        Reason.BAD_SHAPE: "the answer is not of the documented shape",
        Reason.REJECTED: "the diary refused the request and said why",
        Reason.NOT_AUTHORISED: (
            "HTTP 404: the API key is wrong, or this server's IP address is not the one"
            " registered with Physiodiary"
        ),
        Reason.CIRCUIT_OPEN: "not asked: it failed repeatedly just now (circuit breaker open)",
    }
)


def describe(
    reason: Reason, *, read_timeout: str = "the read timeout", proxy: str = "the proxy"
) -> str:
    """`reason` in plain words.

    A site names the read timeout and the proxy by its own settings, which
    this package does not know; it passes those names here.
    """
    return REASONS[reason].format(read_timeout=read_timeout, proxy=proxy)


class PhysiodiaryError(Exception):
    """Base of every error the client raises."""

    def __init__(
        self,
        message: str,
        *,
        action: str,
        reason: Reason,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.http_status = http_status
        self.reason = reason


class Unavailable(PhysiodiaryError):
    """The diary could not be reached or gave an answer we cannot read; try later."""


class UnknownOutcome(Unavailable):
    """A booking request may have reached the diary, but its answer was lost.

    Whether the appointment was made is unknown: it must not be retried
    blindly, since the API has no idempotency key and no booking look-up.
    """


class NotAuthorised(PhysiodiaryError):
    """The bare 404: the API key is wrong or this server's IP is not the registered one."""


@dataclass(frozen=True)
class ApiError:
    """One entry of the diary's `errors` list."""

    code: int
    field: str
    message: str

    @property
    def kind(self) -> ErrorCode | None:
        """The named code, or None for a number the document does not list."""
        try:
            return ErrorCode(self.code)
        except ValueError:
            return None


class Rejected(PhysiodiaryError):
    """The diary refused the request and said why, in one or more errors."""

    def __init__(self, errors: tuple[ApiError, ...], *, action: str, http_status: int) -> None:
        summary = "; ".join(f"{e.code} {e.field or '-'}: {e.message}" for e in errors)
        super().__init__(
            f"Physiodiary rejected {action}: {summary}",
            action=action,
            http_status=http_status,
            reason=Reason.REJECTED,
        )
        self.errors = errors

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(e.code for e in self.errors)
